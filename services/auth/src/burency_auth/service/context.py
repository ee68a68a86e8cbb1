"""What every use case needs: settings, a unit of work, keys, hasher, clock, events.

Use cases are keyword-only async functions taking an :class:`AuthContext`. They
open one transaction (``async with ctx.transaction() as db``), write state and the
events announcing it to the outbox in it, and wake the relay after the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from burency_auth.adapters.crypto import Sealer
from burency_auth.adapters.hasher import Argon2Hasher
from burency_auth.adapters.orm import outbox as outbox_table
from burency_auth.settings import AuthSettings
from burency_common.events import EventRegistry
from burency_common.events.auth import AUTH_TOKENS_REVOKED, TokensRevoked
from burency_common.outbox import Outbox
from burency_common.timeutil import Clock
from burency_common.tokens import KeyRing, SigningKey
from burency_common.unit_of_work import SessionUnitOfWork

__all__ = ["AuthContext", "KeyRingHolder", "RequestMeta"]


class KeyRingHolder:
    """One mutable reference to the immutable :class:`KeyRing` (rotation swaps it)."""

    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring

    def rotate(self, new_key: SigningKey) -> KeyRing:
        self.ring = self.ring.rotate(new_key)
        return self.ring

    def __call__(self, kid: str) -> Ed25519PublicKey | None:
        """A :data:`~burency_common.tokens.KeyResolver` that follows rotations."""
        return self.ring.resolve(kid)


@dataclass(frozen=True)
class RequestMeta:
    """Where a request came from: for sessions, throttling and the audit log."""

    ip: str = "unknown"
    device: str = "unknown"
    request_id: str | None = None


@dataclass
class AuthContext(SessionUnitOfWork):
    settings: AuthSettings
    sessions: async_sessionmaker[AsyncSession]
    keys: KeyRingHolder
    hasher: Argon2Hasher
    data_sealer: Sealer
    clock: Clock
    registry: EventRegistry
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    outbox: Outbox = field(init=False)
    """``emit`` events and ``notify`` users in a transaction (``ctx.outbox.notify(db, ...)``)."""

    def __post_init__(self) -> None:
        self.outbox = Outbox(producer="auth", registry=self.registry, table=outbox_table)

    async def announce_revocation(
        self,
        db: AsyncSession,
        *,
        user_id: str,
        reason: str,
        session_id: str | None = None,
        all_sessions: bool = False,
    ) -> None:
        """Tell every gateway to refuse access tokens of a session, or all of a user's."""
        now = self.clock.now()
        payload = TokensRevoked(
            user_id=user_id,
            session_id=session_id,
            issued_before=now if all_sessions else None,
            expires_at=now + self.settings.access_ttl,
            reason=reason,
        )
        await self.outbox.emit(db, payload, event_type=AUTH_TOKENS_REVOKED)
