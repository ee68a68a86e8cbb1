"""Fixtures of the flow tests (see flows_harness.py): SQLite by default; ``db_flows`` runs
a test on SQLite AND PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from .flows_harness import FlowsHarness, running, settings_for


@pytest.fixture
async def flows_h(tmp_path: Path) -> AsyncIterator[FlowsHarness]:
    async with running(*settings_for(tmp_path)) as h:
        yield h


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_flows(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_database_factory: Callable[..., str]
) -> AsyncIterator[FlowsHarness]:
    overrides = {}
    if request.param == "postgres":
        overrides["database_url"] = postgres_database_factory()
    async with running(*settings_for(tmp_path, **overrides)) as h:
        yield h
