"""The notification service's tables (SQLAlchemy Core), including its outbox and inbox.

``notifications`` has the ``notification_id`` as primary key: inserting it in the same
transaction as the queued deliveries is what makes intake idempotent per id (also
when the same command arrives in two different envelopes).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

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


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite drops the zone on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value if isinstance(value, datetime) else None


_TS = UtcDateTime()
_ID = String(36)
_USER = String(64)

recipients = Table(
    "recipients",
    metadata,
    Column("user_id", _USER, primary_key=True),
    Column("email", String(320), nullable=False),
    Column("phone", String(20), nullable=True),
    Column("language", String(8), nullable=False),
    Column("created_at", _TS, nullable=False),
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
    UniqueConstraint("notification_id", "user_id", "channel", name="uq_deliveries_target"),
)
Index("ix_deliveries_due", deliveries.c.status, deliveries.c.next_attempt_at)

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
