"""The embedded platform for ``bench/realtime_fanout.py`` (run as a process).

It is ``bench/_trading_server.py`` (``burency up`` as served, plus ``BENCH_USERS`` funded
traders; see its docstring), with the gateway's Socket.IO fan-out chosen by
``BENCH_FANOUT``:

* ``fanout``: as shipped (``burency_gateway.realtime_fanout``);
* ``baseline``: a stock ``socketio.AsyncServer`` and ``AsyncManager``, and the hub's
  ``publish_stream`` doing python-socketio's default per-client emit, ``emit(...,
  to=sid)`` for each subscriber of the stream's room;
* ``room``: the stock server and manager with their own room emit.

Only the Socket.IO server and the publishing call differ: same platform, same market
data sink, same uvicorn.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _stock(per_client: bool) -> None:
    import socketio  # noqa: PLC0415

    import burency_gateway.realtime as hub_module  # noqa: PLC0415
    from burency_common.realtime import STREAM_EVENT, stream_room  # noqa: PLC0415

    hub_module.FanoutServer = socketio.AsyncServer  # type: ignore[misc]
    hub_module.FanoutManager = lambda max_queued: socketio.AsyncManager()  # type: ignore[assignment,misc]
    if not per_client:
        return

    async def publish_stream(self: Any, stream: str, data: Any) -> None:
        message = {"stream": stream, "data": data}
        for sid, _ in list(self.server.manager.get_participants("/", stream_room(stream))):
            await self.server.emit(STREAM_EVENT, message, to=sid)

    hub_module.RealtimeHub.publish_stream = publish_stream  # type: ignore[method-assign]


if __name__ == "__main__":
    mode = os.environ.get("BENCH_FANOUT", "fanout")
    if mode != "fanout":
        _stock(per_client=mode == "baseline")
    import _trading_server

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_trading_server._main())
