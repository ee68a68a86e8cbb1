"""The files service's tables (SQLAlchemy Core)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, MetaData, String, Table

__all__ = ["access_log", "files", "metadata"]

metadata = MetaData()
_ID = String(36)
_TS = DateTime(timezone=True)
_SIZE = BigInteger().with_variant(Integer(), "sqlite")

files = Table(
    "files",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("owner_id", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("original_name", String(255), nullable=False),
    Column("content_type", String(64), nullable=False),
    Column("size", _SIZE, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("visibility", String(16), nullable=False),
    Column("storage_key", String(128), nullable=False, unique=True),
    Column("thumbnail_key", String(128), nullable=True),
    Column("created_at", _TS, nullable=False),
    Column("deleted_at", _TS, nullable=True),
    Column("purged_at", _TS, nullable=True),
    Index("ix_files_owner_id_id", "owner_id", "id"),
    Index("ix_files_deleted_purged", "deleted_at", "purged_at"),
)

access_log = Table(
    "access_log",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("file_id", _ID, nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("actor_roles", String(255), nullable=False),
    Column("action", String(32), nullable=False),
    Column("reason", String(500), nullable=True),
    Column("request_id", String(64), nullable=True),
    Column("ip", String(64), nullable=True),
    Column("at", _TS, nullable=False),
    Index("ix_access_log_file_id_id", "file_id", "id"),
)
