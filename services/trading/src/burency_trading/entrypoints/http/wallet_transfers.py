"""``POST /v1/transfers/funding``: move money from my spot (trading) wallet to my funding
wallet (the trading → funding leg of the ``wallet.transfer.*`` saga).

The engine debits the spot wallet at once (journaled before the answer); banking then
credits the funding wallet and the transfer shows ``completed`` in ``GET /v1/transfers``
(or, refused by banking, the money comes back to the spot wallet). The
``Idempotency-Key`` is required and names the transfer: the same key again is the same
transfer (answered again, never moved twice).
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Header
from pydantic import Field

from burency_common.api import ApiModel
from burency_common.errors import BadRequest
from burency_common.money import AmountError, format_amount, parse_amount
from burency_common.web.openapi import problem_responses
from burency_trading.entrypoints.http.deps import TRADER, Ctx, CurrentIdentity
from burency_trading.service import saga
from burency_trading.service.errors import amount_error, rejected

__all__ = ["wallet_transfers_router"]

_KEY = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


class FundingTransferIn(ApiModel):
    asset: str = Field(pattern=r"^[A-Z0-9]{2,10}$", examples=["BTC"])
    amount: str = Field(pattern=r"^[0-9]+(\.[0-9]+)?$", max_length=64, examples=["0.25"])


class FundingTransferOut(ApiModel):
    id: str
    direction: str = "trading_to_funding"
    status: str = Field(description="pending: taken from the spot wallet, sent to funding")
    asset: str
    amount: str
    replayed: bool = Field(description="true when this Idempotency-Key was used before")


def wallet_transfers_router() -> APIRouter:
    router = APIRouter(prefix="/v1/transfers", tags=["transfers"])

    @router.post(
        "/funding",
        status_code=202,
        response_model=FundingTransferOut,
        dependencies=TRADER,
        summary="Move money from my spot wallet to my funding wallet",
        responses=problem_responses(400, 401, 403, 409, 422, 503),
    )
    async def to_funding(
        body: FundingTransferIn,
        ctx: Ctx,
        who: CurrentIdentity,
        idempotency_key: Annotated[str, Header(alias="Idempotency-Key")],
    ) -> FundingTransferOut:
        if not _KEY.fullmatch(idempotency_key):
            raise BadRequest("Idempotency-Key must be 1..64 of A-Z a-z 0-9 _ . : -",
                             code="INVALID_IDEMPOTENCY_KEY")  # fmt: skip
        if body.asset not in ctx.assets:
            raise rejected("UNKNOWN_ASSET", f"{body.asset} is not an asset of this exchange")
        scale = ctx.assets.get(body.asset).scale
        try:
            amount = parse_amount(body.amount, scale)
        except AmountError as exc:
            raise amount_error(exc, "amount") from None
        applied = await saga.start_to_funding(
            ctx.engine, user_id=who.user_id, key=idempotency_key, asset=body.asset, amount=amount
        )
        if applied.reason:
            raise rejected(applied.reason)
        return FundingTransferOut(
            id=applied.transfer_id,
            status="pending",
            asset=applied.asset,
            amount=format_amount(applied.amount, scale),
            replayed=applied.replayed,
        )

    return router
