"""banking: ledger accounts and transfers, user directory, idempotency keys, outbox, inbox

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
_ACCOUNT = sa.String(100)
_TRANSFER = sa.String(128)


def _create_accounts() -> None:
    op.create_table(
        "ledger_accounts",
        sa.Column("id", _ACCOUNT, primary_key=True),
        sa.Column("asset", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=True),
        sa.Column("is_system", sa.Boolean, nullable=False),
        sa.Column("posted", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("held", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("created_at", _TS, nullable=False),
        sa.CheckConstraint(
            "is_system OR posted - held >= 0", name="ck_ledger_accounts_user_not_negative"
        ),
        sa.CheckConstraint("held >= 0", name="ck_ledger_accounts_held_not_negative"),
    )
    op.create_index("ix_ledger_accounts_user", "ledger_accounts", ["user_id", "asset"])


def _create_transfers() -> None:
    op.create_table(
        "ledger_transfers",
        sa.Column("id", _TRANSFER, primary_key=True),
        sa.Column("asset", sa.String(10), nullable=False),
        sa.Column("debit", _ACCOUNT, nullable=False),
        sa.Column("credit", _ACCOUNT, nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("hold", sa.Boolean, nullable=False),
        sa.Column("pending_id", _TRANSFER, nullable=True),
        sa.Column("reference", sa.String(128), nullable=True),
        sa.Column("memo", sa.String(500), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.CheckConstraint("amount > 0", name="ck_ledger_transfers_amount_positive"),
    )
    op.create_index("ix_ledger_transfers_debit", "ledger_transfers", ["debit", "created_at"])
    op.create_index("ix_ledger_transfers_credit", "ledger_transfers", ["credit", "created_at"])
    op.create_index(
        "ux_ledger_transfers_one_settlement",
        "ledger_transfers",
        ["pending_id"],
        unique=True,
        sqlite_where=sa.text("pending_id IS NOT NULL"),
        postgresql_where=sa.text("pending_id IS NOT NULL"),
    )
    op.create_index(
        "ix_ledger_transfers_open_holds",
        "ledger_transfers",
        ["debit"],
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )


def _create_directory() -> None:
    op.create_table(
        "user_directory",
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_index("ix_user_directory_email", "user_directory", ["email"])


def _create_idempotency() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("scope", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=True),
        sa.Column("response", sa.JSON, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
    )


def upgrade() -> None:
    _create_accounts()
    _create_transfers()
    _create_directory()
    _create_idempotency()
    create_outbox_tables()


def downgrade() -> None:
    drop_outbox_tables()
    op.drop_table("idempotency_keys")
    op.drop_index("ix_user_directory_email", table_name="user_directory")
    op.drop_table("user_directory")
    for index in (
        "ix_ledger_transfers_open_holds",
        "ux_ledger_transfers_one_settlement",
        "ix_ledger_transfers_credit",
        "ix_ledger_transfers_debit",
    ):
        op.drop_index(index, table_name="ledger_transfers")
    op.drop_table("ledger_transfers")
    op.drop_index("ix_ledger_accounts_user", table_name="ledger_accounts")
    op.drop_table("ledger_accounts")
