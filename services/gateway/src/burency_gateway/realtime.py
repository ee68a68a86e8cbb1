"""The Socket.IO edge: one real-time endpoint for the SPA and bots, at ``/socket.io/``.

Clients connect anonymously (public market streams) or with ``auth={"token": <access
JWT>}``; an authenticated socket joins the room ``user:<id>`` for private updates
(orders, balances, in-app notifications). ``subscribe`` / ``unsubscribe`` with
``{"streams": ["btcusdt@depth", ...]}`` join public stream rooms named after
Binance's stream names. Services push through :class:`RealtimeHub` (fed from bus
events); with Redis configured, emits reach sockets held by every gateway process.

An authenticated socket belongs to its login session and dies with it
(:mod:`burency_gateway.socket_sessions`): :meth:`RealtimeHub.revoke` ends the sockets a
revocation covers, and the socket ends when its access token expires, unless the
client sent ``authenticate`` with ``{"token": <fresh access JWT>}`` of the same user
and session before that. Either way the client first gets ``session.ended`` with
``{"code": "TOKEN_REVOKED" | "TOKEN_EXPIRED"}``, then the server disconnects it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

import socketio
from starlette.types import ASGIApp

from burency_common.errors import BurencyError, Unauthenticated
from burency_common.events.auth import TokensRevoked
from burency_common.logging import get_logger
from burency_common.timeutil import to_iso_ms, utc_now
from burency_common.tokens import decode_unverified, issued_at_of
from burency_gateway.security import Authenticator
from burency_gateway.socket_sessions import SocketBinding, SocketSessions

__all__ = ["MAX_STREAMS_PER_SOCKET", "SESSION_ENDED_EVENT", "RealtimeHub"]

MAX_STREAMS_PER_SOCKET = 50
SESSION_ENDED_EVENT = "session.ended"
_STREAM_NAME = re.compile(r"^[a-z0-9]{2,20}@[a-z0-9_]{2,30}$")
_NAMESPACE = "/"
_END_RETRY_SECONDS = 0.05  # a socket revoked between its connect handler and its CONNECT
_END_RETRIES = 200
_log = get_logger("burency.realtime")


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


class RealtimeHub:
    """Owns the Socket.IO server; ``asgi(app)`` puts it in front of the gateway."""

    def __init__(
        self,
        authenticator: Authenticator,
        *,
        redis_url: str | None = None,
        cors_origins: list[str] | None = None,
        clock: Callable[[], datetime] = utc_now,
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
        self._clock = clock
        self.sessions = SocketSessions(self._deadline_passed, clock=clock)
        self._tasks: set[asyncio.Task[None]] = set()
        self.server.on("connect", self._on_connect)
        self.server.on("disconnect", self._on_disconnect)
        self.server.on("authenticate", self._on_authenticate)
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
            await self.server.enter_room(sid, f"user:{binding.user_id}")
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
        await self.server.leave_room(sid, f"user:{binding.user_id}")
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
