"""notifications: device tokens, per-device push sends, recipients' KYC levels, announcements

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)
_ID = sa.String(36)
_USER = sa.String(64)


def _create_devices() -> None:
    op.create_table(
        "devices",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("user_id", _USER, nullable=False),
        sa.Column("token", sa.String(4096), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("name", sa.String(100), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.UniqueConstraint("token_hash", name="uq_devices_token"),
    )
    op.create_index("ix_devices_user", "devices", ["user_id", "id"])
    op.create_table(
        "push_sends",
        sa.Column("delivery_id", _ID, primary_key=True),
        sa.Column("device_id", _ID, primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("provider_id", sa.String(255), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_table(
        "recipient_kyc",
        sa.Column("user_id", _USER, primary_key=True),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_index("ix_recipient_kyc_level", "recipient_kyc", ["level", "user_id"])


def _create_announcements() -> None:
    op.create_table(
        "announcements",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("client_id", sa.String(128), nullable=True),
        sa.Column("created_by", _USER, nullable=True),
        sa.Column("event", sa.String(64), nullable=True),
        sa.Column("title", sa.String(255), nullable=True),
        sa.Column("body", sa.String(2000), nullable=True),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("segment", sa.String(64), nullable=False),
        sa.Column("channels", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("cursor", _USER, nullable=True),
        sa.Column("lease_owner", _ID, nullable=True),
        sa.Column("lease_until", _TS, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("finished_at", _TS, nullable=True),
        sa.UniqueConstraint("client_id", name="uq_announcements_client"),
    )
    op.create_index("ix_announcements_status", "announcements", ["status", "created_at"])
    op.create_table(
        "announcement_targets",
        sa.Column("announcement_id", sa.String(64), primary_key=True),
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("target", sa.String(64), primary_key=True),
        sa.Column("user_id", _USER, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("batch", _ID, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("not_before", _TS, nullable=True),
        sa.Column("provider_id", sa.String(255), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_index(
        "ix_announcement_targets_work",
        "announcement_targets",
        ["announcement_id", "channel", "status", "target"],
    )
    op.create_index("ix_announcement_targets_batch", "announcement_targets", ["batch"])


def upgrade() -> None:
    _create_devices()
    _create_announcements()


def downgrade() -> None:
    for table in ("announcement_targets", "announcements", "recipient_kyc", "push_sends"):
        op.drop_table(table)
    op.drop_table("devices")
