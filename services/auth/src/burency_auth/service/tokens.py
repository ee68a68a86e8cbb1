"""Issuing token pairs, and the session and refresh-token use cases.

Access tokens are short Ed25519 JWTs (``typ=access``, ``sid`` = session id, roles,
``email_verified``). Every claim is read from the user's row when the token is issued,
at login and at each refresh, so a refresh after verifying the address carries
``email_verified: true`` (the gateway copies it into the signed identity).
Refresh tokens are opaque ``<id>.<secret>`` values stored as SHA-256; the session
(``family_id``) is their family. See :mod:`burency_auth.domain.refresh` for the
rotation rules, including the grace-window replay and reuse detection.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from burency_auth.adapters import sessions_repo, users_repo
from burency_auth.adapters.crypto import SealError, sealer_for_secret
from burency_auth.domain.errors import refresh_error
from burency_auth.domain.refresh import RefreshOutcome, RefreshState, decide_refresh
from burency_auth.service.context import AuthContext
from burency_common.logging import get_logger
from burency_common.tokens import (
    TokenMalformed,
    TokenType,
    issue_token,
    new_refresh_token,
    parse_refresh_token,
    refresh_secret_matches,
)

__all__ = ["TokenPair", "create_session", "issue_pair", "refresh_tokens"]

_log = get_logger("burency.auth.security")
_SEALED_PURPOSE = "refresh-successor"


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    session_id: str


def issue_access(
    ctx: AuthContext,
    *,
    user_id: str,
    roles: frozenset[str],
    session_id: str,
    now: datetime,
    email_verified: bool = False,
) -> str:
    settings = ctx.settings
    return issue_token(
        ctx.keys.ring,
        subject=user_id,
        token_type=TokenType.ACCESS,
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        ttl=settings.access_ttl,
        now=now,
        claims={"roles": sorted(roles), "sid": session_id, "email_verified": email_verified},
    )


def issue_pair(
    ctx: AuthContext,
    *,
    user_id: str,
    roles: frozenset[str],
    session_id: str,
    refresh_token: str,
    now: datetime,
    email_verified: bool = False,
) -> TokenPair:
    return TokenPair(
        access_token=issue_access(
            ctx,
            user_id=user_id,
            roles=roles,
            session_id=session_id,
            now=now,
            email_verified=email_verified,
        ),
        refresh_token=refresh_token,
        expires_in=ctx.settings.access_token_ttl_seconds,
        session_id=session_id,
    )


async def create_session(
    ctx: AuthContext,
    db: AsyncSession,
    *,
    user_id: str,
    roles: frozenset[str],
    ip: str,
    device: str,
    now: datetime,
    email_verified: bool = False,
) -> TokenPair:
    """Start a login session (a new refresh family) inside the caller's transaction."""
    material = new_refresh_token()
    session_id = material.family_id
    await sessions_repo.insert_session(
        db,
        session_id=session_id,
        user_id=user_id,
        device=device[:200],
        ip=ip[:64],
        now=now,
        expires_at=now + ctx.settings.refresh_absolute_ttl,
    )
    await sessions_repo.insert_refresh(
        db,
        token_id=material.token_id,
        family_id=session_id,
        secret_hash=material.secret_hash,
        now=now,
    )
    return issue_pair(
        ctx,
        user_id=user_id,
        roles=roles,
        session_id=session_id,
        refresh_token=material.token,
        now=now,
        email_verified=email_verified,
    )


async def refresh_tokens(ctx: AuthContext, *, refresh_token: str) -> TokenPair:
    """Rotate a refresh token (see the module docstring); one retry after a lost race."""
    try:
        token_id, secret = parse_refresh_token(refresh_token)
    except TokenMalformed:
        raise refresh_error("REFRESH_TOKEN_INVALID") from None
    for _ in range(3):
        pair = await _attempt_refresh(ctx, token_id=token_id, secret=secret)
        if pair is not None:
            return pair
    raise refresh_error("REFRESH_TOKEN_INVALID")


async def _attempt_refresh(ctx: AuthContext, *, token_id: str, secret: str) -> TokenPair | None:
    now = ctx.clock.now()
    reused: sessions_repo.RefreshRecord | None = None
    async with ctx.transaction() as db:
        record = await sessions_repo.get_refresh(db, token_id)
        if record is None or not refresh_secret_matches(secret, record.secret_hash):
            raise refresh_error("REFRESH_TOKEN_INVALID")
        outcome = await _classify(ctx, db, record, now=now)
        if outcome is RefreshOutcome.REVOKED:
            raise refresh_error("REFRESH_TOKEN_REVOKED")
        if outcome is RefreshOutcome.EXPIRED:
            raise refresh_error("REFRESH_TOKEN_EXPIRED")
        if outcome is RefreshOutcome.REPLAY:
            return _open_successor(record, secret)
        if outcome is RefreshOutcome.REUSED:
            await _revoke_family(ctx, db, record, now=now)
            reused = record
        else:
            pair = await _rotate(ctx, db, record, secret=secret, now=now)
            if pair is None:
                return None  # lost a race with a concurrent refresh: look again
            return pair
    _log.warning(
        "security.refresh_token_reused",
        session_id=reused.family_id,
        user_id=reused.session.user_id,
    )
    raise refresh_error("REFRESH_TOKEN_REUSED")


async def _classify(
    ctx: AuthContext, db: AsyncSession, record: sessions_repo.RefreshRecord, *, now: datetime
) -> RefreshOutcome:
    successor_free = record.successor_sealed is not None and (
        record.successor_id is None
        or not await sessions_repo.successor_rotated(db, record.successor_id)
    )
    state = RefreshState(
        session_expires_at=record.session.expires_at,
        session_last_used_at=record.session.last_used_at,
        session_revoked=record.session.revoked_at is not None,
        rotated_at=record.rotated_at,
        successor_available=successor_free,
    )
    settings = ctx.settings
    return decide_refresh(
        state, now=now, idle_timeout=settings.refresh_idle_timeout, grace=settings.refresh_grace
    )


def _open_successor(record: sessions_repo.RefreshRecord, secret: str) -> TokenPair:
    assert record.successor_sealed is not None
    try:
        raw = sealer_for_secret(secret).open(record.successor_sealed, purpose=_SEALED_PURPOSE)
    except SealError:
        raise refresh_error("REFRESH_TOKEN_INVALID") from None
    return TokenPair(**json.loads(raw))


async def _rotate(
    ctx: AuthContext,
    db: AsyncSession,
    record: sessions_repo.RefreshRecord,
    *,
    secret: str,
    now: datetime,
) -> TokenPair | None:
    user = await users_repo.get_user(db, record.session.user_id)
    if user is None or user.disabled_at is not None:
        raise refresh_error("REFRESH_TOKEN_REVOKED")
    material = new_refresh_token(record.family_id)
    pair = issue_pair(
        ctx,
        user_id=user.id,
        roles=user.roles,
        session_id=record.family_id,
        refresh_token=material.token,
        now=now,
        email_verified=user.email_verified_at is not None,  # today's state, not the login's
    )
    sealed = sealer_for_secret(secret).seal(
        json.dumps(asdict(pair)).encode(), purpose=_SEALED_PURPOSE
    )
    if not await sessions_repo.mark_rotated(
        db, token_id=record.id, successor_id=material.token_id, sealed=sealed, now=now
    ):
        return None
    await sessions_repo.insert_refresh(
        db,
        token_id=material.token_id,
        family_id=record.family_id,
        secret_hash=material.secret_hash,
        now=now,
    )
    await sessions_repo.touch_session(db, record.family_id, now=now)
    return pair


async def _revoke_family(
    ctx: AuthContext, db: AsyncSession, record: sessions_repo.RefreshRecord, *, now: datetime
) -> None:
    user_id = record.session.user_id
    await sessions_repo.revoke_session(db, record.family_id, reason="refresh_reuse", now=now)
    await ctx.announce_revocation(
        db, user_id=user_id, session_id=record.family_id, reason="refresh_reuse"
    )
    await ctx.outbox.notify(
        db, user_id=user_id, event="auth.session_revoked", data={"reason": "refresh_token_reuse"}
    )
