"""Password-guessing throttling shared by every endpoint that checks a password.

Failures are rows in ``login_attempts`` keyed by (account, client IP): sign-in, the
password change and 2FA disabling all count towards the same limit, so a stolen
session cannot be used to guess the account's password either.
"""

from __future__ import annotations

from datetime import timedelta

from burency_auth.adapters import login_attempts_repo
from burency_auth.domain.errors import login_throttled
from burency_auth.domain.throttling import throttle_retry_after
from burency_auth.service.context import AuthContext
from burency_common.logging import get_logger

__all__ = ["check_throttle", "record_failure"]

_log = get_logger("burency.auth.security")
_KNOWN_IP_PERIOD = timedelta(days=30)


async def check_throttle(ctx: AuthContext, *, key: str, ip: str) -> None:
    """Raise 429 ``LOGIN_THROTTLED`` (with Retry-After) when too many recent failures."""
    settings = ctx.settings
    now = ctx.clock.now()
    async with ctx.transaction() as db:
        counts = await login_attempts_repo.failure_counts(
            db,
            account_key=key,
            ip=ip,
            since=now - settings.login_window,
            known_since=now - _KNOWN_IP_PERIOD,
        )
    retry_after = throttle_retry_after(
        counts,
        now=now,
        window=settings.login_window,
        max_per_ip=settings.login_max_failures_per_ip,
        max_per_account=settings.login_max_failures_per_account,
    )
    if retry_after is not None:
        _log.warning("security.login_throttled", ip=ip, failures_from_ip=counts.from_ip)
        raise login_throttled(retry_after)


async def record_failure(ctx: AuthContext, *, key: str, ip: str) -> None:
    async with ctx.transaction() as db:
        await login_attempts_repo.record_attempt(
            db, account_key=key, ip=ip, now=ctx.clock.now(), succeeded=False
        )
