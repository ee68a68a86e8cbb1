"""The notification service's tables (SQLAlchemy Core), including its outbox and inbox.

``notifications`` has the ``notification_id`` as primary key: inserting it in the same
transaction as the queued deliveries is what makes intake idempotent per id (also
when the same command arrives in two different envelopes).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
)

from burency_common.db import UtcDateTime
from burency_common.outbox import outbox_tables

__all__ = [
    "deliveries",
    "in_app",
    "inbox",
    "metadata",
    "notifications",
    "outbox",
    "preferences",
    "recipients",
]

metadata = MetaData()
outbox, inbox = outbox_tables(metadata)


_TS = UtcDateTime()
_ID = String(36)
_USER = String(64)

recipients = Table(
    "recipients",
    metadata,
    Column("user_id", _USER, primary_key=True),
    Column("email", String(320), nullable=True),  # null until user.registered (0003)
    Column("phone", String(20), nullable=True),
    Column("language", String(8), nullable=False),
    Column("created_at", _TS, nullable=False),
    Column("country", String(2), nullable=True),  # 0003: from user.profile_updated
    Column("profile_changed_at", _TS, nullable=True),  # 0003: newest profile update applied
)

preferences = Table(
    "preferences",
    metadata,
    Column("user_id", _USER, primary_key=True),
    Column("event", String(64), primary_key=True),
    Column("channel", String(16), primary_key=True),
    Column("enabled", Boolean, nullable=False),
    Column("updated_at", _TS, nullable=False),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("event", String(64), nullable=False),
    Column("data", JSON, nullable=False),
    Column("priority", String(16), nullable=False),
    Column("created_at", _TS, nullable=False),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("notification_id", String(64), nullable=False),
    Column("user_id", _USER, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("status", String(32), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", _TS, nullable=False),
    Column("provider_id", String(255), nullable=True),
    Column("last_error", String(500), nullable=True),
    Column("created_at", _TS, nullable=False),
    Column("updated_at", _TS, nullable=False),
    # 0003: 0 high, 1 normal, 2 low (service.intake.PRIORITY_RANKS)
    Column("priority_rank", SmallInteger, nullable=False, server_default="1"),
    UniqueConstraint("notification_id", "user_id", "channel", name="uq_deliveries_target"),
)
Index("ix_deliveries_due", deliveries.c.status, deliveries.c.next_attempt_at)
Index(
    "ix_deliveries_due_priority",
    deliveries.c.status,
    deliveries.c.priority_rank,
    deliveries.c.next_attempt_at,
)

in_app = Table(
    "in_app",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("user_id", _USER, nullable=False),
    Column("notification_id", String(64), nullable=False),
    Column("event", String(64), nullable=False),
    Column("title", String(255), nullable=False),
    Column("body", String(2000), nullable=False),
    Column("created_at", _TS, nullable=False),
    Column("read_at", _TS, nullable=True),
)
Index("ix_in_app_user", in_app.c.user_id, in_app.c.id)

# --- push devices, KYC levels for segments, announcements (migration 0002) -------------
__all__ += ["announcement_targets", "announcements", "devices", "push_sends", "recipient_kyc"]

devices = Table(
    "devices",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("user_id", _USER, nullable=False),
    Column("token", String(4096), nullable=False),
    Column("token_hash", String(64), nullable=False),
    Column("platform", String(16), nullable=False),
    Column("name", String(100), nullable=True),
    Column("created_at", _TS, nullable=False),
    Column("updated_at", _TS, nullable=False),
    UniqueConstraint("token_hash", name="uq_devices_token"),
)
Index("ix_devices_user", devices.c.user_id, devices.c.id)

push_sends = Table(
    "push_sends",
    metadata,
    Column("delivery_id", _ID, primary_key=True),
    Column("device_id", _ID, primary_key=True),
    Column("status", String(16), nullable=False),
    Column("provider_id", String(255), nullable=True),
    Column("last_error", String(500), nullable=True),
    Column("updated_at", _TS, nullable=False),
)

recipient_kyc = Table(
    "recipient_kyc",
    metadata,
    Column("user_id", _USER, primary_key=True),
    Column("level", Integer, nullable=False),
    Column("updated_at", _TS, nullable=False),
)
Index("ix_recipient_kyc_level", recipient_kyc.c.level, recipient_kyc.c.user_id)

announcements = Table(
    "announcements",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("client_id", String(128), nullable=True),
    Column("created_by", _USER, nullable=True),
    Column("event", String(64), nullable=True),
    Column("title", String(255), nullable=True),
    Column("body", String(2000), nullable=True),
    Column("data", JSON, nullable=False),
    Column("segment", String(64), nullable=False),
    Column("channels", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("cursor", _USER, nullable=True),
    Column("lease_owner", _ID, nullable=True),
    Column("lease_until", _TS, nullable=True),
    Column("created_at", _TS, nullable=False),
    Column("updated_at", _TS, nullable=False),
    Column("finished_at", _TS, nullable=True),
    UniqueConstraint("client_id", name="uq_announcements_client"),
)
Index("ix_announcements_status", announcements.c.status, announcements.c.created_at)

announcement_targets = Table(
    "announcement_targets",
    metadata,
    Column("announcement_id", String(64), primary_key=True),
    Column("channel", String(16), primary_key=True),
    Column("target", String(64), primary_key=True),
    Column("user_id", _USER, nullable=False),
    Column("status", String(16), nullable=False),
    Column("batch", _ID, nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("not_before", _TS, nullable=True),
    Column("provider_id", String(255), nullable=True),
    Column("last_error", String(500), nullable=True),
    Column("updated_at", _TS, nullable=False),
)
Index(
    "ix_announcement_targets_work",
    announcement_targets.c.announcement_id,
    announcement_targets.c.channel,
    announcement_targets.c.status,
    announcement_targets.c.target,
)
Index("ix_announcement_targets_batch", announcement_targets.c.batch)
