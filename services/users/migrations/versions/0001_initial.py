"""users: profiles, KYC submissions, audit log, outbox and inbox

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


def _create_profiles() -> None:
    op.create_table(
        "profiles",
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("first_name", sa.String(100), nullable=True),
        sa.Column("last_name", sa.String(100), nullable=True),
        sa.Column("date_of_birth", sa.Date, nullable=True),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("address_line1", sa.String(200), nullable=True),
        sa.Column("address_line2", sa.String(200), nullable=True),
        sa.Column("address_city", sa.String(100), nullable=True),
        sa.Column("address_postal_code", sa.String(20), nullable=True),
        sa.Column("address_country", sa.String(2), nullable=True),
        sa.Column("avatar_file_id", sa.String(64), nullable=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=True),
        sa.Column("display_currency", sa.String(8), nullable=False),
        sa.Column("ui_settings", sa.JSON, nullable=False),
        sa.Column("kyc_level", sa.Integer, nullable=False, server_default="0"),
        sa.Column("closure_requested_at", _TS, nullable=True),
        sa.Column("closure_reason", sa.String(500), nullable=True),
    )


def _create_kyc() -> None:
    op.create_table(
        "kyc_submissions",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("documents", sa.JSON, nullable=False),
        sa.Column("submitted_at", _TS, nullable=False),
        sa.Column("decided_at", _TS, nullable=True),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("reason", sa.String(500), nullable=True),
    )
    op.create_index("ix_kyc_submissions_user", "kyc_submissions", ["user_id", "id"])
    op.create_index("ix_kyc_submissions_queue", "kyc_submissions", ["status", "id"])
    op.create_index(
        "ux_kyc_submissions_one_pending",
        "kyc_submissions",
        ["user_id"],
        unique=True,
        sqlite_where=sa.text("status = 'PENDING'"),
        postgresql_where=sa.text("status = 'PENDING'"),
    )


def _create_audit() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(200), nullable=True),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("request_id", sa.String(128), nullable=True),
        sa.Column("at", _TS, nullable=False),
    )
    op.create_index("ix_audit_log_target", "audit_log", ["target", "id"])


def upgrade() -> None:
    _create_profiles()
    _create_kyc()
    _create_audit()
    create_outbox_tables()


def downgrade() -> None:
    drop_outbox_tables()
    op.drop_index("ix_audit_log_target", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ux_kyc_submissions_one_pending", table_name="kyc_submissions")
    op.drop_index("ix_kyc_submissions_queue", table_name="kyc_submissions")
    op.drop_index("ix_kyc_submissions_user", table_name="kyc_submissions")
    op.drop_table("kyc_submissions")
    op.drop_table("profiles")
