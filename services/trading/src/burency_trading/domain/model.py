"""The engine's whole vocabulary: commands in, events out (pure data, no I/O).

``Engine.apply(command, seq=..., ts=...) -> list[Event]`` is the only way state changes.
Every number is an integer: prices in **ticks**, quantities in **lots** of the market
(:class:`burency_common.market_math.MarketGrid`), balances and fees in **minor units** of
their asset. ``seq`` (the journal's sequence number) and ``ts`` (microseconds since the
epoch) come in with the command: nothing inside the engine reads a clock.

Commands and events are ``msgspec.Struct``: immutable, cheap to build (the engine makes
several per command) and encoded to the journal as tagged arrays
(``msgspec.msgpack.Encoder().encode(command)``; decode with ``Decoder(Command)``). Their
field names and tags are the journal's format: **never rename or reorder a field**; add
new fields at the end with a default.

Identifiers: an order's id is the ``seq`` of the command that placed it (unique, ordered,
deterministic, a Binance-style integer ``orderId``); a trade's id is a per-engine counter
(``tradeId``). Users are the auth service's user id strings.
"""

from __future__ import annotations

import msgspec

from .vocabulary import (
    EndReason,
    MarketStatus,
    OrderStatus,
    OrderType,
    Reject,
    Side,
    StpMode,
    TimeInForce,
)

__all__ = [
    "FEES_ACCOUNT",
    "AddMarket",
    "AmendOrder",
    "BalanceChanged",
    "CancelAll",
    "CancelOrder",
    "Command",
    "EndReason",
    "Event",
    "FeeTier",
    "MarketChanged",
    "MarketSpec",
    "MarketStatus",
    "OrderAccepted",
    "OrderRejected",
    "OrderStatus",
    "OrderType",
    "OrderUpdated",
    "OrderView",
    "PlaceOrder",
    "Reject",
    "SetFeeSchedule",
    "SetMarketFees",
    "SetMarketStatus",
    "SetReferencePrice",
    "SetUserFeeTier",
    "Side",
    "StopTriggered",
    "StpMode",
    "TimeInForce",
    "Trade",
    "TransferApplied",
    "TransferIn",
    "TransferOut",
    "TransferOutReversal",
]

FEES_ACCOUNT = "fees"
"""The user id under which the engine keeps the fees it collected, per asset (a system
account: it appears in balances, snapshots and the conservation check like any user)."""


# -- configuration carried by commands ------------------------------------------------


class FeeTier(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """A fee level: users with ``min_volume`` quote-minor-units of 30-day volume or more
    (computed outside the engine, see SetUserFeeTier) pay these rates (ppm)."""

    tier: int
    maker_ppm: int
    taker_ppm: int


class MarketSpec(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """One market, as configured (``BURENCY_MARKETS``) and changed by admin commands.

    ``tick_size``/``lot_size`` are the decimal strings of a ``MarketGrid``;
    ``base_scale``/``quote_scale`` the assets' scales. Quantities and notionals are in lots
    and quote minor units. ``price_band_bps``: a limit price more than this many basis
    points from the reference (last trade price, else the reference price) is refused;
    0 = no band. ``market_slippage_bps``: how far from the best price a market order may
    walk the book before its rest expires.
    """

    symbol: str  # "BTC/AED"
    base: str
    quote: str
    base_scale: int
    quote_scale: int
    tick_size: str
    lot_size: str
    min_qty: int
    max_qty: int
    min_notional: int
    maker_ppm: int
    taker_ppm: int
    price_band_bps: int = 0
    market_slippage_bps: int = 500
    status: MarketStatus = MarketStatus.TRADING


# -- commands -------------------------------------------------------------------------


class _Command(msgspec.Struct, frozen=True, array_like=True, gc=False, tag=True, tag_field="k"):
    pass


class PlaceOrder(_Command, frozen=True, tag="place"):
    """Place an order. ``qty`` in lots (0 for a market order by quote amount);
    ``price`` in ticks (0 for MARKET / STOP_MARKET); ``quote_qty`` in quote minor units
    (a MARKET order by amount to spend (BUY) or receive (SELL), else 0); ``stop_price`` in
    ticks for STOP_* (else 0). ``post_only`` only with LIMIT/GTC."""

    user_id: str
    market: str
    side: Side
    type: OrderType
    tif: TimeInForce = TimeInForce.GTC
    qty: int = 0
    price: int = 0
    quote_qty: int = 0
    stop_price: int = 0
    post_only: bool = False
    client_order_id: str = ""
    stp: StpMode = StpMode.EXPIRE_TAKER


class CancelOrder(_Command, frozen=True, tag="cancel"):
    """Cancel one order by ``order_id`` (non-zero) or by ``client_order_id``;
    ``by_admin`` lets staff cancel another user's order (reason ADMIN_CANCELED)."""

    user_id: str
    market: str
    order_id: int = 0
    client_order_id: str = ""
    by_admin: bool = False


class CancelAll(_Command, frozen=True, tag="cancel_all"):
    """Cancel every open order (stops included) of ``user_id`` in ``market``, or in every
    market when ``market`` is empty."""

    user_id: str
    market: str = ""
    by_admin: bool = False


class AmendOrder(_Command, frozen=True, tag="amend"):
    """Reduce a resting order's total quantity to ``new_qty`` lots, keeping its place in
    the queue (``new_qty`` > filled; equal or larger is AMEND_NOT_A_DECREASE)."""

    user_id: str
    market: str
    order_id: int
    new_qty: int


class TransferIn(_Command, frozen=True, tag="transfer_in"):
    """Funding → trading: credit ``amount`` minor units (idempotent by ``transfer_id``)."""

    transfer_id: str
    user_id: str
    asset: str
    amount: int


class TransferOut(_Command, frozen=True, tag="transfer_out"):
    """Trading → funding: debit the available balance (idempotent by ``transfer_id``)."""

    transfer_id: str
    user_id: str
    asset: str
    amount: int


class TransferOutReversal(_Command, frozen=True, tag="transfer_out_reversal"):
    """Banking refused a transfer-out: credit it back, exactly once."""

    transfer_id: str


class AddMarket(_Command, frozen=True, tag="add_market"):
    spec: MarketSpec


class SetMarketStatus(_Command, frozen=True, tag="market_status"):
    market: str
    status: MarketStatus


class SetMarketFees(_Command, frozen=True, tag="market_fees"):
    market: str
    maker_ppm: int
    taker_ppm: int


class SetFeeSchedule(_Command, frozen=True, tag="fee_schedule"):
    """The fee tiers above the market's base rates (tier 0 = the market's own rates)."""

    tiers: tuple[FeeTier, ...]


class SetUserFeeTier(_Command, frozen=True, tag="user_fee_tier"):
    user_id: str
    tier: int


class SetReferencePrice(_Command, frozen=True, tag="reference_price"):
    """A reference price (ticks) for the price band of a market that has not traded yet."""

    market: str
    price: int


Command = (
    PlaceOrder
    | CancelOrder
    | CancelAll
    | AmendOrder
    | TransferIn
    | TransferOut
    | TransferOutReversal
    | AddMarket
    | SetMarketStatus
    | SetMarketFees
    | SetFeeSchedule
    | SetUserFeeTier
    | SetReferencePrice
)


# -- events ---------------------------------------------------------------------------


class _Event(msgspec.Struct, frozen=True, array_like=True, gc=False, tag=True, tag_field="k"):
    pass


class OrderAccepted(_Event, frozen=True, tag="accepted"):
    """An order was accepted (its funds are locked). Stop orders wait (``triggered``
    False) until the last trade price reaches ``stop_price``."""

    order_id: int
    user_id: str
    market: str
    side: Side
    type: OrderType
    tif: TimeInForce
    qty: int
    price: int
    quote_qty: int
    stop_price: int
    post_only: bool
    client_order_id: str
    locked_asset: str
    locked: int  # minor units locked for this order at acceptance
    ts: int


class OrderRejected(_Event, frozen=True, tag="rejected"):
    """A command was refused (an order, a cancel, an amend, an admin command): nothing
    changed. ``order_id`` is the seq of a refused PlaceOrder, else the order referred to."""

    user_id: str
    market: str
    order_id: int
    client_order_id: str
    reason: Reject
    ts: int


class Trade(_Event, frozen=True, tag="trade"):
    """One fill between a resting (maker) and an incoming (taker) order, settled in full:
    the buyer paid ``quote_amount`` (+ its fee), the seller received ``quote_amount``
    (- its fee), both fees went to FEES_ACCOUNT in the quote asset."""

    trade_id: int
    market: str
    price: int
    qty: int
    quote_amount: int
    taker_side: Side
    maker_order_id: int
    taker_order_id: int
    maker_user_id: str
    taker_user_id: str
    maker_fee: int
    taker_fee: int
    ts: int


class OrderUpdated(_Event, frozen=True, tag="order"):
    """An order's state after a command touched it (filled, cancelled, expired, amended)."""

    order_id: int
    user_id: str
    market: str
    status: OrderStatus
    qty: int  # total quantity (lots), changed by an amend
    filled_qty: int
    filled_quote: int  # quote minor units traded so far (for the average price)
    fees_paid: int
    reason: EndReason
    ts: int


class StopTriggered(_Event, frozen=True, tag="stop_triggered"):
    order_id: int
    user_id: str
    market: str
    last_price: int
    ts: int


class BalanceChanged(_Event, frozen=True, tag="balance"):
    """A trading balance after the command (absolute values: applying one twice is harmless)."""

    user_id: str
    asset: str
    available: int
    locked: int
    ts: int


class TransferApplied(_Event, frozen=True, tag="transfer"):
    """A TransferIn / TransferOut / TransferOutReversal took effect (``replayed``: it had
    already, this command changed nothing) or was refused (``reason``)."""

    transfer_id: str
    kind: str  # "in", "out", "out_reversal"
    user_id: str
    asset: str
    amount: int
    replayed: bool
    reason: str  # "" when applied; a Reject code when refused
    ts: int


class MarketChanged(_Event, frozen=True, tag="market"):
    spec: MarketSpec
    ts: int


Event = (
    OrderAccepted
    | OrderRejected
    | Trade
    | OrderUpdated
    | StopTriggered
    | BalanceChanged
    | TransferApplied
    | MarketChanged
)


# -- read model (queries on the engine thread) -------------------------------------------


class OrderView(msgspec.Struct, frozen=True, gc=False):
    """An open order as the engine holds it (``Engine.order`` / ``open_orders``).

    ``qty`` is 0 for a market-type order by quote amount (``quote_qty`` set); ``filled_quote``
    is what a buyer paid (notional rounded up, cumulatively) or a seller received before
    fees (rounded down); ``locked`` is what the order still holds of ``locked_asset``;
    ``triggered`` is False for a stop order waiting for its stop price."""

    order_id: int
    user_id: str
    market: str
    side: Side
    type: OrderType
    tif: TimeInForce
    qty: int
    price: int
    quote_qty: int
    stop_price: int
    post_only: bool
    client_order_id: str
    status: OrderStatus
    filled_qty: int
    filled_quote: int
    fees_paid: int
    locked_asset: str
    locked: int
    triggered: bool
    created_ts: int
    updated_ts: int
