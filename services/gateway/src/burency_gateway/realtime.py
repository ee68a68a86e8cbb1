"""The Socket.IO edge: one real-time endpoint for the SPA and bots, at ``/socket.io/``.

Clients connect anonymously (public market streams) or with ``auth={"token": <access
JWT>}``; an authenticated socket joins the room ``user:<id>`` for private updates
(orders, balances, in-app notifications). ``subscribe`` / ``unsubscribe`` /
``snapshot`` (:mod:`burency_gateway.realtime_streams`) manage public stream rooms
named after Binance's streams (:mod:`burency_gateway.realtime_names`). Services push
through the :class:`~burency_common.realtime.RealtimePublisher` port: in embedded
mode :class:`RealtimeHub` is that publisher; in distributed mode services publish
through Redis (:class:`burency_common.realtime_redis.RedisRealtimePublisher`) and the
hub's Redis manager delivers to the sockets of this process. Fan-out costs one
encoding per message and room (:mod:`burency_gateway.realtime_fanout`).

An authenticated socket belongs to its login session and dies with it
(:mod:`burency_gateway.socket_sessions`): :meth:`RealtimeHub.revoke` ends the sockets a
revocation covers, and the socket ends when its access token expires, unless the
client sent ``authenticate`` with ``{"token": <fresh access JWT>}`` of the same user
and session before that. Either way the client first gets ``session.ended`` with
``{"code": "TOKEN_REVOKED" | "TOKEN_EXPIRED"}``, then the server disconnects it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

import socketio
from starlette.types import ASGIApp, Receive, Scope, Send

from burency_common.errors import BurencyError, Unauthenticated
from burency_common.events.auth import TokensRevoked
from burency_common.logging import get_logger
from burency_common.realtime import STREAM_EVENT, stream_room, user_room
from burency_common.realtime_redis import SOCKETIO_CHANNEL
from burency_common.timeutil import to_iso_ms, utc_now
from burency_common.tokens import decode_unverified, issued_at_of
from burency_gateway.realtime_fanout import (
    DEFAULT_MAX_QUEUED,
    FanoutManager,
    FanoutRedisManager,
    FanoutServer,
)
from burency_gateway.realtime_snapshots import DepthSnapshots
from burency_gateway.realtime_streams import MAX_STREAMS_PER_SOCKET, StreamSubscriptions
from burency_gateway.security import Authenticator
from burency_gateway.socket_sessions import SocketBinding, SocketSessions

__all__ = [
    "MAX_STREAMS_PER_SOCKET",
    "PING_INTERVAL_SECONDS",
    "PING_TIMEOUT_SECONDS",
    "SESSION_ENDED_EVENT",
    "RealtimeHub",
    "SocketIORouter",
]

SESSION_ENDED_EVENT = "session.ended"
PING_INTERVAL_SECONDS = 25.0  # Engine.IO heartbeat: the server pings, the client pongs
PING_TIMEOUT_SECONDS = 20.0  # no pong within this: the connection is dead
_NAMESPACE = "/"
_END_RETRY_SECONDS = 0.05  # a socket revoked between its connect handler and its CONNECT
_END_RETRIES = 200
_log = get_logger("burency.realtime")


_SOCKETIO_PATH = "/socket.io"
_SOCKETIO_PREFIX = _SOCKETIO_PATH + "/"


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


class SocketIORouter:
    """Sends a plain HTTP request that is not for ``/socket.io`` straight to ``other``.

    engineio's ``ASGIApp`` would send it there too, after its own checks (a trailing
    slash appended to every path, a static-file lookup): the same decision, taken here
    first for the many API requests. Everything else (``/socket.io``, websockets,
    lifespan) goes through ``socketio_app`` as before.
    """

    def __init__(self, socketio_app: ASGIApp, other: ASGIApp) -> None:
        self.socketio_app = socketio_app
        self.other = other

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if not (path.startswith(_SOCKETIO_PREFIX) or path == _SOCKETIO_PATH):
                await self.other(scope, receive, send)
                return
        await self.socketio_app(scope, receive, send)


class RealtimeHub:
    """Owns the Socket.IO server; ``asgi(app)`` puts it in front of the gateway.

    It is a :class:`~burency_common.realtime.RealtimePublisher` (embedded mode's).
    ``snapshots``: where depth snapshots come from (none: subscribers get no snapshot).
    ``max_queued``: packets a socket may have unsent before it is dropped as too slow.
    """

    def __init__(
        self,
        authenticator: Authenticator,
        *,
        redis_url: str | None = None,
        cors_origins: list[str] | None = None,
        clock: Callable[[], datetime] = utc_now,
        snapshots: DepthSnapshots | None = None,
        max_queued: int = DEFAULT_MAX_QUEUED,
        redis_channel: str = SOCKETIO_CHANNEL,
        ping_interval: float = PING_INTERVAL_SECONDS,
        ping_timeout: float = PING_TIMEOUT_SECONDS,
    ) -> None:
        manager: FanoutManager = (
            FanoutRedisManager(redis_url, channel=redis_channel, max_queued=max_queued)
            if redis_url
            else FanoutManager(max_queued=max_queued)
        )
        self.manager = manager
        self.server = FanoutServer(
            async_mode="asgi",
            client_manager=manager,
            cors_allowed_origins=cors_origins or [],
            logger=False,
            engineio_logger=False,
            ping_interval=ping_interval,
            ping_timeout=ping_timeout,
        )
        self.snapshots = snapshots
        self.streams = StreamSubscriptions(self.server, snapshots)
        self._authenticator = authenticator
        self._clock = clock
        self.sessions = SocketSessions(self._deadline_passed, clock=clock)
        self._tasks: set[asyncio.Task[None]] = set()
        self.server.on("connect", self._on_connect)
        self.server.on("disconnect", self._on_disconnect)
        self.server.on("authenticate", self._on_authenticate)
        self.streams.register()

    def asgi(self, other: ASGIApp) -> ASGIApp:
        """``/socket.io/`` goes to Socket.IO; every other request to ``other``."""
        app: ASGIApp = socketio.ASGIApp(
            self.server, other_asgi_app=other, socketio_path="socket.io"
        )
        return SocketIORouter(app, other)

    async def publish_stream(self, stream: str, data: Any) -> None:
        """Send event ``stream`` with ``{"stream", "data"}`` to the stream's subscribers."""
        message = {"stream": stream, "data": data}
        await self.server.emit(STREAM_EVENT, message, room=stream_room(stream))

    def has_listener(self, user_id: str) -> bool:
        """Whether ``user_id`` has a socket here: meaningful only when this process holds
        every socket (embedded mode); a hub publishing through Redis is never asked."""
        return self.sessions.has_user(user_id)

    async def publish_user(self, user_id: str, event: str, data: Any) -> None:
        """Send ``event`` to the sockets of ``user_id`` (every gateway process's)."""
        await self.server.emit(event, data, room=user_room(user_id))

    async def emit_to_user(self, user_id: str, event: str, data: Any) -> None:
        await self.publish_user(user_id, event, data)

    async def emit_to_stream(self, stream: str, data: Any) -> None:
        await self.publish_stream(stream, data)

    async def revoke(self, event: TokensRevoked) -> int:
        """End this process's sockets that ``event`` revokes; returns how many.

        Every gateway process must see every revocation (its own consumer group), since
        each holds only its own sockets. Apply the event to the revocation store first:
        a connect racing the event then either finds it there or is found here.
        """
        ended = self.sessions.covered_by(event)
        for sid in ended:
            await self._end(sid, "TOKEN_REVOKED")
        if ended:
            _log.info("realtime.sockets_revoked", user_id=event.user_id, sockets=len(ended))
        return len(ended)

    async def _verified(self, token: object) -> SocketBinding:
        """Check an access token exactly as an HTTP request's; bind nothing yet."""
        if not isinstance(token, str) or not token:
            raise Unauthenticated("token must be an access token", code="TOKEN_MALFORMED")
        identity = await self._authenticator.authenticate(f"Bearer {token}")
        if identity is None or identity.auth_method != "jwt" or identity.token_id is None:
            raise Unauthenticated("token must be an access token", code="TOKEN_MALFORMED")
        _, claims = decode_unverified(token)  # this very string was verified just above
        expires_at = datetime.fromtimestamp(claims["exp"], UTC)
        if expires_at <= self._clock():  # HTTP allows clock leeway; a new socket does not
            raise Unauthenticated("the access token has expired", code="TOKEN_EXPIRED")
        return SocketBinding(
            user_id=identity.user_id,
            session_id=identity.session_id,
            token_id=identity.token_id,
            issued_at=issued_at_of(claims),
            expires_at=expires_at,
        )

    async def _recheck_if_raced(self, seen: int, token: str) -> None:
        """Close the race between checking a token and binding the socket to it.

        A revocation applied while the token was being checked may have missed both the
        store read and this socket (not yet bound): if any was applied since ``seen``,
        check the token once more. Call right after binding, with no await in between.
        """
        if self.sessions.revocations_seen != seen:
            await self._verified(token)

    async def _on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        if token is None:
            await self.server.save_session(sid, {"user_id": None, "streams": set()})
            return
        seen = self.sessions.revocations_seen
        try:
            binding = await self._verified(token)
            self.sessions.bind(sid, binding)
            await self._recheck_if_raced(seen, token)
            await self.server.save_session(sid, {"user_id": binding.user_id, "streams": set()})
            await self.server.enter_room(sid, user_room(binding.user_id))
            if binding.ended:  # revoked or expired while connecting
                raise Unauthenticated("the session has ended", code="TOKEN_REVOKED")
        except BurencyError as exc:
            self.sessions.unbind(sid)
            raise socketio.exceptions.ConnectionRefusedError(
                {"code": exc.code, "message": exc.detail}
            ) from None
        binding.established = True
        _log.info("realtime.connected", user_id=binding.user_id)

    async def _on_disconnect(self, sid: str, reason: Any = None) -> None:
        self.sessions.unbind(sid)

    async def _on_authenticate(self, sid: str, data: Any) -> dict[str, Any]:
        """Re-authenticate with a fresh access token of the same user and session.

        Moves the socket's deadline to the new token's ``exp``. A token of another user
        or session is refused and changes nothing (the socket keeps its deadline).
        """
        current = self.sessions.get(sid)
        if current is None or current.ended:
            return _error("SOCKET_NOT_AUTHENTICATED", "connect with an access token first")
        token = data.get("token") if isinstance(data, dict) else None
        seen = self.sessions.revocations_seen
        try:
            fresh = await self._verified(token)
        except BurencyError as exc:
            return _error(exc.code, exc.detail)
        if fresh.user_id != current.user_id:
            return _error("TOKEN_SUBJECT_MISMATCH", "the token belongs to another user")
        if fresh.session_id != current.session_id:
            return _error("SESSION_MISMATCH", "the token belongs to another session")
        now_bound = self.sessions.get(sid)
        if now_bound is not current or current.ended:  # revoked meanwhile
            return _error("TOKEN_REVOKED", "the session has ended")
        self.sessions.bind(sid, fresh)
        try:
            await self._recheck_if_raced(seen, str(token))
        except BurencyError as exc:
            if self.sessions.get(sid) is fresh and not fresh.ended:
                self.sessions.bind(sid, current)  # keep the old token and deadline
            return _error(exc.code, exc.detail)
        return {"result": {"userId": fresh.user_id, "expiresAt": to_iso_ms(fresh.expires_at)}}

    def _deadline_passed(self, sid: str) -> None:
        """Timer callback: the socket's access token has expired."""
        binding = self.sessions.get(sid)
        if binding is None:
            return
        binding.ended = True
        self._spawn(self._end(sid, "TOKEN_EXPIRED"))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _end(self, sid: str, code: str, attempt: int = 0) -> None:
        """Stop private delivery to ``sid`` at once, tell the client why, disconnect it."""
        binding = self.sessions.get(sid)
        if binding is None:
            return
        await self.server.leave_room(sid, user_room(binding.user_id))
        if not binding.established:
            return  # its connect handler sees ``ended`` and refuses the connection
        if not self.server.manager.is_connected(sid, _NAMESPACE):
            # between the connect handler and the CONNECT packet: try again shortly
            if attempt < _END_RETRIES:
                loop = asyncio.get_running_loop()
                loop.call_later(
                    _END_RETRY_SECONDS, lambda: self._spawn(self._end(sid, code, attempt + 1))
                )
            return
        await self.server.emit(SESSION_ENDED_EVENT, {"code": code}, to=sid, ignore_queue=True)
        await self.server.disconnect(sid, ignore_queue=True)
        self.sessions.unbind(sid)
        _log.info("realtime.session_ended", user_id=binding.user_id, code=code)
