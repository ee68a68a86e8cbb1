"""Client-visible errors of the money flows, each with its stable ``code``.

==================================  ====  ==========================================
code                                HTTP  when
==================================  ====  ==========================================
UNKNOWN_ASSET                       422   the deployment has no such asset
UNSUPPORTED_ASSET                   422   a known asset the flow does not handle
UNSUPPORTED_NETWORK                 422   no such network for the asset
INVALID_ADDRESS / INVALID_IBAN      422   the destination fails validation
BELOW_MINIMUM                       422   amount under the network's minimum
WITHDRAWAL_LIMIT_EXCEEDED           409   over the daily/monthly limit of the KYC level
TOTP_INVALID / TOTP_REUSED /        403   the 2FA code was refused by auth (auth's
TOTP_REQUIRED                             own status for these codes, too)
TOTP_NOT_ENABLED                    409   2FA is off: enable it before withdrawing
TOTP_THROTTLED                      429   too many wrong 2FA codes
AUTH_UNAVAILABLE                    503   auth could not be asked
DEPOSIT_NOT_FOUND / WITHDRAWAL_...  404   no such object (or not yours)
DEPOSIT_NOT_PENDING                 409   the deposit was already decided
WITHDRAWAL_NOT_CANCELLABLE etc.     409   the withdrawal is past that state
==================================  ====  ==========================================
"""

from __future__ import annotations

from burency_common.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServiceUnavailable,
    ValidationFailed,
)

__all__ = [
    "AuthUnavailable",
    "NotPending",
    "ObjectNotFound",
    "SecondFactorNotEnabled",
    "SecondFactorRefused",
    "SecondFactorThrottled",
    "invalid",
    "limit_exceeded",
]


def invalid(code: str, detail: str, field: str | None = None) -> ValidationFailed:
    details = [{"field": field, "code": code, "message": detail}] if field else None
    return ValidationFailed(detail, code=code, details=details)


def limit_exceeded(period: str) -> Conflict:
    return Conflict(
        f"this withdrawal would exceed your {period} limit for your verification level",
        code="WITHDRAWAL_LIMIT_EXCEEDED",
    )


class ObjectNotFound(NotFound):
    def __init__(self, what: str) -> None:
        super().__init__(f"{what} not found", code=f"{what.upper()}_NOT_FOUND")


class NotPending(Conflict):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail, code=code)


class SecondFactorRefused(PermissionDenied):
    default_code = "TOTP_INVALID"
    title = "Two-factor code refused"


class SecondFactorNotEnabled(Conflict):
    """409 like auth's: the account's state (2FA off), not the code, is in the way."""

    default_code = "TOTP_NOT_ENABLED"
    title = "Two-factor authentication not enabled"


class SecondFactorThrottled(RateLimited):
    default_code = "TOTP_THROTTLED"


class AuthUnavailable(ServiceUnavailable):
    default_code = "AUTH_UNAVAILABLE"
    title = "Auth service unavailable"
