"""Serving commands freeze the start-up heap once start-up completes (gc_tuning)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from burency_platform.gc_tuning import THRESHOLDS, gc_tuned


@pytest.fixture
def restore_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


async def test_start_up_completion_freezes_the_heap_and_raises_thresholds(
    restore_gc: None,
) -> None:
    seen: list[tuple[int, tuple[int, int, int]]] = []
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "lifespan.startup.complete"})
        seen.append((gc.get_freeze_count(), gc.get_threshold()))

    async def send(message: dict[str, Any]) -> None:
        seen.append((gc.get_freeze_count(), gc.get_threshold()))
        sent.append(message)

    gc.unfreeze()
    before = gc.get_threshold()
    await gc_tuned(app)({"type": "lifespan"}, None, send)  # type: ignore[arg-type]
    assert sent == [{"type": "lifespan.startup.complete"}]
    frozen, thresholds = seen[0]  # already when the server hears of the completion
    assert frozen > 0
    assert thresholds == THRESHOLDS != before


async def test_requests_pass_through_untouched(restore_gc: None) -> None:
    calls: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        calls.append(scope["type"])

    gc.unfreeze()
    await gc_tuned(app)({"type": "http"}, None, None)  # type: ignore[arg-type]
    assert calls == ["http"]
    assert gc.get_freeze_count() == 0
