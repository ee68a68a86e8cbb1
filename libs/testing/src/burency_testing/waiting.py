"""Waiting for an asynchronous outcome in tests: poll a probe until it holds or a
deadline passes, never a fixed sleep that hopes the work is done."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


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
