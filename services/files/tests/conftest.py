"""Fixtures of the files tests: the real service on SQLite (tmp_path) with local storage
or the real S3 test server, a manual clock."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from burency_common.timeutil import ManualClock
from burency_files.settings import FilesSettings
from burency_testing.infra import unique_name

from .files_testing.harness import BASE_URL, Harness, running_harness


@pytest.fixture(scope="module")
def s3_bucket() -> str:
    """One bucket per test module (created by the service or the contract fixture)."""
    return unique_name("burency-test").replace("_", "-").lower()


@pytest.fixture
def s3_values(s3_endpoint: str, s3_bucket: str) -> dict[str, Any]:
    return {
        "storage_backend": "s3",
        "s3_endpoint_url": s3_endpoint,
        "s3_region": os.environ.get("BURENCY_TEST_S3_REGION", "us-east-1"),
        "s3_bucket": s3_bucket,
        "s3_access_key_id": os.environ.get("BURENCY_TEST_S3_ACCESS_KEY_ID", "testing"),
        "s3_secret_access_key": os.environ.get("BURENCY_TEST_S3_SECRET_ACCESS_KEY", "testing"),
        "s3_server_side_encryption": "AES256",
        "s3_create_bucket": True,
    }


@pytest.fixture
def make_settings(
    tmp_path: Path, settings_factory: Callable[..., Any]
) -> Callable[..., FilesSettings]:
    def make(**overrides: Any) -> FilesSettings:
        values: dict[str, Any] = {
            "database_url": f"sqlite+aiosqlite:///{tmp_path / 'files.db'}",
            "local_storage_dir": tmp_path / "objects",
            "public_base_url": BASE_URL,
            "cleanup_interval_seconds": 0,
            **overrides,
        }
        settings: FilesSettings = settings_factory(FilesSettings, **values)
        return settings

    return make


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
async def harness(
    make_settings: Callable[..., FilesSettings], clock: ManualClock
) -> AsyncIterator[Harness]:
    async with running_harness(make_settings(), clock) as h:
        yield h


@pytest.fixture
async def s3_harness(
    make_settings: Callable[..., FilesSettings], clock: ManualClock, s3_values: dict[str, Any]
) -> AsyncIterator[Harness]:
    async with running_harness(make_settings(**s3_values), clock) as h:
        yield h
