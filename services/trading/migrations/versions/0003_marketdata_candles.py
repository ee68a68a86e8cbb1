"""trading: market data's candles (klines history)

Revision ID: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_VALUES = (
    "open", "high", "low", "close", "volume", "quote_volume", "count", "taker_buy_volume",
    "taker_buy_quote", "first_trade_id", "last_trade_id",
)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "marketdata_candles",
        sa.Column("symbol", sa.String(32), primary_key=True),
        sa.Column("interval", sa.String(4), primary_key=True),
        sa.Column("open_time", sa.BigInteger, primary_key=True, autoincrement=False),
        *(sa.Column(name, sa.BigInteger, nullable=False) for name in _VALUES),
    )


def downgrade() -> None:
    op.drop_table("marketdata_candles")
