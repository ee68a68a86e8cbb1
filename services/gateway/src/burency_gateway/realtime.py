"""The Socket.IO edge: one real-time endpoint for the SPA and bots, at ``/socket.io/``.

Clients connect anonymously (public market streams) or with ``auth={"token": <access
JWT>}``; an authenticated socket joins the room ``user:<id>`` for private updates
(orders, balances, in-app notifications). ``subscribe`` / ``unsubscribe`` with
``{"streams": ["btcusdt@depth", ...]}`` join public stream rooms named after
Binance's stream names. Services push through :class:`RealtimeHub` (fed from bus
events); with Redis configured, emits reach sockets held by every gateway process.
"""

from __future__ import annotations

import re
from typing import Any

import socketio
from starlette.types import ASGIApp

from burency_common.errors import BurencyError
from burency_common.logging import get_logger
from burency_gateway.security import Authenticator

__all__ = ["MAX_STREAMS_PER_SOCKET", "RealtimeHub"]

MAX_STREAMS_PER_SOCKET = 50
_STREAM_NAME = re.compile(r"^[a-z0-9]{2,20}@[a-z0-9_]{2,30}$")
_log = get_logger("burency.realtime")


class RealtimeHub:
    """Owns the Socket.IO server; ``asgi(app)`` puts it in front of the gateway."""

    def __init__(
        self,
        authenticator: Authenticator,
        *,
        redis_url: str | None = None,
        cors_origins: list[str] | None = None,
    ) -> None:
        manager = socketio.AsyncRedisManager(redis_url) if redis_url else None
        self.server = socketio.AsyncServer(
            async_mode="asgi",
            client_manager=manager,
            cors_allowed_origins=cors_origins or [],
            logger=False,
            engineio_logger=False,
        )
        self._authenticator = authenticator
        self.server.on("connect", self._on_connect)
        self.server.on("subscribe", self._on_subscribe)
        self.server.on("unsubscribe", self._on_unsubscribe)

    def asgi(self, other: ASGIApp) -> ASGIApp:
        """``/socket.io/`` goes to Socket.IO; every other request to ``other``."""
        app: ASGIApp = socketio.ASGIApp(
            self.server, other_asgi_app=other, socketio_path="socket.io"
        )
        return app

    async def emit_to_user(self, user_id: str, event: str, data: Any) -> None:
        await self.server.emit(event, data, room=f"user:{user_id}")

    async def emit_to_stream(self, stream: str, data: Any) -> None:
        await self.server.emit("stream", {"stream": stream, "data": data}, room=f"stream:{stream}")

    async def _on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        if token is None:
            await self.server.save_session(sid, {"user_id": None, "streams": set()})
            return
        try:
            identity = await self._authenticator.authenticate(f"Bearer {token}")
        except BurencyError as exc:
            raise socketio.exceptions.ConnectionRefusedError(
                {"code": exc.code, "message": exc.detail}
            ) from None
        user_id = identity.user_id if identity else None
        await self.server.save_session(sid, {"user_id": user_id, "streams": set()})
        if user_id:
            await self.server.enter_room(sid, f"user:{user_id}")
            _log.info("realtime.connected", user_id=user_id)

    async def _on_subscribe(self, sid: str, data: Any) -> dict[str, Any]:
        streams = _requested_streams(data)
        if streams is None:
            return {"error": {"code": "INVALID_STREAMS", "message": "streams must be names"}}
        session = await self.server.get_session(sid)
        joined: set[str] = session["streams"]
        if len(joined | set(streams)) > MAX_STREAMS_PER_SOCKET:
            return {"error": {"code": "TOO_MANY_STREAMS", "message": "at most 50 streams"}}
        for stream in streams:
            await self.server.enter_room(sid, f"stream:{stream}")
        joined.update(streams)
        return {"result": sorted(joined)}

    async def _on_unsubscribe(self, sid: str, data: Any) -> dict[str, Any]:
        streams = _requested_streams(data)
        if streams is None:
            return {"error": {"code": "INVALID_STREAMS", "message": "streams must be names"}}
        session = await self.server.get_session(sid)
        for stream in streams:
            await self.server.leave_room(sid, f"stream:{stream}")
            session["streams"].discard(stream)
        return {"result": sorted(session["streams"])}


def _requested_streams(data: Any) -> list[str] | None:
    streams = data.get("streams") if isinstance(data, dict) else None
    if not isinstance(streams, list) or not streams:
        return None
    if not all(isinstance(s, str) and _STREAM_NAME.match(s) for s in streams):
        return None
    return list(dict.fromkeys(streams))
