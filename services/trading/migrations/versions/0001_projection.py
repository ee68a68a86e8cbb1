"""trading: the engine's SQL projection (orders, trades, balances, transfers, markets,
projection state), outbox, inbox

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from burency_common.outbox import create_outbox_tables, drop_outbox_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_USER = sa.String(64)
_MARKET = sa.String(32)
_ASSET = sa.String(10)


def _big(name: str, *, primary_key: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger, primary_key=primary_key, autoincrement=False,
                     nullable=False)  # fmt: skip


def _create_orders() -> None:
    op.create_table(
        "orders",
        _big("order_id", primary_key=True),
        sa.Column("user_id", _USER, nullable=False),
        sa.Column("market", _MARKET, nullable=False),
        sa.Column("side", sa.String(4), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("tif", sa.String(3), nullable=False),
        _big("price"),
        _big("qty"),
        _big("quote_qty"),
        _big("stop_price"),
        sa.Column("post_only", sa.Boolean, nullable=False),
        sa.Column("client_order_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("is_open", sa.Boolean, nullable=False),
        sa.Column("stop_triggered", sa.Boolean, nullable=False),
        _big("filled_qty"),
        _big("filled_quote"),
        _big("fees_paid"),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("locked_asset", _ASSET, nullable=False),
        _big("locked"),
        _big("created_ts"),
        _big("updated_ts"),
        _big("last_seq"),
    )
    op.create_index("ix_orders_user", "orders", ["user_id", "order_id"])
    op.create_index("ix_orders_user_open", "orders", ["user_id", "is_open", "order_id"])
    op.create_index("ix_orders_user_market", "orders", ["user_id", "market", "order_id"])
    op.create_index("ix_orders_user_client_id", "orders", ["user_id", "client_order_id"])


def _create_trades() -> None:
    op.create_table(
        "trades",
        _big("trade_id", primary_key=True),
        sa.Column("market", _MARKET, nullable=False),
        _big("price"),
        _big("qty"),
        _big("quote_amount"),
        sa.Column("taker_side", sa.String(4), nullable=False),
        _big("maker_order_id"),
        _big("taker_order_id"),
        sa.Column("maker_user_id", _USER, nullable=False),
        sa.Column("taker_user_id", _USER, nullable=False),
        _big("maker_fee"),
        _big("taker_fee"),
        _big("ts"),
        _big("seq"),
    )
    op.create_index("ix_trades_maker", "trades", ["maker_user_id", "trade_id"])
    op.create_index("ix_trades_taker", "trades", ["taker_user_id", "trade_id"])
    op.create_index("ix_trades_market", "trades", ["market", "trade_id"])
    op.create_index("ix_trades_ts", "trades", ["ts"])


def _create_wallets() -> None:
    op.create_table(
        "balances",
        sa.Column("user_id", _USER, primary_key=True),
        sa.Column("asset", _ASSET, primary_key=True),
        _big("available"),
        _big("locked"),
        _big("updated_ts"),
        _big("seq"),
    )
    op.create_table(
        "transfers",
        sa.Column("transfer_id", sa.String(128), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("user_id", _USER, nullable=False),
        sa.Column("asset", _ASSET, nullable=False),
        _big("amount"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        _big("ts"),
        _big("seq"),
    )
    op.create_index("ix_transfers_user", "transfers", ["user_id", "seq"])


def _create_markets() -> None:
    op.create_table(
        "markets",
        sa.Column("symbol", _MARKET, primary_key=True),
        sa.Column("base", _ASSET, nullable=False),
        sa.Column("quote", _ASSET, nullable=False),
        sa.Column("base_scale", sa.Integer, nullable=False),
        sa.Column("quote_scale", sa.Integer, nullable=False),
        sa.Column("tick_size", sa.String(32), nullable=False),
        sa.Column("lot_size", sa.String(32), nullable=False),
        _big("min_qty"),
        _big("max_qty"),
        _big("min_notional"),
        _big("maker_ppm"),
        _big("taker_ppm"),
        _big("price_band_bps"),
        _big("market_slippage_bps"),
        sa.Column("status", sa.String(16), nullable=False),
        _big("updated_ts"),
        _big("seq"),
    )
    op.create_table(
        "projection_state",
        sa.Column("name", sa.String(64), primary_key=True),
        _big("last_seq"),
        _big("updated_ts"),
    )


def upgrade() -> None:
    _create_orders()
    _create_trades()
    _create_wallets()
    _create_markets()
    create_outbox_tables()


def downgrade() -> None:
    drop_outbox_tables()
    for table in ("projection_state", "markets", "transfers", "balances", "trades", "orders"):
        op.drop_table(table)  # their indexes go with them
