"""The HTTP side of ``Idempotency-Key`` handling: the shared header dependency and
replayed response (:mod:`burency_common.idempotency.http`), and :func:`idempotent`, the
service call answered over HTTP (the service side is
:mod:`burency_banking.service.idempotency`; its docstring has the rules)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection

from burency_banking.service import idempotency as service
from burency_banking.service.context import BankingContext
from burency_common.idempotency.http import (
    REPLAYED_HEADER,
    IdempotencyKey,
    require_idempotency_key,
)
from burency_common.idempotency.http import answer_response as respond

__all__ = [
    "REPLAYED_HEADER",
    "IdempotencyKey",
    "idempotent",
    "require_idempotency_key",
    "respond",
]


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
