"""Running services around an ASGI app's lifespan, with shutdown acknowledged last.

The platform's ASGI apps (embedded, ``burency serve``, the gateway alone) start the bus
and the services, then hand the lifespan protocol to the inner app (the gateway's or a
service's), which answers ``startup.complete`` and, later, ``shutdown.complete``. The
server (uvicorn, or a test's lifespan manager) takes ``shutdown.complete`` as "done":
it then stops its event loop, cancelling whatever still runs. Sent straight through,
that acknowledgement would precede the services' own stop, which the cancellation then
cuts short (an engine's final snapshot, a projection's last batch, a relay's last
publish). :func:`serve_lifespan` holds it back until the services have stopped, and
reports ``shutdown.failed`` if stopping them raised.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["serve_lifespan"]


async def serve_lifespan(
    app: ASGIApp,
    running: Callable[[], AbstractAsyncContextManager[Any]],
    scope: Scope,
    receive: Receive,
    send: Send,
) -> None:
    """Run ``app``'s lifespan inside ``running()``; acknowledge shutdown after it exits."""
    held: list[Message] = []

    async def send_until_shutdown(message: Message) -> None:
        if message["type"] in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
            held.append(message)
            return
        await send(message)

    try:
        async with running():
            await app(scope, receive, send_until_shutdown)
    except Exception as exc:
        if held:  # the app had shut down: stopping the services failed
            await send({"type": "lifespan.shutdown.failed", "message": repr(exc)})
            return
        raise
    for message in held:
        await send(message)
