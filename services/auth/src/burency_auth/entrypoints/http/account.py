"""Endpoints of a signed-in user (identity from the gateway-signed header)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from burency_auth.entrypoints.http.deps import Ctx, CurrentIdentity, Meta
from burency_auth.entrypoints.http.schemas import (
    CodeIn,
    DisableTotpIn,
    LogoutAllOut,
    MeOut,
    PasswordChangeIn,
    RecoveryCodesOut,
    SessionOut,
    SessionsOut,
    TotpEnrollOut,
    problems,
)
from burency_auth.service import admin, passwords, sessions, totp
from burency_auth.service.sessions import SessionView
from burency_common.permissions import permissions_of
from burency_common.timeutil import to_iso_ms

__all__ = ["account_router"]

SessionId = Annotated[str, Path(max_length=64)]
_NO_CONTENT = status.HTTP_204_NO_CONTENT


def _session_out(view: SessionView) -> SessionOut:
    return SessionOut(
        id=view.id,
        device=view.device,
        ip=view.ip,
        created_at=to_iso_ms(view.created_at),
        last_used_at=to_iso_ms(view.last_used_at),
        current=view.current,
    )


async def logout(ctx: Ctx, identity: CurrentIdentity) -> None:
    await sessions.logout(ctx, user_id=identity.user_id, session_id=identity.session_id)


async def logout_all(ctx: Ctx, identity: CurrentIdentity) -> LogoutAllOut:
    ended = await sessions.logout_all(ctx, user_id=identity.user_id)
    return LogoutAllOut(revoked_sessions=ended)


async def list_sessions(ctx: Ctx, identity: CurrentIdentity) -> SessionsOut:
    views = await sessions.list_sessions(
        ctx, user_id=identity.user_id, current_session_id=identity.session_id
    )
    return SessionsOut(items=[_session_out(v) for v in views])


async def end_session(ctx: Ctx, identity: CurrentIdentity, session_id: SessionId) -> None:
    await sessions.revoke_own_session(ctx, user_id=identity.user_id, session_id=session_id)


async def change_password(
    body: PasswordChangeIn, ctx: Ctx, identity: CurrentIdentity, meta: Meta
) -> None:
    await passwords.change_password(
        ctx,
        user_id=identity.user_id,
        session_id=identity.session_id,
        current_password=body.current_password,
        new_password=body.new_password,
        meta=meta,
    )


async def enroll(ctx: Ctx, identity: CurrentIdentity) -> TotpEnrollOut:
    enrollment = await totp.enroll_totp(ctx, user_id=identity.user_id)
    return TotpEnrollOut(secret=enrollment.secret, otpauth_uri=enrollment.otpauth_uri)


async def confirm(body: CodeIn, ctx: Ctx, identity: CurrentIdentity) -> RecoveryCodesOut:
    codes = await totp.confirm_totp(ctx, user_id=identity.user_id, code=body.code)
    return RecoveryCodesOut(recovery_codes=codes)


async def disable(body: DisableTotpIn, ctx: Ctx, identity: CurrentIdentity, meta: Meta) -> None:
    await totp.disable_totp(
        ctx, user_id=identity.user_id, password=body.password, code=body.code, meta=meta
    )


async def me(ctx: Ctx, identity: CurrentIdentity) -> MeOut:
    user = await admin.own_account(ctx, identity.user_id)
    return MeOut(
        id=user.id,
        email=user.email,
        roles=sorted(user.roles),
        created_at=to_iso_ms(user.created_at),
        email_verified=user.email_verified_at is not None,
        totp_enabled=user.totp_enabled,
        # what this credential may do now: its signed roles (a role granted since the
        # token was issued counts after a refresh); a key gets none (require_permission)
        permissions=sorted(permissions_of(identity.roles)) if identity.auth_method == "jwt" else [],
    )


def account_router() -> APIRouter:
    router = APIRouter(tags=["account"], responses=problems(401, 422))
    add = router.add_api_route
    add("/v1/me", me, methods=["GET"], responses=problems(404), summary="My account")
    add("/v1/logout", logout, methods=["POST"], status_code=_NO_CONTENT, summary="End this session")
    add("/v1/logout-all", logout_all, methods=["POST"], summary="End every session")
    add("/v1/sessions", list_sessions, methods=["GET"], summary="This account's active sessions")
    add(
        "/v1/sessions/{session_id}",
        end_session,
        methods=["DELETE"],
        status_code=_NO_CONTENT,
        responses=problems(404),
        summary="End one of this account's sessions",
    )
    add(
        "/v1/password",
        change_password,
        methods=["POST"],
        status_code=_NO_CONTENT,
        responses=problems(403, 404, 429),
        summary="Change the password; ends every other session",
    )
    add(
        "/v1/2fa/enroll",
        enroll,
        methods=["POST"],
        responses=problems(404, 409),
        summary="Start TOTP enrolment: the secret is shown this once",
    )
    add(
        "/v1/2fa/confirm",
        confirm,
        methods=["POST"],
        responses=problems(403, 404, 409),  # 403: TOTP_INVALID
        summary="Enable TOTP with a first code; returns 10 single-use recovery codes",
    )
    add(
        "/v1/2fa/disable",
        disable,
        methods=["POST"],
        status_code=_NO_CONTENT,
        responses=problems(403, 404, 409, 429),
        summary="Turn TOTP off (password and a current code required)",
    )
    return router
