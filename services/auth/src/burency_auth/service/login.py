"""Signing in: throttling, password and second-factor checks, session creation.

Order of checks, chosen so the answers leak as little as possible:

1. throttling (per account+IP, then per account) - before any password work;
2. the password (unknown e-mail: a dummy argon2 verification, same 401);
3. only after a correct password: disabled account (403), then the second factor;
4. success: rehash if the argon2 parameters changed, new session, notification.

Failed passwords and failed second factors both count towards throttling, so a
stolen password does not allow brute-forcing the 6-digit code.
"""

from __future__ import annotations

from burency_auth.adapters import login_attempts_repo, users_repo
from burency_auth.adapters.users_repo import UserRecord
from burency_auth.domain.errors import account_disabled, invalid_credentials
from burency_auth.domain.onetime import account_key
from burency_auth.service.context import AuthContext, RequestMeta
from burency_auth.service.throttle import check_throttle, record_failure
from burency_auth.service.tokens import TokenPair, create_session
from burency_auth.service.totp import check_second_factor
from burency_common.errors import BurencyError

__all__ = ["login"]


async def _verified_user(ctx: AuthContext, *, email: str, password: str) -> UserRecord | None:
    async with ctx.transaction() as db:
        user = await users_repo.get_user_by_email_key(db, email.strip().casefold())
    if user is None:
        await ctx.hasher.dummy_verify(password)
        return None
    if not await ctx.hasher.verify(user.password_hash, password):
        return None
    return user


async def login(
    ctx: AuthContext,
    *,
    email: str,
    password: str,
    totp_code: str | None,
    meta: RequestMeta,
) -> TokenPair:
    """Check credentials and open a session; see the module docstring for the order."""
    key = account_key(email)
    await check_throttle(ctx, key=key, ip=meta.ip)
    user = await _verified_user(ctx, email=email, password=password)
    if user is None:
        await record_failure(ctx, key=key, ip=meta.ip)
        raise invalid_credentials()
    if user.disabled_at is not None:
        raise account_disabled()
    new_hash = (
        await ctx.hasher.hash(password) if ctx.hasher.needs_rehash(user.password_hash) else None
    )
    try:
        return await _open_session(
            ctx, user=user, key=key, totp_code=totp_code, meta=meta, new_hash=new_hash
        )
    except BurencyError as exc:
        if exc.code in ("TOTP_INVALID", "TOTP_REUSED"):
            await record_failure(ctx, key=key, ip=meta.ip)
        raise


async def _open_session(
    ctx: AuthContext,
    *,
    user: UserRecord,
    key: str,
    totp_code: str | None,
    meta: RequestMeta,
    new_hash: str | None,
) -> TokenPair:
    now = ctx.clock.now()
    async with ctx.transaction() as db:
        if user.totp_enabled:
            await check_second_factor(ctx, db, user=user, code=totp_code, now=now)
        if new_hash is not None:
            await users_repo.update_user(db, user.id, password_hash=new_hash)
        await login_attempts_repo.record_attempt(
            db, account_key=key, ip=meta.ip, now=now, succeeded=True
        )
        pair = await create_session(
            ctx,
            db,
            user_id=user.id,
            roles=user.roles,
            ip=meta.ip,
            device=meta.device,
            now=now,
            email_verified=user.email_verified_at is not None,
        )
        await ctx.outbox.notify(
            db,
            user_id=user.id,
            event="auth.new_login",
            data={"ip": meta.ip, "device": meta.device[:200], "sessionId": pair.session_id},
        )
    return pair
