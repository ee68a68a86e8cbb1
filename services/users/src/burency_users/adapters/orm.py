"""The user service's tables (SQLAlchemy Core), including its outbox and inbox.

``kyc_submissions`` has a partial unique index on ``user_id`` for PENDING rows: the
"one pending submission per user" rule holds even for two concurrent submissions.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    text,
)

from burency_common.db import UtcDateTime
from burency_common.outbox import outbox_tables

__all__ = ["audit_log", "inbox", "kyc_submissions", "metadata", "outbox", "profiles"]

metadata = MetaData()
outbox, inbox = outbox_tables(metadata)


_TS = UtcDateTime()
_ID = String(36)

profiles = Table(
    "profiles",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("email", String(320), nullable=False),
    Column("created_at", _TS, nullable=False),
    Column("updated_at", _TS, nullable=False),
    Column("first_name", String(100), nullable=True),
    Column("last_name", String(100), nullable=True),
    Column("date_of_birth", Date, nullable=True),
    Column("country", String(2), nullable=True),
    Column("phone", String(20), nullable=True),
    Column("address_line1", String(200), nullable=True),
    Column("address_line2", String(200), nullable=True),
    Column("address_city", String(100), nullable=True),
    Column("address_postal_code", String(20), nullable=True),
    Column("address_country", String(2), nullable=True),
    Column("avatar_file_id", String(64), nullable=True),
    Column("language", String(8), nullable=False),
    Column("timezone", String(64), nullable=True),
    Column("display_currency", String(8), nullable=False),
    Column("ui_settings", JSON, nullable=False),
    Column("kyc_level", Integer, nullable=False, server_default="0"),
    Column("closure_requested_at", _TS, nullable=True),
    Column("closure_reason", String(500), nullable=True),
)

kyc_submissions = Table(
    "kyc_submissions",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("user_id", String(64), nullable=False),
    Column("level", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("documents", JSON, nullable=False),
    Column("submitted_at", _TS, nullable=False),
    Column("decided_at", _TS, nullable=True),
    Column("decided_by", String(64), nullable=True),
    Column("reason", String(500), nullable=True),
)
Index("ix_kyc_submissions_user", kyc_submissions.c.user_id, kyc_submissions.c.id)
Index("ix_kyc_submissions_queue", kyc_submissions.c.status, kyc_submissions.c.id)
Index(
    "ux_kyc_submissions_one_pending",
    kyc_submissions.c.user_id,
    unique=True,
    sqlite_where=text("status = 'PENDING'"),
    postgresql_where=text("status = 'PENDING'"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("actor_id", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", String(200), nullable=True),
    Column("details", JSON, nullable=False),
    Column("request_id", String(128), nullable=True),
    Column("at", _TS, nullable=False),
)
Index("ix_audit_log_target", audit_log.c.target, audit_log.c.id)
