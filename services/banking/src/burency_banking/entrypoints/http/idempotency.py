"""The HTTP side of ``Idempotency-Key`` handling: the header dependency and the
response of a stored or new answer (the service side, which stores answers, is
:mod:`burency_banking.service.idempotency`; its docstring has the rules)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any

from fastapi import Depends, Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection

from burency_banking.service import idempotency as service
from burency_banking.service.context import BankingContext
from burency_common.errors import BadRequest

__all__ = [
    "REPLAYED_HEADER",
    "IdempotencyKey",
    "idempotent",
    "require_idempotency_key",
    "respond",
]

REPLAYED_HEADER = "Idempotent-Replayed"
_MAX_KEY = 128


def require_idempotency_key(
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="required: 1..128 printable ASCII characters, unique per operation",
        ),
    ] = None,
) -> str:
    """FastAPI dependency: the validated ``Idempotency-Key`` header."""
    if idempotency_key is None:
        raise BadRequest("the Idempotency-Key header is required", code="IDEMPOTENCY_KEY_REQUIRED")
    key = idempotency_key
    if not 1 <= len(key) <= _MAX_KEY or not all(33 <= ord(c) <= 126 for c in key):
        raise BadRequest(
            "Idempotency-Key must be 1..128 printable ASCII characters without spaces",
            code="INVALID_IDEMPOTENCY_KEY",
        )
    return key


IdempotencyKey = Annotated[str, Depends(require_idempotency_key)]
"""Route parameter type: ``key: IdempotencyKey`` (400 when missing or malformed)."""


def respond(answer: service.Answer) -> JSONResponse:
    """The HTTP response of ``answer`` (a replay carries ``Idempotent-Replayed: true``)."""
    headers = {REPLAYED_HEADER: "true"} if answer.replayed else None
    return JSONResponse(answer.body, status_code=answer.status_code, headers=headers)


async def idempotent(
    ctx: BankingContext,
    key: str,
    *,
    user_id: str,
    scope: str,
    request: BaseModel | Mapping[str, Any],
    action: Callable[[AsyncConnection], Awaitable[BaseModel]],
    status_code: int = 201,
    replay_only: bool = False,
) -> JSONResponse:
    """:func:`burency_banking.service.idempotency.idempotent`, answered over HTTP."""
    answer = await service.idempotent(
        ctx, key, user_id=user_id, scope=scope, request=request, action=action,
        status_code=status_code, replay_only=replay_only,
    )  # fmt: skip
    return respond(answer)
