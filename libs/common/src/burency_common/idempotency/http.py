"""``Idempotency-Key`` at the entrypoint: the header dependency and the replayed response.

Usage in a route::

    @router.post("/v1/things", status_code=201, response_model=ThingOut)
    async def create(body: ThingIn, key: IdempotencyKey, ctx: Ctx, who: CurrentIdentity):
        answer = await things.create(ctx, key=key, user_id=who.user_id, body=body)
        return answer_response(answer)

A missing header is ``400 IDEMPOTENCY_KEY_REQUIRED``, a malformed one ``400
INVALID_IDEMPOTENCY_KEY``; a replayed answer carries ``Idempotent-Replayed: true``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header
from fastapi.responses import JSONResponse

from burency_common.errors import BadRequest
from burency_common.idempotency.store import Answer

__all__ = [
    "MAX_KEY_CHARS",
    "REPLAYED_HEADER",
    "IdempotencyKey",
    "answer_response",
    "require_idempotency_key",
]

REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_CHARS = 128


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
    if not 1 <= len(key) <= MAX_KEY_CHARS or not all(33 <= ord(c) <= 126 for c in key):
        raise BadRequest(
            "Idempotency-Key must be 1..128 printable ASCII characters without spaces",
            code="INVALID_IDEMPOTENCY_KEY",
        )
    return key


IdempotencyKey = Annotated[str, Depends(require_idempotency_key)]
"""Route parameter type: ``key: IdempotencyKey`` (400 when missing or malformed)."""


def answer_response(answer: Answer) -> JSONResponse:
    """The HTTP response of an :class:`Answer` (marked when replayed)."""
    headers = {REPLAYED_HEADER: "true"} if answer.replayed else None
    return JSONResponse(answer.body, status_code=answer.status_code, headers=headers)
