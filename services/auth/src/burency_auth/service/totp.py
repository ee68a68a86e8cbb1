"""TOTP two-factor authentication: enrolment, confirmation, disabling, checking.

The secret is shown once (at enrolment) and stored AES-GCM encrypted under the
service's data key; it is never returned again. Confirming with a first valid code
enables 2FA and returns 10 single-use recovery codes (stored as SHA-256).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from burency_auth.adapters import one_time_repo, users_repo
from burency_auth.adapters.users_repo import UserRecord
from burency_auth.domain import totp as rules
from burency_auth.domain.errors import not_found, totp_error, wrong_state
from burency_auth.service.context import AuthContext, RequestMeta
from burency_auth.service.passwords import reauthenticate

__all__ = ["Enrollment", "check_second_factor", "confirm_totp", "disable_totp", "enroll_totp"]

_PURPOSE = "totp-secret"


@dataclass(frozen=True)
class Enrollment:
    secret: str
    otpauth_uri: str


async def _user(db: AsyncSession, user_id: str) -> UserRecord:
    user = await users_repo.get_user(db, user_id)
    if user is None:
        raise not_found("user", "USER_NOT_FOUND")
    return user


def _secret(ctx: AuthContext, sealed: bytes) -> str:
    return ctx.data_sealer.open(sealed, purpose=_PURPOSE).decode()


async def enroll_totp(ctx: AuthContext, *, user_id: str) -> Enrollment:
    """Start (or restart) enrolment; 409 ``TOTP_ALREADY_ENABLED`` if 2FA is on."""
    async with ctx.transaction() as db:
        user = await _user(db, user_id)
        if user.totp_enabled:
            raise wrong_state(
                "two-factor authentication is already enabled", "TOTP_ALREADY_ENABLED"
            )
        secret = rules.new_totp_secret()
        sealed = ctx.data_sealer.seal(secret.encode(), purpose=_PURPOSE)
        await users_repo.update_user(db, user_id, totp_pending_secret=sealed)
    uri = rules.provisioning_uri(secret, account=user.email, issuer=ctx.settings.totp_issuer)
    return Enrollment(secret=secret, otpauth_uri=uri)


async def confirm_totp(ctx: AuthContext, *, user_id: str, code: str) -> list[str]:
    """Enable 2FA with a first valid code; returns the recovery codes (shown once)."""
    now = ctx.clock.now()
    async with ctx.transaction() as db:
        user = await _user(db, user_id)
        if user.totp_enabled:
            raise wrong_state(
                "two-factor authentication is already enabled", "TOTP_ALREADY_ENABLED"
            )
        if user.totp_pending_secret is None:
            raise wrong_state("start enrolment first", "TOTP_NOT_ENROLLED")
        secret = _secret(ctx, user.totp_pending_secret)
        step = rules.accept_totp(secret, code, now=now, last_step=user.totp_last_step)
        codes = rules.new_recovery_codes()
        await users_repo.update_user(
            db,
            user_id,
            totp_secret=user.totp_pending_secret,
            totp_pending_secret=None,
            totp_enabled_at=now,
            totp_last_step=step,
        )
        await one_time_repo.replace_recovery_codes(
            db, user_id, [rules.hash_recovery_code(c) for c in codes], now=now
        )
        await ctx.outbox.notify(db, user_id=user_id, event="auth.2fa_enabled", data={})
    return codes


async def disable_totp(
    ctx: AuthContext, *, user_id: str, password: str, code: str, meta: RequestMeta
) -> None:
    """Turn 2FA off; needs the password and a current code (or a recovery code)."""
    now = ctx.clock.now()
    async with ctx.transaction() as db:
        user = await _user(db, user_id)
    if not user.totp_enabled:
        raise wrong_state("two-factor authentication is not enabled", "TOTP_NOT_ENABLED")
    await reauthenticate(ctx, user=user, password=password, meta=meta)
    async with ctx.transaction() as db:
        await check_second_factor(ctx, db, user=user, code=code, now=now)
        await users_repo.update_user(
            db, user_id, totp_secret=None, totp_pending_secret=None, totp_enabled_at=None
        )
        await one_time_repo.replace_recovery_codes(db, user_id, [], now=now)
        await ctx.outbox.notify(db, user_id=user_id, event="auth.2fa_disabled", data={})


async def check_second_factor(
    ctx: AuthContext, db: AsyncSession, *, user: UserRecord, code: str | None, now: datetime
) -> None:
    """Accept a TOTP code once (per time step) or an unused recovery code; raise otherwise."""
    if not code:
        raise totp_error("TOTP_REQUIRED")
    code = code.strip()
    if not rules.is_totp_code(code):
        if await one_time_repo.claim_recovery_code(
            db, user.id, rules.hash_recovery_code(code), now=now
        ):
            return
        raise totp_error("TOTP_INVALID")
    assert user.totp_secret is not None
    step = rules.accept_totp(
        _secret(ctx, user.totp_secret), code, now=now, last_step=user.totp_last_step
    )
    if not await users_repo.claim_totp_step(db, user.id, step):
        raise totp_error("TOTP_REUSED")
