"""Waiting for an asynchronous outcome in tests: poll a probe until it holds or a
deadline passes, never a fixed sleep that hopes the work is done."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[bool]],
    what: str,
    timeout: float = 30.0,  # noqa: ASYNC109 - a deadline for polling, not a cancel scope
    interval: float = 0.02,
) -> None:
    """Await ``probe`` until it returns true; fail with ``what`` after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await probe():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        await asyncio.sleep(interval)  # polling with a deadline


def eventually_sync(
    probe: Callable[[], T | bool | None],
    what: str,
    timeout: float = 30.0,
    interval: float = 0.05,
) -> T:
    """The blocking twin of :func:`eventually` (for tests that drive a separate process
    from threads): call ``probe`` until it returns something truthy, and return it."""
    deadline = time.monotonic() + timeout
    while not (found := probe()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)  # polling with a deadline
    return found  # type: ignore[return-value]
