"""Which login session each live socket belongs to, and when its access token runs out.

A Socket.IO connection authenticated with an access token is *bound* to that token's
user, session (``sid`` claim), token id and issue/expiry instants. The binding is
what lets the gateway end the socket with the session:

* a revocation (``auth.tokens.revoked``: one token, one session, or every token of a
  user issued before an instant) ends every bound socket it covers
  (:meth:`SocketSessions.covered_by`);
* the access token's ``exp`` ends the socket unless the client re-authenticated
  over it with a fresher token of the same user and session, which moves the deadline.

Deadlines are ``loop.call_at`` timer handles, one per authenticated socket, cancelled
when the socket goes away: nothing runs while nothing expires (no polling loop).
The registry is per process: each gateway process knows, and ends, its own sockets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from burency_common.events.auth import TokensRevoked
from burency_common.timeutil import utc_now

__all__ = ["SocketBinding", "SocketSessions"]


@dataclass
class SocketBinding:
    """What one authenticated socket was opened (or last re-authenticated) with."""

    user_id: str
    session_id: str | None
    token_id: str
    issued_at: datetime
    expires_at: datetime
    established: bool = False  # the connect handler finished; ``False`` while it runs
    ended: bool = False  # revoked or expired: must not (stay) connected
    timer: asyncio.TimerHandle | None = field(default=None, repr=False)

    def covered_by(self, event: TokensRevoked) -> bool:
        """Whether ``event`` revokes the token this socket currently lives on."""
        if event.user_id != self.user_id:
            return False
        if event.jti is not None and event.jti == self.token_id:
            return True
        if event.session_id is not None and event.session_id == self.session_id:
            return True
        return event.issued_before is not None and self.issued_at < event.issued_before


class SocketSessions:
    """The bindings of this process's sockets, indexed by user, with their deadlines."""

    def __init__(
        self, on_deadline: Callable[[str], None], *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._on_deadline = on_deadline
        self._clock = clock
        self._bindings: dict[str, SocketBinding] = {}
        self._by_user: dict[str, set[str]] = {}
        self.revocations_seen = 0
        """Bumped by every revocation applied: a connect that raced one re-checks."""

    def __len__(self) -> int:
        return len(self._bindings)

    def has_user(self, user_id: str) -> bool:
        """Whether ``user_id`` has a socket bound in this process."""
        return user_id in self._by_user

    def get(self, sid: str) -> SocketBinding | None:
        return self._bindings.get(sid)

    def bind(self, sid: str, binding: SocketBinding) -> None:
        """Register (or replace, on re-authentication) the binding of ``sid``; arm its timer."""
        previous = self._bindings.get(sid)
        if previous is not None:
            binding.established = previous.established
            self._cancel(previous)
        self._bindings[sid] = binding
        self._by_user.setdefault(binding.user_id, set()).add(sid)
        self._arm(sid, binding)

    def unbind(self, sid: str) -> SocketBinding | None:
        """Forget ``sid`` (it disconnected) and cancel its timer."""
        binding = self._bindings.pop(sid, None)
        if binding is None:
            return None
        self._cancel(binding)
        sockets = self._by_user.get(binding.user_id)
        if sockets is not None:
            sockets.discard(sid)
            if not sockets:
                del self._by_user[binding.user_id]
        return binding

    def covered_by(self, event: TokensRevoked) -> list[str]:
        """Mark and return the sockets ``event`` revokes (only that user's are looked at)."""
        self.revocations_seen += 1
        hit = [
            sid
            for sid in self._by_user.get(event.user_id, ())
            if self._bindings[sid].covered_by(event)
        ]
        for sid in hit:
            self._bindings[sid].ended = True
        return hit

    def _arm(self, sid: str, binding: SocketBinding) -> None:
        loop = asyncio.get_running_loop()
        delay = (binding.expires_at - self._clock()).total_seconds()
        binding.timer = loop.call_at(loop.time() + max(delay, 0.0), self._on_deadline, sid)

    @staticmethod
    def _cancel(binding: SocketBinding) -> None:
        if binding.timer is not None:
            binding.timer.cancel()
            binding.timer = None
