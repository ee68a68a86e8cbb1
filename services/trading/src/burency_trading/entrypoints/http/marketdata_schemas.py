"""Response bodies of the public market-data routes (Binance's field names and shapes).

The routes build plain dicts from memory and encode them once; these models document
them (OpenAPI) and the schemathesis test checks the answers against them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from burency_common.api import ApiModel

__all__ = [
    "BookTickerOut",
    "DepthOut",
    "ExchangeInfoOut",
    "Interval",
    "PublicTradeOut",
    "Ticker24hOut",
]

KlineRow = list[int | str]
"""[open time ms, open, high, low, close, volume, close time ms, quote volume, trades,
taker buy base volume, taker buy quote volume, "0"]"""


class Interval(StrEnum):
    M1 = "1m"
    M5 = "5m"
    M15 = "15m"
    H1 = "1h"
    H4 = "4h"
    D1 = "1d"


class DepthOut(ApiModel):
    last_update_id: int = Field(description="seq of the last command that changed this book")
    bids: list[list[str]] = Field(description="[price, quantity], best (highest) first")
    asks: list[list[str]] = Field(description="[price, quantity], best (lowest) first")


class PublicTradeOut(ApiModel):
    id: int
    price: str
    qty: str
    quote_qty: str
    time: int
    is_buyer_maker: bool
    is_best_match: bool


class Ticker24hOut(ApiModel):
    """The rolling 24 h ticker. No trade in the window: ``count`` is 0 and ``firstId`` /
    ``lastId`` are -1 (as Binance answers), the window's prices and volumes are zero,
    and ``lastPrice`` is the last trade ever; a market that has **never traded** has
    ``count`` 0, ``lastId`` -1 and ``lastPrice`` zero (use ``referencePrice`` of
    ``/v1/ticker/bookTicker`` for a price to show)."""

    symbol: str
    price_change: str
    price_change_percent: str
    weighted_avg_price: str
    last_price: str
    last_qty: str
    bid_price: str
    bid_qty: str
    ask_price: str
    ask_qty: str
    open_price: str
    high_price: str
    low_price: str
    volume: str
    quote_volume: str
    open_time: int
    close_time: int
    first_id: int = Field(description="-1 when no trade in the window")
    last_id: int = Field(description="-1 when no trade in the window")
    count: int = Field(description="trades in the window; 0 with lastId -1: none")


class BookTickerOut(ApiModel):
    symbol: str
    bid_price: str
    bid_qty: str
    ask_price: str
    ask_qty: str
    reference_price: str | None = Field(
        description="what the market's price band is measured from: the last trade price, "
        "or before the first trade the reference price of the market-data source; a limit "
        "price further than the band (`priceBand` of /v1/markets, a fraction) from it is "
        "refused (`ORDER_PRICE_OUT_OF_BAND`). Null when the market has no band or nothing "
        "to measure from yet. Not a Binance field."
    )


class FilterOut(ApiModel):
    filter_type: Literal["PRICE_FILTER", "LOT_SIZE", "MIN_NOTIONAL"]
    min_price: str | None = None
    max_price: str | None = None
    tick_size: str | None = None
    min_qty: str | None = None
    max_qty: str | None = None
    step_size: str | None = None
    min_notional: str | None = None


class SymbolOut(ApiModel):
    symbol: str
    status: str
    base_asset: str
    base_asset_precision: int
    quote_asset: str
    quote_asset_precision: int
    order_types: list[str]
    filters: list[FilterOut]


class ExchangeInfoOut(ApiModel):
    timezone: str
    server_time: int
    symbols: list[SymbolOut]
