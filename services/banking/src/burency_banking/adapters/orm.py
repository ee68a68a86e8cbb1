"""The banking service's tables (SQLAlchemy Core): the ledger, the user directory,
and the outbox and inbox.

Ledger tables:

* ``ledger_accounts``: one row per (owner, asset). ``posted`` (credits minus debits of
  posted transfers) and ``held`` (open holds debiting the account) are a cache kept in
  the same transaction as every movement; the CHECK constraint ``ck_ledger_accounts_
  user_not_negative`` makes the database itself refuse a user account whose available
  balance (``posted - held``) would go below zero. System accounts are exempt.
* ``ledger_transfers``: append-only. Rows are never deleted and their amounts never
  change; the one update the ledger makes is a hold's ``status`` going from
  ``pending`` to ``posted`` or ``voided``, once (guarded by ``WHERE status =
  'pending'``). ``hold`` marks rows that were created as holds.

Other parts of the service (the flows) add their own tables in later migrations.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Index,
    MetaData,
    String,
    Table,
    text,
)

from burency_common.db import UtcDateTime  # re-exported: the flow and chain tables use it
from burency_common.idempotency import idempotency_keys_table
from burency_common.outbox import outbox_tables

__all__ = [
    "UtcDateTime",
    "idempotency_keys",
    "inbox",
    "ledger_accounts",
    "ledger_transfers",
    "metadata",
    "outbox",
    "user_directory",
]

metadata = MetaData()
outbox, inbox = outbox_tables(metadata)


_TS = UtcDateTime()
ACCOUNT_ID = String(100)
TRANSFER_ID = String(128)
USER_NOT_NEGATIVE = "is_system OR posted - held >= 0"

ledger_accounts = Table(
    "ledger_accounts",
    metadata,
    Column("id", ACCOUNT_ID, primary_key=True),
    Column("asset", String(10), nullable=False),
    Column("kind", String(32), nullable=False),  # "user" or a SystemAccount value
    Column("user_id", String(64), nullable=True),
    Column("is_system", Boolean, nullable=False),
    Column("posted", BigInteger, nullable=False, server_default="0"),
    Column("held", BigInteger, nullable=False, server_default="0"),
    Column("created_at", _TS, nullable=False),
    CheckConstraint(USER_NOT_NEGATIVE, name="ck_ledger_accounts_user_not_negative"),
    CheckConstraint("held >= 0", name="ck_ledger_accounts_held_not_negative"),
)
Index("ix_ledger_accounts_user", ledger_accounts.c.user_id, ledger_accounts.c.asset)

ledger_transfers = Table(
    "ledger_transfers",
    metadata,
    Column("id", TRANSFER_ID, primary_key=True),
    Column("asset", String(10), nullable=False),
    Column("debit", ACCOUNT_ID, nullable=False),
    Column("credit", ACCOUNT_ID, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("status", String(8), nullable=False),
    Column("hold", Boolean, nullable=False),
    Column("pending_id", TRANSFER_ID, nullable=True),
    Column("reference", String(128), nullable=True),
    Column("memo", String(500), nullable=True),
    Column("created_at", _TS, nullable=False),
    CheckConstraint("amount > 0", name="ck_ledger_transfers_amount_positive"),
)
Index("ix_ledger_transfers_debit", ledger_transfers.c.debit, ledger_transfers.c.created_at)
Index("ix_ledger_transfers_credit", ledger_transfers.c.credit, ledger_transfers.c.created_at)
Index(
    "ux_ledger_transfers_one_settlement",
    ledger_transfers.c.pending_id,
    unique=True,
    sqlite_where=text("pending_id IS NOT NULL"),
    postgresql_where=text("pending_id IS NOT NULL"),
)
Index(
    "ix_ledger_transfers_open_holds",
    ledger_transfers.c.debit,
    sqlite_where=text("status = 'pending'"),
    postgresql_where=text("status = 'pending'"),
)

user_directory = Table(
    "user_directory",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("email", String(320), nullable=False),
    Column("created_at", _TS, nullable=False),
)
Index("ix_user_directory_email", user_directory.c.email)

idempotency_keys = idempotency_keys_table(metadata)  # the shared schema (same columns, index)
