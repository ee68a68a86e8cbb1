"""API-key endpoints: the owner's ``/v1/api-keys`` and the gateway's internal verify call.

``router`` is for signed-in users (through the gateway, like every account route);
``internal_router`` serves ``POST /internal/v1/api-keys/verify`` (docs/api-keys.md)
to the gateway only, which proves who it is with a signed ``X-Burency-Identity``.
The gateway must not route client requests to ``/internal/*``; the identity check
below holds even if it does.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request, Response, status
from pydantic import ConfigDict, Field, StrictInt, StrictStr, ValidationError

from burency_auth.entrypoints.http.deps import Ctx, CurrentIdentity, Meta
from burency_auth.entrypoints.http.schemas import problems
from burency_auth.service import apikeys
from burency_auth.service.apikeys import ApiKeyView
from burency_common.api import ApiModel
from burency_common.apikeys import DEFAULT_RECV_WINDOW_MS, SignedRequest
from burency_common.errors import BadRequest, PermissionDenied, Unauthenticated
from burency_common.identity import Identity, identity_from_request
from burency_common.timeutil import to_iso_ms

__all__ = [
    "GATEWAY_SERVICE_USER",
    "VERIFY_PATH",
    "api_keys_router",
    "internal_api_keys_router",
    "internal_router",
    "router",
]

VERIFY_PATH = "/internal/v1/api-keys/verify"
GATEWAY_SERVICE_USER = "service:gateway"
_SERVICE_ROLE = "service"
_MAX_VERIFY_BODY = 4 * 1024 * 1024  # base64 of a request body the gateway already bounded

Scope = Literal["read", "trade", "withdraw"]
AllowEntry = Annotated[str, Field(min_length=1, max_length=64)]


class ApiKeyCreateIn(ApiModel):
    label: str = Field(min_length=1, max_length=apikeys.MAX_LABEL_LENGTH)
    scopes: list[Scope] = Field(min_length=1, max_length=3)
    ip_allow_list: list[AllowEntry] = Field(
        default_factory=list, max_length=apikeys.MAX_ALLOW_LIST_ENTRIES
    )
    totp_code: str | None = Field(default=None, max_length=64)


class ApiKeyOut(ApiModel):
    id: str
    label: str
    scopes: list[str]
    ip_allow_list: list[str]
    created_at: str
    last_used_at: str | None = None


class ApiKeyCreatedOut(ApiModel):
    id: str
    label: str
    scopes: list[str]
    ip_allow_list: list[str]
    created_at: str
    secret: str = Field(description="the HMAC secret: shown this once, store it now")


class ApiKeysOut(ApiModel):
    items: list[ApiKeyOut]


class VerifyIn(ApiModel):
    """The gateway's question. Unknown fields are ignored so the gateway can add some."""

    model_config = ConfigDict(extra="ignore")

    api_key: StrictStr = Field(max_length=256)
    payload: StrictStr
    signature: StrictStr = Field(max_length=256)
    timestamp: StrictInt
    recv_window: StrictInt = DEFAULT_RECV_WINDOW_MS
    ip: StrictStr | None = Field(default=None, max_length=64)
    method: StrictStr = Field(default="", max_length=16)
    path: StrictStr = Field(default="", max_length=2048)


class VerifyOut(ApiModel):
    user_id: str
    roles: list[str]
    scopes: list[str]
    key_id: str
    email_verified: bool = Field(
        default=False, description="the owner's address is verified (as of this request)"
    )


def _out(key: ApiKeyView) -> ApiKeyOut:
    return ApiKeyOut(
        id=key.id,
        label=key.label,
        scopes=list(key.scopes),
        ip_allow_list=list(key.ip_allow_list),
        created_at=to_iso_ms(key.created_at),
        last_used_at=to_iso_ms(key.last_used_at) if key.last_used_at else None,
    )


def _session_user(identity: Identity) -> str:
    """Keys are managed from a signed-in session only: a leaked key must not mint keys."""
    if identity.auth_method != "jwt":
        raise PermissionDenied(
            "API keys are managed from a signed-in session", code="SESSION_REQUIRED"
        )
    return identity.user_id


def api_keys_router() -> APIRouter:
    router = APIRouter(tags=["api-keys"], responses=problems(401, 403, 422))

    @router.post(
        "/v1/api-keys",
        status_code=status.HTTP_201_CREATED,
        responses=problems(404, 409),
        summary="Create an API key: the secret is shown this once",
    )
    async def create(
        body: ApiKeyCreateIn, ctx: Ctx, identity: CurrentIdentity, meta: Meta, response: Response
    ) -> ApiKeyCreatedOut:
        created = await apikeys.create_api_key(
            ctx,
            user_id=_session_user(identity),
            label=body.label,
            scopes=body.scopes,
            ip_allow_list=body.ip_allow_list,
            totp_code=body.totp_code,
            meta=meta,
        )
        response.headers["Cache-Control"] = "no-store"
        return ApiKeyCreatedOut(
            id=created.id,
            label=created.label,
            scopes=list(created.scopes),
            ip_allow_list=list(created.ip_allow_list),
            created_at=to_iso_ms(created.created_at),
            secret=created.secret,
        )

    @router.get("/v1/api-keys", summary="This account's active API keys (never their secrets)")
    async def list_keys(ctx: Ctx, identity: CurrentIdentity) -> ApiKeysOut:
        keys = await apikeys.list_api_keys(ctx, user_id=_session_user(identity))
        return ApiKeysOut(items=[_out(key) for key in keys])

    @router.delete(
        "/v1/api-keys/{key_id}",
        status_code=status.HTTP_204_NO_CONTENT,
        responses=problems(404),
        summary="Revoke one of this account's API keys (idempotent)",
    )
    async def revoke(
        ctx: Ctx, identity: CurrentIdentity, meta: Meta, key_id: str = Path(max_length=128)
    ) -> None:
        await apikeys.revoke_api_key(ctx, user_id=_session_user(identity), key_id=key_id, meta=meta)

    return router


def _require_gateway(request: Request) -> None:
    """Step 1 of the contract: a fresh, valid identity of ``service:gateway`` with ``service``."""
    caller = identity_from_request(request)
    if caller is None:
        raise Unauthenticated(code="INVALID_IDENTITY_HEADER")
    if caller.user_id != GATEWAY_SERVICE_USER or _SERVICE_ROLE not in caller.roles:
        raise PermissionDenied(code="NOT_THE_GATEWAY")


async def _verify_input(request: Request) -> VerifyIn:
    raw = await request.body()
    try:
        if len(raw) > _MAX_VERIFY_BODY:
            raise ValueError("too large")
        return VerifyIn.model_validate_json(raw)
    except (ValidationError, ValueError):
        # A malformed internal call is a gateway bug, not a client error: the gateway
        # turns any non-API_KEY_* refusal into a 503. Nothing of the body is echoed.
        raise BadRequest("malformed verification request", code="INVALID_VERIFY_REQUEST") from None


def _signed(body: VerifyIn) -> SignedRequest:
    try:
        payload = base64.b64decode(body.payload, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest(code="PAYLOAD_NOT_BASE64") from None
    # SignedRequest re-validates signature, timestamp and recvWindow (API_KEY_* errors).
    return SignedRequest(payload, body.signature, body.timestamp, body.recv_window)


def internal_api_keys_router() -> APIRouter:
    router = APIRouter(tags=["internal"])

    @router.post(
        VERIFY_PATH,
        responses=problems(400, 401, 403),
        summary="Gateway only: verify an API-key signed request, answer its owner",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": VerifyIn.model_json_schema()}},
            }
        },
    )
    async def verify(request: Request, ctx: Ctx) -> VerifyOut:
        _require_gateway(request)  # before reading the body: strangers learn nothing
        body = await _verify_input(request)
        owner = await apikeys.verify_api_key_request(
            ctx, api_key=body.api_key, signed=_signed(body), ip=body.ip
        )
        return VerifyOut(
            user_id=owner.user_id,
            roles=sorted(owner.roles),
            scopes=list(owner.scopes),
            key_id=body.api_key,
            email_verified=owner.email_verified,
        )

    return router


router = api_keys_router()
internal_router = internal_api_keys_router()
