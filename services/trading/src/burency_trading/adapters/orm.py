"""The trading service's SQL tables (SQLAlchemy Core): the projection of the engine.

The engine and its journal are the truth; these tables are a projection of the journaled
results (``adapters/projection.py``), written in batches for history queries, and the
outbox/inbox the service publishes and consumes through. Every money, price and
quantity column is a ``BIGINT`` of the engine's integers (ticks, lots, quote or asset
minor units; never a float): the API layer formats them with the market's grid.
Times are ``BIGINT`` microseconds since the epoch, the engine's own ``ts``.

* ``orders`` — one row per accepted order (``order_id`` = seq of its PlaceOrder);
  refused placements are not stored (the API answered them). ``is_open`` is true while
  the status is NEW or PARTIALLY_FILLED (an untriggered stop order is NEW).
* ``trades`` — one row per fill (``trade_id`` from the engine).
* ``balances`` — each user's trading balance per asset, from ``BalanceChanged``.
* ``transfers`` — funding ↔ trading transfers as the engine applied or refused them
  (``kind`` "in", "out" or "out_reversal"; a reversal shares its transfer's id).
* ``markets`` — each market's spec, as added or last changed.
* ``projection_state`` — the highest journal seq each sink has applied.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, MetaData, String, Table

from burency_common.outbox import outbox_tables

__all__ = [
    "balances",
    "inbox",
    "markets",
    "metadata",
    "orders",
    "outbox",
    "projection_state",
    "trades",
    "transfers",
]

metadata = MetaData()
outbox, inbox = outbox_tables(metadata)

_USER = 64
_MARKET = 32
_ASSET = 10


def _big(name: str, *, primary_key: bool = False) -> Column[int]:
    return Column(name, BigInteger, primary_key=primary_key, autoincrement=False, nullable=False)


orders = Table(
    "orders",
    metadata,
    _big("order_id", primary_key=True),
    Column("user_id", String(_USER), nullable=False),
    Column("market", String(_MARKET), nullable=False),
    Column("side", String(4), nullable=False),
    Column("type", String(16), nullable=False),
    Column("tif", String(3), nullable=False),
    _big("price"),
    _big("qty"),
    _big("quote_qty"),
    _big("stop_price"),
    Column("post_only", Boolean, nullable=False),
    Column("client_order_id", String(64), nullable=True),  # NULL when none was given
    Column("status", String(16), nullable=False),
    Column("is_open", Boolean, nullable=False),
    Column("stop_triggered", Boolean, nullable=False),
    _big("filled_qty"),
    _big("filled_quote"),
    _big("fees_paid"),
    Column("reason", String(32), nullable=False),
    Column("locked_asset", String(_ASSET), nullable=False),
    _big("locked"),
    _big("created_ts"),
    _big("updated_ts"),
    _big("last_seq"),
)
Index("ix_orders_user", orders.c.user_id, orders.c.order_id)
Index("ix_orders_user_open", orders.c.user_id, orders.c.is_open, orders.c.order_id)
Index("ix_orders_user_market", orders.c.user_id, orders.c.market, orders.c.order_id)
Index("ix_orders_user_client_id", orders.c.user_id, orders.c.client_order_id)

trades = Table(
    "trades",
    metadata,
    _big("trade_id", primary_key=True),
    Column("market", String(_MARKET), nullable=False),
    _big("price"),
    _big("qty"),
    _big("quote_amount"),
    Column("taker_side", String(4), nullable=False),
    _big("maker_order_id"),
    _big("taker_order_id"),
    Column("maker_user_id", String(_USER), nullable=False),
    Column("taker_user_id", String(_USER), nullable=False),
    _big("maker_fee"),
    _big("taker_fee"),
    _big("ts"),
    _big("seq"),
)
Index("ix_trades_maker", trades.c.maker_user_id, trades.c.trade_id)
Index("ix_trades_taker", trades.c.taker_user_id, trades.c.trade_id)
Index("ix_trades_market", trades.c.market, trades.c.trade_id)
Index("ix_trades_ts", trades.c.ts)

balances = Table(
    "balances",
    metadata,
    Column("user_id", String(_USER), primary_key=True),
    Column("asset", String(_ASSET), primary_key=True),
    _big("available"),
    _big("locked"),
    _big("updated_ts"),
    _big("seq"),
)

transfers = Table(
    "transfers",
    metadata,
    Column("transfer_id", String(128), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("user_id", String(_USER), nullable=False),
    Column("asset", String(_ASSET), nullable=False),
    _big("amount"),
    Column("status", String(16), nullable=False),  # APPLIED | REFUSED
    Column("reason", String(64), nullable=False),
    _big("ts"),
    _big("seq"),
)
Index("ix_transfers_user", transfers.c.user_id, transfers.c.seq)

markets = Table(
    "markets",
    metadata,
    Column("symbol", String(_MARKET), primary_key=True),
    Column("base", String(_ASSET), nullable=False),
    Column("quote", String(_ASSET), nullable=False),
    Column("base_scale", Integer, nullable=False),
    Column("quote_scale", Integer, nullable=False),
    Column("tick_size", String(32), nullable=False),
    Column("lot_size", String(32), nullable=False),
    _big("min_qty"),
    _big("max_qty"),
    _big("min_notional"),
    _big("maker_ppm"),
    _big("taker_ppm"),
    _big("price_band_bps"),
    _big("market_slippage_bps"),
    Column("status", String(16), nullable=False),
    _big("updated_ts"),
    _big("seq"),
)

projection_state = Table(
    "projection_state",
    metadata,
    Column("name", String(64), primary_key=True),
    _big("last_seq"),
    _big("updated_ts"),
)
