"""Public endpoints (no identity needed): register, verify e-mail, log in, refresh,
password reset, JWKS. The gateway rate-limits each by its class."""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse

from burency_auth.entrypoints.http.deps import Ctx, Meta
from burency_auth.entrypoints.http.schemas import (
    AcceptedOut,
    EmailIn,
    LoginIn,
    PasswordResetConfirmIn,
    RefreshIn,
    RegisterIn,
    TokenIn,
    TokenOut,
    problems,
)
from burency_auth.service import passwords, registration
from burency_auth.service.login import login
from burency_auth.service.tokens import TokenPair, refresh_tokens
from burency_common.tokens import build_jwks

__all__ = ["public_router"]

_NO_STORE = {"Cache-Control": "no-store"}


def _tokens(pair: TokenPair) -> JSONResponse:
    body = TokenOut(
        access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in
    )
    return JSONResponse(body.model_dump(by_alias=True), headers=_NO_STORE)


async def register(body: RegisterIn, ctx: Ctx) -> AcceptedOut:
    await registration.register(
        ctx, email=body.email, password=body.password, referral_code=body.referral_code
    )
    return AcceptedOut(message="check your e-mail to verify your address")


async def verify_email(body: TokenIn, ctx: Ctx) -> AcceptedOut:
    await registration.verify_email(ctx, token=body.token)
    return AcceptedOut(message="e-mail address verified")


async def resend_verification(body: EmailIn, ctx: Ctx) -> AcceptedOut:
    await registration.resend_verification(ctx, email=body.email)
    return AcceptedOut(message="if the address awaits verification, a new link is on its way")


async def sign_in(body: LoginIn, ctx: Ctx, meta: Meta) -> JSONResponse:
    pair = await login(
        ctx, email=body.email, password=body.password, totp_code=body.totp_code, meta=meta
    )
    return _tokens(pair)


async def refresh(body: RefreshIn, ctx: Ctx) -> JSONResponse:
    return _tokens(await refresh_tokens(ctx, refresh_token=body.refresh_token))


async def request_reset(body: EmailIn, ctx: Ctx) -> AcceptedOut:
    await passwords.request_password_reset(ctx, email=body.email)
    return AcceptedOut(message="if the address belongs to an account, a link is on its way")


async def confirm_reset(body: PasswordResetConfirmIn, ctx: Ctx) -> None:
    await passwords.confirm_password_reset(ctx, token=body.token, new_password=body.new_password)


async def jwks(ctx: Ctx) -> JSONResponse:
    return JSONResponse(build_jwks(ctx.keys.ring), headers={"Cache-Control": "public, max-age=300"})


def public_router() -> APIRouter:
    router = APIRouter(tags=["auth"], responses=problems(400, 422))
    _add_account_routes(router)
    _add_session_routes(router)
    return router


def _add_account_routes(router: APIRouter) -> None:
    accepted = status.HTTP_202_ACCEPTED
    router.add_api_route(
        "/v1/register",
        register,
        methods=["POST"],
        status_code=accepted,
        summary="Create an account (the answer never reveals whether the e-mail exists)",
    )
    router.add_api_route(
        "/v1/email-verification", verify_email, methods=["POST"], summary="Verify an e-mail"
    )
    router.add_api_route(
        "/v1/email-verification/resend",
        resend_verification,
        methods=["POST"],
        status_code=accepted,
        summary="Send a new verification link (same answer for any address)",
    )
    router.add_api_route(
        "/v1/password-reset",
        request_reset,
        methods=["POST"],
        status_code=accepted,
        summary="E-mail a password reset link (same answer whether or not the account exists)",
    )
    router.add_api_route(
        "/v1/password-reset/confirm",
        confirm_reset,
        methods=["POST"],
        status_code=status.HTTP_204_NO_CONTENT,
        summary="Set a new password with a reset token; ends every session",
    )


def _add_session_routes(router: APIRouter) -> None:
    router.add_api_route(
        "/v1/login",
        sign_in,
        methods=["POST"],
        response_model=TokenOut,
        responses=problems(401, 403, 429),
        summary="Sign in; returns an access and a refresh token",
    )
    router.add_api_route(
        "/v1/token/refresh",
        refresh,
        methods=["POST"],
        response_model=TokenOut,
        responses=problems(401),
        summary="Rotate a refresh token; a reused one revokes its whole session",
    )
    router.add_api_route(
        "/.well-known/jwks.json", jwks, methods=["GET"], summary="Keys that verify access tokens"
    )
