"""The auth service's tables (SQLAlchemy Core), including its outbox and inbox.

Secrets are never stored in a form that lets a database reader use them: passwords
as argon2id hashes, refresh/e-mail/reset tokens and recovery codes as SHA-256 of
256-bit (or 80-bit, recovery codes) random values, TOTP secrets AES-GCM encrypted.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
)

from burency_common.outbox import outbox_tables

__all__ = [
    "audit_log",
    "inbox",
    "login_attempts",
    "metadata",
    "one_time_tokens",
    "outbox",
    "recovery_codes",
    "refresh_tokens",
    "sessions",
    "user_roles",
    "users",
]

metadata = MetaData()
outbox, inbox = outbox_tables(metadata)

_TS = DateTime(timezone=True)
_ID = String(36)
_STEP = BigInteger().with_variant(Integer(), "sqlite")

users = Table(
    "users",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("email", String(320), nullable=False),
    Column("email_key", String(320), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", _TS, nullable=False),
    Column("email_verified_at", _TS, nullable=True),
    Column("disabled_at", _TS, nullable=True),
    Column("referral_code", String(64), nullable=True),
    Column("password_changed_at", _TS, nullable=True),
    Column("totp_secret", LargeBinary, nullable=True),
    Column("totp_pending_secret", LargeBinary, nullable=True),
    Column("totp_enabled_at", _TS, nullable=True),
    Column("totp_last_step", _STEP, nullable=True),
)

user_roles = Table(
    "user_roles",
    metadata,
    Column("user_id", _ID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(32), primary_key=True),
    Column("granted_at", _TS, nullable=False),
    Column("granted_by", _ID, nullable=True),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("user_id", _ID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("device", String(200), nullable=False),
    Column("ip", String(64), nullable=False),
    Column("created_at", _TS, nullable=False),
    Column("last_used_at", _TS, nullable=False),
    Column("expires_at", _TS, nullable=False),
    Column("revoked_at", _TS, nullable=True),
    Column("revoke_reason", String(50), nullable=True),
)
Index("ix_sessions_user", sessions.c.user_id, sessions.c.revoked_at)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("family_id", _ID, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("secret_hash", String(64), nullable=False),
    Column("created_at", _TS, nullable=False),
    Column("rotated_at", _TS, nullable=True),
    Column("successor_id", _ID, nullable=True),
    Column("successor_sealed", LargeBinary, nullable=True),
)
Index("ix_refresh_tokens_family", refresh_tokens.c.family_id)

one_time_tokens = Table(
    "one_time_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", _ID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("purpose", String(32), nullable=False),
    Column("created_at", _TS, nullable=False),
    Column("expires_at", _TS, nullable=False),
    Column("used_at", _TS, nullable=True),
)

recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("user_id", _ID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", _TS, nullable=False),
    Column("used_at", _TS, nullable=True),
)
Index("ix_recovery_codes_user", recovery_codes.c.user_id)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("account_key", String(64), nullable=False),
    Column("ip", String(64), nullable=False),
    Column("at", _TS, nullable=False),
    Column("succeeded", Boolean, nullable=False),
)
Index("ix_login_attempts_account", login_attempts.c.account_key, login_attempts.c.at)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("actor_id", _ID, nullable=True),
    Column("action", String(64), nullable=False),
    Column("target", String(200), nullable=True),
    Column("details", JSON, nullable=False),
    Column("ip", String(64), nullable=True),
    Column("request_id", String(128), nullable=True),
    Column("at", _TS, nullable=False),
)
