"""Request and response bodies of the auth API (camelCase on the wire via ``ApiModel``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from burency_common.api import ApiModel
from burency_common.web.openapi import ProblemDocument as Problem
from burency_common.web.openapi import problem_responses as problems

__all__ = [
    "AcceptedOut",
    "AdminUserOut",
    "AuditEntryOut",
    "AuditPage",
    "CodeIn",
    "DisableTotpIn",
    "EmailIn",
    "LoginIn",
    "LogoutAllOut",
    "PasswordChangeIn",
    "PasswordResetConfirmIn",
    "Problem",
    "RecoveryCodesOut",
    "RefreshIn",
    "RegisterIn",
    "RoleIn",
    "SessionOut",
    "SessionsOut",
    "TokenIn",
    "TokenOut",
    "TotpEnrollOut",
    "UserLookupIn",
    "UsersFound",
    "UsersPage",
    "problems",
]

_Email = Field(min_length=1, max_length=320)
_Password = Field(min_length=1, max_length=1024)
_Token = Field(min_length=1, max_length=2048)


class RegisterIn(ApiModel):
    email: str = _Email
    password: str = _Password
    referral_code: str | None = Field(default=None, max_length=64)


class AcceptedOut(ApiModel):
    status: Literal["ACCEPTED"] = "ACCEPTED"
    message: str


class TokenIn(ApiModel):
    token: str = _Token


class LoginIn(ApiModel):
    email: str = _Email
    password: str = _Password
    totp_code: str | None = Field(default=None, max_length=64)


class TokenOut(ApiModel):
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the scheme name


class RefreshIn(ApiModel):
    refresh_token: str = _Token


class SessionOut(ApiModel):
    id: str
    device: str
    ip: str
    created_at: str
    last_used_at: str
    current: bool


class SessionsOut(ApiModel):
    items: list[SessionOut]


class LogoutAllOut(ApiModel):
    revoked_sessions: int


class PasswordChangeIn(ApiModel):
    current_password: str = _Password
    new_password: str = _Password


class EmailIn(ApiModel):
    email: str = _Email


class PasswordResetConfirmIn(ApiModel):
    token: str = _Token
    new_password: str = _Password


class TotpEnrollOut(ApiModel):
    secret: str
    otpauth_uri: str


class CodeIn(ApiModel):
    code: str = Field(min_length=1, max_length=64)


class RecoveryCodesOut(ApiModel):
    recovery_codes: list[str]


class DisableTotpIn(ApiModel):
    password: str = _Password
    code: str = Field(min_length=1, max_length=64)


class MeOut(ApiModel):
    """The signed-in user's own account, as the web app needs it (e.g. whether to lead
    them to 2FA before a withdrawal)."""

    id: str
    email: str
    roles: list[str]
    created_at: str
    email_verified: bool
    totp_enabled: bool
    permissions: list[str] = Field(
        description="what the caller's roles let them do (sorted; "
        "`burency_common.permissions`): the web app shows the staff pages that match. "
        "Empty for an API-key caller, which never gets staff permissions"
    )


class AdminUserOut(ApiModel):
    id: str
    email: str
    roles: list[str]
    created_at: str
    email_verified: bool
    disabled: bool
    totp_enabled: bool


class UsersPage(ApiModel):
    items: list[AdminUserOut]
    next_cursor: str | None = None


class UserLookupIn(ApiModel):
    ids: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        min_length=1, max_length=200, description="user ids (a page of a staff list)"
    )


class UsersFound(ApiModel):
    items: list[AdminUserOut] = Field(
        description="the accounts found, in the order asked; unknown ids are left out"
    )


class RoleIn(ApiModel):
    role: str = Field(min_length=1, max_length=32)


class AuditEntryOut(ApiModel):
    id: str
    actor_id: str | None
    action: str
    target: str | None
    details: dict[str, Any]
    ip: str | None
    request_id: str | None
    at: str


class AuditPage(ApiModel):
    items: list[AuditEntryOut]
    next_cursor: str | None = None
