"""Changing and resetting passwords.

A change needs the current password and ends every *other* session (the device in
hand stays signed in). A reset is requested by e-mail address and always answers
the same (no account enumeration); its token is single-use, valid 30 minutes, and
confirming it ends *every* session.
"""

from __future__ import annotations

from datetime import timedelta

from burency_auth.adapters import one_time_repo, users_repo
from burency_auth.adapters.users_repo import UserRecord
from burency_auth.domain.errors import (
    invalid_field,
    not_found,
    one_time_token_error,
    wrong_password,
)
from burency_auth.domain.onetime import PASSWORD_RESET, account_key, hash_secret, new_secret
from burency_auth.service.context import AuthContext, RequestMeta
from burency_auth.service.sessions import end_all_sessions
from burency_auth.service.throttle import check_throttle, record_failure
from burency_common.validators import InvalidValue, validate_password

__all__ = [
    "change_password",
    "confirm_password_reset",
    "reauthenticate",
    "request_password_reset",
]


async def reauthenticate(
    ctx: AuthContext, *, user: UserRecord, password: str, meta: RequestMeta
) -> None:
    """Check a signed-in user's password again (throttled like sign-in); 403 if wrong."""
    key = account_key(user.email)
    await check_throttle(ctx, key=key, ip=meta.ip)
    if not await ctx.hasher.verify(user.password_hash, password):
        await record_failure(ctx, key=key, ip=meta.ip)
        raise wrong_password()


def _valid_new_password(password: str, email: str) -> str:
    try:
        return validate_password(password, user_inputs=[email])
    except InvalidValue as exc:
        raise invalid_field("newPassword", exc.code, exc.message) from None


async def change_password(
    ctx: AuthContext,
    *,
    user_id: str,
    session_id: str | None,
    current_password: str,
    new_password: str,
    meta: RequestMeta,
) -> None:
    async with ctx.transaction() as db:
        user = await users_repo.get_user(db, user_id)
    if user is None:
        raise not_found("user", "USER_NOT_FOUND")
    await reauthenticate(ctx, user=user, password=current_password, meta=meta)
    new_hash = await ctx.hasher.hash(_valid_new_password(new_password, user.email))
    async with ctx.transaction() as db:
        await users_repo.update_user(
            db, user_id, password_hash=new_hash, password_changed_at=ctx.clock.now()
        )
        await end_all_sessions(ctx, db, user_id=user_id, reason="password_changed", keep=session_id)
        await ctx.outbox.notify(db, user_id=user_id, event="auth.password_changed", data={})


async def request_password_reset(ctx: AuthContext, *, email: str) -> None:
    """E-mail a reset link if the address belongs to an active account; silent otherwise."""
    token = new_secret()
    async with ctx.transaction() as db:
        user = await users_repo.get_user_by_email_key(db, email.strip().casefold())
        if user is None or user.disabled_at is not None:
            return
        await one_time_repo.insert_one_time(
            db,
            token_hash=hash_secret(token),
            user_id=user.id,
            purpose=PASSWORD_RESET,
            now=ctx.clock.now(),
            ttl=timedelta(seconds=ctx.settings.password_reset_ttl_seconds),
        )
        base = ctx.settings.public_base_url.rstrip("/")
        await ctx.outbox.notify(
            db,
            user_id=user.id,
            event="auth.password_reset",
            # the link is the secret: only the e-mail channel renders it (catalogue
            # ``secrets``); the raw token is not sent beside it
            data={"url": f"{base}/reset-password?token={token}"},
        )


async def confirm_password_reset(ctx: AuthContext, *, token: str, new_password: str) -> None:
    """Set a new password with a reset token (once); ends every session of the account."""
    token_hash = hash_secret(token)
    now = ctx.clock.now()
    async with ctx.transaction() as db:
        record = await one_time_repo.get_one_time(db, token_hash, PASSWORD_RESET)
        user = None if record is None else await users_repo.get_user(db, record.user_id)
    if record is None or user is None:
        raise one_time_token_error("INVALID_TOKEN")
    if record.used_at is not None:
        raise one_time_token_error("TOKEN_ALREADY_USED")
    if now >= record.expires_at:
        raise one_time_token_error("ONE_TIME_TOKEN_EXPIRED")
    new_hash = await ctx.hasher.hash(_valid_new_password(new_password, user.email))
    async with ctx.transaction() as db:
        if not await one_time_repo.claim_one_time(db, token_hash, now=now):
            raise one_time_token_error("TOKEN_ALREADY_USED")
        await one_time_repo.expire_one_time(db, user.id, PASSWORD_RESET, now=now)
        await users_repo.update_user(db, user.id, password_hash=new_hash, password_changed_at=now)
        await end_all_sessions(ctx, db, user_id=user.id, reason="password_reset")
        await ctx.outbox.notify(db, user_id=user.id, event="auth.password_changed", data={})
