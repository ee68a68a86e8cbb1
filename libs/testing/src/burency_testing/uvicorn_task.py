"""Serve an ASGI app with uvicorn on the test's own event loop, on a free loopback port.

For tests whose app must share the test's loop (a Socket.IO hub emitting from the test,
an in-process bus): ``async with serving(app) as url: ...``. For an app on a loop of its
own, in a thread, see :class:`burency_testing.raw_http.ServedApp`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn

from burency_testing.infra import free_port

__all__ = ["serving"]


@asynccontextmanager
async def serving(app: Any, *, start_timeout: float = 30.0) -> AsyncIterator[str]:
    """Yield the base URL once uvicorn listens; stop it (and wait for it) on exit."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(start_timeout):
            while not server.started:  # uvicorn offers a flag, not an event
                assert not task.done(), "uvicorn stopped while starting"
                await asyncio.sleep(0.02)  # polling the started flag with a deadline
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
