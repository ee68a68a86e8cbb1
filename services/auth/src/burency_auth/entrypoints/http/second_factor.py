"""``POST /internal/v1/second-factor/verify``: other services check a user's 2FA code.

Internal only (the gateway never routes ``/internal/*``); the caller proves who it is
with a signed ``X-Burency-Identity`` of a known service account (``service:banking``)
holding the ``service`` role, checked before the body is read.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, status
from pydantic import Field, StrictStr

from burency_auth.entrypoints.http.deps import Ctx
from burency_auth.entrypoints.http.schemas import problems
from burency_auth.service.second_factor import verify_second_factor
from burency_common.api import ApiModel
from burency_common.errors import PermissionDenied, Unauthenticated
from burency_common.identity import identity_from_request

__all__ = ["SECOND_FACTOR_CALLERS", "SECOND_FACTOR_PATH", "second_factor_router"]

SECOND_FACTOR_PATH = "/internal/v1/second-factor/verify"
SECOND_FACTOR_CALLERS = frozenset({"service:banking"})
_SERVICE_ROLE = "service"


class SecondFactorIn(ApiModel):
    user_id: StrictStr = Field(min_length=1, max_length=128)
    code: StrictStr = Field(min_length=1, max_length=64)
    ip: StrictStr | None = Field(
        default=None, max_length=64, description="the end user's address, for throttling"
    )


def _require_service(request: Request) -> None:
    caller = identity_from_request(request)
    if caller is None:
        raise Unauthenticated(code="INVALID_IDENTITY_HEADER")
    if caller.user_id not in SECOND_FACTOR_CALLERS or _SERVICE_ROLE not in caller.roles:
        raise PermissionDenied(code="NOT_AN_ALLOWED_SERVICE")


def second_factor_router() -> APIRouter:
    router = APIRouter(tags=["internal"])

    @router.post(
        SECOND_FACTOR_PATH,
        status_code=status.HTTP_204_NO_CONTENT,
        responses=problems(401, 403, 404, 409, 422, 429),
        dependencies=[Depends(_require_service)],  # runs before the body is validated
        summary="Services only: accept a user's current 2FA code (once) for a sensitive action",
    )
    async def verify(body: SecondFactorIn, ctx: Ctx) -> None:
        await verify_second_factor(
            ctx, user_id=body.user_id, code=body.code, ip=body.ip or "internal"
        )

    return router
