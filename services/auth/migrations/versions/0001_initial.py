"""auth: users, roles, sessions, refresh tokens, one-time tokens, 2FA, throttling, audit

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
_STEP = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _user_fk() -> sa.ForeignKey:
    return sa.ForeignKey("users.id", ondelete="CASCADE")


def _create_users() -> None:
    op.create_table(
        "users",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("email_key", sa.String(320), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("email_verified_at", _TS, nullable=True),
        sa.Column("disabled_at", _TS, nullable=True),
        sa.Column("referral_code", sa.String(64), nullable=True),
        sa.Column("password_changed_at", _TS, nullable=True),
        sa.Column("totp_secret", sa.LargeBinary, nullable=True),
        sa.Column("totp_pending_secret", sa.LargeBinary, nullable=True),
        sa.Column("totp_enabled_at", _TS, nullable=True),
        sa.Column("totp_last_step", _STEP, nullable=True),
    )
    op.create_table(
        "user_roles",
        sa.Column("user_id", _ID, _user_fk(), primary_key=True),
        sa.Column("role", sa.String(32), primary_key=True),
        sa.Column("granted_at", _TS, nullable=False),
        sa.Column("granted_by", _ID, nullable=True),
    )


def _create_sessions() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("user_id", _ID, _user_fk(), nullable=False),
        sa.Column("device", sa.String(200), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("last_used_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("revoked_at", _TS, nullable=True),
        sa.Column("revoke_reason", sa.String(50), nullable=True),
    )
    op.create_index("ix_sessions_user", "sessions", ["user_id", "revoked_at"])
    op.create_table(
        "refresh_tokens",
        sa.Column("id", _ID, primary_key=True),
        sa.Column(
            "family_id",
            _ID,
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("rotated_at", _TS, nullable=True),
        sa.Column("successor_id", _ID, nullable=True),
        sa.Column("successor_sealed", sa.LargeBinary, nullable=True),
    )
    op.create_index("ix_refresh_tokens_family", "refresh_tokens", ["family_id"])


def _create_secrets() -> None:
    op.create_table(
        "one_time_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", _ID, _user_fk(), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("used_at", _TS, nullable=True),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", _ID, _user_fk(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("used_at", _TS, nullable=True),
    )
    op.create_index("ix_recovery_codes_user", "recovery_codes", ["user_id"])


def _create_operations() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("account_key", sa.String(64), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("succeeded", sa.Boolean, nullable=False),
    )
    op.create_index("ix_login_attempts_account", "login_attempts", ["account_key", "at"])
    op.create_table(
        "audit_log",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("actor_id", _ID, nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(200), nullable=True),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("request_id", sa.String(128), nullable=True),
        sa.Column("at", _TS, nullable=False),
    )


def upgrade() -> None:
    create_outbox_tables()
    _create_users()
    _create_sessions()
    _create_secrets()
    _create_operations()


def downgrade() -> None:
    for table in ("audit_log", "login_attempts", "recovery_codes", "one_time_tokens"):
        op.drop_table(table)
    op.drop_table("refresh_tokens")
    op.drop_table("sessions")
    op.drop_table("user_roles")
    op.drop_table("users")
    drop_outbox_tables()
