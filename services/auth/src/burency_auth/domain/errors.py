"""The auth service's client-visible errors, each with its stable ``code``.

Built on :mod:`burency_common.errors` (pure: no web framework). Messages are fixed
sentences: they never echo a password, token, code or whether an e-mail exists.
"""

from __future__ import annotations

from burency_common.errors import (
    BadRequest,
    Conflict,
    NotFound,
    PermissionDenied,
    RateLimited,
    Unauthenticated,
    ValidationFailed,
)

__all__ = [
    "account_disabled",
    "invalid_credentials",
    "invalid_field",
    "login_throttled",
    "not_found",
    "one_time_token_error",
    "refresh_error",
    "totp_error",
    "wrong_password",
    "wrong_state",
]


def invalid_credentials() -> Unauthenticated:
    return Unauthenticated("email or password is incorrect", code="INVALID_CREDENTIALS")


def account_disabled() -> PermissionDenied:
    return PermissionDenied("this account is disabled", code="ACCOUNT_DISABLED")


def login_throttled(retry_after: int) -> RateLimited:
    return RateLimited(
        "too many failed sign-in attempts; try again later",
        retry_after=retry_after,
        code="LOGIN_THROTTLED",
    )


_REFRESH_MESSAGES = {
    "REFRESH_TOKEN_INVALID": "refresh token is invalid",
    "REFRESH_TOKEN_EXPIRED": "refresh token has expired; sign in again",
    "REFRESH_TOKEN_REUSED": "refresh token was already used; the session has been revoked",
    "REFRESH_TOKEN_REVOKED": "the session of this refresh token has ended; sign in again",
}


def refresh_error(code: str) -> Unauthenticated:
    return Unauthenticated(_REFRESH_MESSAGES[code], code=code)


_TOTP_MESSAGES = {
    "TOTP_REQUIRED": "a two-factor code is required",
    "TOTP_INVALID": "the two-factor code is not valid",
    "TOTP_REUSED": "this two-factor code was already used; wait for the next one",
}


def totp_error(code: str) -> PermissionDenied:
    """403, everywhere: one status per code across services (banking refuses a
    withdrawal's code with the same 403). The caller has already proved who they are (a
    session, or the password at sign-in); only the extra factor is refused. A 401 would
    tell clients that their session ended, and they would sign the user out."""
    return PermissionDenied(_TOTP_MESSAGES[code], code=code)


_ONE_TIME_MESSAGES = {
    "INVALID_TOKEN": "the token is not valid",
    "TOKEN_ALREADY_USED": "the token was already used",
    # not TOKEN_EXPIRED: that is an expired *access* token (401, "refresh and retry");
    # one code has one status across services (tests/test_error_codes.py)
    "ONE_TIME_TOKEN_EXPIRED": "the link has expired; ask for a new one",
}


def one_time_token_error(code: str) -> BadRequest:
    return BadRequest(_ONE_TIME_MESSAGES[code], code=code)


def wrong_password() -> PermissionDenied:
    return PermissionDenied("the password is not correct", code="INVALID_PASSWORD")


def not_found(what: str, code: str) -> NotFound:
    return NotFound(f"{what} not found", code=code)


def wrong_state(detail: str, code: str) -> Conflict:
    return Conflict(detail, code=code)


def invalid_field(field: str, code: str, message: str) -> ValidationFailed:
    return ValidationFailed(
        f"{field} is invalid",
        code=code,
        details=[{"field": field, "message": message, "code": code}],
    )
