"""files: file metadata and the KYC access log

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)
_ID = sa.String(36)
_SIZE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "files",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("owner_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("original_name", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("size", _SIZE, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("visibility", sa.String(16), nullable=False),
        sa.Column("storage_key", sa.String(128), nullable=False, unique=True),
        sa.Column("thumbnail_key", sa.String(128), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("deleted_at", _TS, nullable=True),
        sa.Column("purged_at", _TS, nullable=True),
    )
    op.create_index("ix_files_owner_id_id", "files", ["owner_id", "id"])
    op.create_index("ix_files_deleted_purged", "files", ["deleted_at", "purged_at"])
    op.create_table(
        "access_log",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("file_id", _ID, nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("actor_roles", sa.String(255), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("request_id", sa.String(64), nullable=True),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("at", _TS, nullable=False),
    )
    op.create_index("ix_access_log_file_id_id", "access_log", ["file_id", "id"])


def downgrade() -> None:
    op.drop_table("access_log")
    op.drop_table("files")
