"""Settings validation and the component's shape and timer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from burency_common.component import ServiceComponent
from burency_common.timeutil import ManualClock
from burency_files.component import build_component
from burency_files.settings import FilesSettings

from .files_testing.harness import running_harness
from .files_testing.images import PDF


def test_distributed_mode_needs_its_secrets(settings_factory: Callable[..., Any]) -> None:
    with pytest.raises(ValidationError, match="BURENCY_IDENTITY_SECRET"):
        settings_factory(FilesSettings, mode="distributed")
    with pytest.raises(ValidationError, match="BURENCY_URL_SIGNING_KEY"):
        settings_factory(FilesSettings, mode="distributed", identity_secret="s" * 32)
    with pytest.raises(ValidationError, match="at least 32"):
        settings_factory(FilesSettings, identity_secret="short")
    ok = settings_factory(
        FilesSettings, mode="distributed", identity_secret="s" * 32, storage_backend="s3"
    )
    assert "s" * 32 not in repr(ok)
    with pytest.raises(ValidationError):
        settings_factory(FilesSettings, url_ttl_seconds=301)


def test_building_connects_to_nothing(make_settings: Callable[..., FilesSettings]) -> None:
    settings = make_settings(storage_backend="s3", s3_endpoint_url="http://127.0.0.1:9")
    component = build_component(settings, identity_secret=b"x" * 32)
    assert isinstance(component, ServiceComponent)
    assert component.name == "files"
    assert component.app.state.identity_secret == b"x" * 32


async def test_the_cleanup_timer_purges(
    make_settings: Callable[..., FilesSettings], clock: ManualClock
) -> None:
    async with running_harness(make_settings(cleanup_interval_seconds=1), clock) as h:
        body = await h.uploaded("alice", PDF, kind="attachment")
        await h.client.delete(f"/v1/files/{body['id']}", headers=h.headers("alice"))
        root = h.component.settings.local_storage_dir
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while any(p.is_file() for p in root.rglob("*")):
            assert loop.time() < deadline, "the cleanup timer never ran"
            await asyncio.sleep(0.1)
