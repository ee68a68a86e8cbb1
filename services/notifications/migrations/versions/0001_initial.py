"""notifications: recipients, preferences, notifications, deliveries, in-app, outbox, inbox

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

_TS = sa.DateTime(timezone=True)
_ID = sa.String(36)
_USER = sa.String(64)


def _create_directory() -> None:
    op.create_table(
        "recipients",
        sa.Column("user_id", _USER, primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "preferences",
        sa.Column("user_id", _USER, primary_key=True),
        sa.Column("event", sa.String(64), primary_key=True),
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )


def _create_delivery_log() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("notification_id", sa.String(64), nullable=False),
        sa.Column("user_id", _USER, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", _TS, nullable=False),
        sa.Column("provider_id", sa.String(255), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.UniqueConstraint("notification_id", "user_id", "channel", name="uq_deliveries_target"),
    )
    op.create_index("ix_deliveries_due", "deliveries", ["status", "next_attempt_at"])
    op.create_table(
        "in_app",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("user_id", _USER, nullable=False),
        sa.Column("notification_id", sa.String(64), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("body", sa.String(2000), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("read_at", _TS, nullable=True),
    )
    op.create_index("ix_in_app_user", "in_app", ["user_id", "id"])


def upgrade() -> None:
    _create_directory()
    _create_delivery_log()
    create_outbox_tables()


def downgrade() -> None:
    drop_outbox_tables()
    for table in ("in_app", "deliveries", "notifications", "preferences", "recipients"):
        op.drop_table(table)
