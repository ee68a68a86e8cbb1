"""A miniature service schema for the outbox tests: outbox, inbox and an effect table."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table

from burency_common.outbox import outbox_tables

metadata = MetaData()
outbox, inbox = outbox_tables(metadata)
effects = Table(
    "effects",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("amount", Integer, nullable=False),
)
