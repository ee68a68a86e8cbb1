"""trading: banking's answers to trading → funding transfers, and the staff audit log

Revision ID: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "funding_answers",
        sa.Column("transfer_id", sa.String(128), primary_key=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("answered_at", _TS, nullable=False),
    )
    op.create_table(
        "trading_audit",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(128), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_index("ix_trading_audit_target", "trading_audit", ["target", "id"])


def downgrade() -> None:
    op.drop_index("ix_trading_audit_target", table_name="trading_audit")
    op.drop_table("trading_audit")
    op.drop_table("funding_answers")
