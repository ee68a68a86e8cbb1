"""The outbox and inbox tables every service adds to its own metadata and migrations."""

from __future__ import annotations

from alembic import op
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
)

__all__ = ["create_outbox_tables", "drop_outbox_tables", "outbox_tables"]

_SEQ = BigInteger().with_variant(Integer(), "sqlite")


def _outbox_columns() -> list[Column[object]]:
    return [
        Column("seq", _SEQ, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("event_key", String(200), nullable=False),
        Column("body", LargeBinary, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True),
        Column("attempts", Integer, nullable=False, server_default="0"),
    ]


def _inbox_columns() -> list[Column[object]]:
    return [
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(36), primary_key=True),
        Column("event_type", String(200), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False),
    ]


def outbox_tables(metadata: MetaData) -> tuple[Table, Table]:
    """Add ``outbox`` and ``inbox`` to a service's metadata; returns them."""
    outbox = Table("outbox", metadata, *_outbox_columns())
    Index("ix_outbox_pending", outbox.c.published_at, outbox.c.seq)
    inbox = Table("inbox", metadata, *_inbox_columns())
    return outbox, inbox


def create_outbox_tables() -> None:
    """Alembic operation for a service's first migration."""
    op.create_table("outbox", *_outbox_columns())
    op.create_index("ix_outbox_pending", "outbox", ["published_at", "seq"])
    op.create_table("inbox", *_inbox_columns())


def drop_outbox_tables() -> None:
    op.drop_table("inbox")
    op.drop_index("ix_outbox_pending", table_name="outbox")
    op.drop_table("outbox")
