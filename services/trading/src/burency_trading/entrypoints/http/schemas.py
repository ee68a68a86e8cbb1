"""Request and response bodies of the trading API (camelCase, Binance's field names).

Every amount is a decimal string: prices and quantities on the market's grid
(``tickSize``/``stepSize``), quote amounts and balances at the asset's scale, fee
rates as fractions (``"0.001"`` = 0.1 %). Times are epoch milliseconds.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from burency_common.api import ApiModel
from burency_common.money import format_amount
from burency_trading.domain.model import MarketSpec, MarketStatus, Side, StpMode, TimeInForce
from burency_trading.service.context import TradingContext, TransferRow
from burency_trading.service.views import Fill, OrderState, UserTrade

__all__ = [
    "CLIENT_ORDER_ID",
    "AmendIn",
    "BalanceOut",
    "FeesIn",
    "FillOut",
    "MarketOut",
    "MarketStatusIn",
    "OrderIn",
    "OrderOut",
    "OrderTypeIn",
    "PlacedOut",
    "TradeOut",
    "TransferOut",
    "order_fields",
]

CLIENT_ORDER_ID = r"^[A-Za-z0-9_-]{1,36}$"
_DECIMAL = r"^-?[0-9]{1,30}(\.[0-9]{1,30})?$"
Decimal = Annotated[str, Field(max_length=64, pattern=_DECIMAL, examples=["0.01"])]


class OrderTypeIn(StrEnum):
    LIMIT = "LIMIT"
    LIMIT_MAKER = "LIMIT_MAKER"
    MARKET = "MARKET"
    STOP_LIMIT = "STOP_LIMIT"
    STOP_LOSS_LIMIT = "STOP_LOSS_LIMIT"
    STOP_MARKET = "STOP_MARKET"
    STOP_LOSS = "STOP_LOSS"


class OrderIn(ApiModel):
    """A new order. LIMIT / LIMIT_MAKER / STOP_LIMIT need ``price`` and ``quantity``;
    MARKET / STOP_MARKET take ``quantity`` or ``quoteOrderQty`` (exactly one); STOP_*
    need ``stopPrice``."""

    symbol: str = Field(max_length=32, examples=["BTC/AED"])
    side: Side
    type: OrderTypeIn
    time_in_force: TimeInForce | None = None
    quantity: Decimal | None = None
    quote_order_qty: Decimal | None = None
    price: Decimal | None = None
    stop_price: Decimal | None = None
    new_client_order_id: str | None = Field(default=None, pattern=CLIENT_ORDER_ID)
    self_trade_prevention_mode: StpMode = StpMode.EXPIRE_TAKER


class AmendIn(ApiModel):
    """The order's new total quantity: below the current one, above what is filled."""

    quantity: Decimal
    symbol: str | None = Field(default=None, max_length=32)


class MarketStatusIn(ApiModel):
    status: MarketStatus


class FeesIn(ApiModel):
    maker_fee: Decimal = Field(examples=["0.001"])
    taker_fee: Decimal = Field(examples=["0.001"])


class FillOut(ApiModel):
    trade_id: int
    price: str
    qty: str
    quote_qty: str
    commission: str
    commission_asset: str
    is_maker: bool


class OrderOut(ApiModel):
    symbol: str
    order_id: int
    client_order_id: str
    side: Side
    type: str
    time_in_force: str
    price: str
    orig_qty: str
    orig_quote_order_qty: str
    stop_price: str
    executed_qty: str
    cummulative_quote_qty: str
    commission: str
    commission_asset: str
    status: str
    time: int
    update_time: int


class PlacedOut(OrderOut):
    transact_time: int
    fills: list[FillOut]


class BalanceOut(ApiModel):
    asset: str
    free: str
    locked: str


class MarketOut(ApiModel):
    symbol: str
    base_asset: str
    quote_asset: str
    base_asset_precision: int
    quote_asset_precision: int
    status: MarketStatus
    tick_size: str
    step_size: str
    lot_size: str
    min_qty: str
    max_qty: str
    min_notional: str
    maker_fee: str
    taker_fee: str
    price_band: str
    market_slippage: str
    order_types: list[str]


class TradeOut(ApiModel):
    symbol: str
    id: int
    order_id: int
    side: Side
    price: str
    qty: str
    quote_qty: str
    commission: str
    commission_asset: str
    time: int
    is_buyer: bool
    is_maker: bool


class TransferOut(ApiModel):
    transfer_id: str
    kind: str
    asset: str
    amount: str
    status: str
    reason: str
    time: int


class MarketFeeOut(ApiModel):
    symbol: str
    maker_fee: str
    taker_fee: str


class TierOut(ApiModel):
    tier: int
    min_volume: str
    maker_fee: str
    taker_fee: str


class FeeTierOut(ApiModel):
    tier: int
    volume_asset: str
    volume_days: int
    markets: list[MarketFeeOut]
    tiers: list[TierOut]


# -- rendering ------------------------------------------------------------------------


def ms(ts_us: int) -> int:
    return ts_us // 1000


def rate(ppm: int) -> str:
    return format_amount(ppm, 6, trim=True)


def bps(value: int) -> str:
    return format_amount(value, 4, trim=True)


def api_type(state: OrderState) -> str:
    return "LIMIT_MAKER" if state.type == "LIMIT" and state.post_only else state.type


def order_out(ctx: TradingContext, state: OrderState) -> OrderOut:
    return OrderOut(**order_fields(ctx, state))


def order_fields(ctx: TradingContext, state: OrderState) -> dict[str, object]:
    spec = ctx.specs[state.market]
    grid = ctx.grid(state.market)
    return {
        "symbol": state.market,
        "order_id": state.order_id,
        "client_order_id": state.client_order_id,
        "side": Side(state.side),
        "type": api_type(state),
        "time_in_force": state.tif,
        "price": grid.format_price(state.price),
        "orig_qty": grid.format_quantity(state.qty),
        "orig_quote_order_qty": format_amount(state.quote_qty, spec.quote_scale),
        "stop_price": grid.format_price(state.stop_price),
        "executed_qty": grid.format_quantity(state.filled_qty),
        "cummulative_quote_qty": format_amount(state.filled_quote, spec.quote_scale),
        "commission": format_amount(state.fees_paid, spec.quote_scale),
        "commission_asset": spec.quote,
        "status": state.status,
        "time": ms(state.created_ts),
        "update_time": ms(state.updated_ts),
    }


def placed_out(ctx: TradingContext, state: OrderState, fills: list[Fill]) -> PlacedOut:
    spec = ctx.specs[state.market]
    grid = ctx.grid(state.market)
    rendered = [
        FillOut(
            trade_id=f.trade_id,
            price=grid.format_price(f.price),
            qty=grid.format_quantity(f.qty),
            quote_qty=format_amount(f.quote_amount, spec.quote_scale),
            commission=format_amount(f.fee, spec.quote_scale),
            commission_asset=spec.quote,
            is_maker=f.is_maker,
        )
        for f in fills
    ]
    fields = order_fields(ctx, state)
    return PlacedOut(**fields, transact_time=ms(state.updated_ts), fills=rendered)


def market_out(ctx: TradingContext, spec: MarketSpec) -> MarketOut:
    grid = ctx.grid(spec.symbol)
    return MarketOut(
        symbol=spec.symbol,
        base_asset=spec.base,
        quote_asset=spec.quote,
        base_asset_precision=spec.base_scale,
        quote_asset_precision=spec.quote_scale,
        status=spec.status,
        tick_size=spec.tick_size,
        step_size=spec.lot_size,
        lot_size=spec.lot_size,
        min_qty=grid.format_quantity(spec.min_qty),
        max_qty=grid.format_quantity(spec.max_qty),
        min_notional=format_amount(spec.min_notional, spec.quote_scale),
        maker_fee=rate(spec.maker_ppm),
        taker_fee=rate(spec.taker_ppm),
        price_band=bps(spec.price_band_bps),
        market_slippage=bps(spec.market_slippage_bps),
        order_types=[t.value for t in OrderTypeIn],
    )


def trade_out(ctx: TradingContext, trade: UserTrade) -> TradeOut:
    spec = ctx.specs[trade.market]
    grid = ctx.grid(trade.market)
    return TradeOut(
        symbol=trade.market,
        id=trade.trade_id,
        order_id=trade.order_id,
        side=Side(trade.side),
        price=grid.format_price(trade.price),
        qty=grid.format_quantity(trade.qty),
        quote_qty=format_amount(trade.quote_amount, spec.quote_scale),
        commission=format_amount(trade.fee, spec.quote_scale),
        commission_asset=spec.quote,
        time=ms(trade.ts),
        is_buyer=trade.side == "BUY",
        is_maker=trade.is_maker,
    )


def transfer_out(ctx: TradingContext, row: TransferRow) -> TransferOut:
    scale = ctx.assets.get(row.asset).scale if row.asset in ctx.assets else 0
    return TransferOut(
        transfer_id=row.transfer_id,
        kind=row.kind,
        asset=row.asset,
        amount=format_amount(row.amount, scale),
        status=row.status,
        reason=row.reason,
        time=ms(row.ts),
    )
