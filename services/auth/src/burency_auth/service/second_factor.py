"""Second-factor checks for sensitive actions of other services (e.g. a withdrawal).

Another service asks whether the code a user typed is their current TOTP code (or an
unused recovery code). The answer uses exactly the rules of sign-in: a code is
accepted once per time step (``TOTP_REUSED`` after that), a recovery code once, and
failures count towards the same per-account throttle as failed sign-ins, so a stolen
session cannot brute-force the 6-digit code through withdrawal attempts.
"""

from __future__ import annotations

from burency_auth.adapters import users_repo
from burency_auth.domain.errors import account_disabled, not_found, wrong_state
from burency_auth.domain.onetime import account_key
from burency_auth.service.context import AuthContext
from burency_auth.service.throttle import check_throttle, record_failure
from burency_auth.service.totp import check_second_factor
from burency_common.errors import BurencyError

__all__ = ["verify_second_factor"]

_FAILURES = ("TOTP_INVALID", "TOTP_REUSED")


async def verify_second_factor(ctx: AuthContext, *, user_id: str, code: str, ip: str) -> None:
    """Accept ``code`` for ``user_id`` (consuming it) or raise.

    404 ``USER_NOT_FOUND``, 403 ``ACCOUNT_DISABLED``, 409 ``TOTP_NOT_ENABLED``,
    429 ``LOGIN_THROTTLED``, 403 ``TOTP_REQUIRED`` / ``TOTP_INVALID`` / ``TOTP_REUSED``.
    """
    async with ctx.transaction() as db:
        user = await users_repo.get_user(db, user_id)
    if user is None:
        raise not_found("user", "USER_NOT_FOUND")
    if user.disabled_at is not None:
        raise account_disabled()
    if not user.totp_enabled:
        raise wrong_state("two-factor authentication is not enabled", "TOTP_NOT_ENABLED")
    key = account_key(user.email)
    await check_throttle(ctx, key=key, ip=ip)
    try:
        async with ctx.transaction() as db:
            await check_second_factor(ctx, db, user=user, code=code, now=ctx.clock.now())
    except BurencyError as exc:
        if exc.code in _FAILURES:
            await record_failure(ctx, key=key, ip=ip)
        raise
