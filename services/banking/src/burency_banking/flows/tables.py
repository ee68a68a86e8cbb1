"""Tables of the money flows (deposits, withdrawals, limits, audit), created by 0002.

They join the ledger's ``metadata`` so one ``MetaData`` describes the whole schema.
Amounts are ``BIGINT`` minor units of the row's asset. Uniqueness carries the
exactly-once rules: a chain output is one deposit (``network, txid, output_index``),
a fiat deposit reference is unique, one hold per withdrawal.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from burency_banking.adapters.orm import UtcDateTime, metadata

__all__ = [
    "banking_audit",
    "chain_cursors",
    "crypto_deposits",
    "deposit_addresses",
    "fiat_deposits",
    "user_kyc_levels",
    "withdrawals",
]

_TS = UtcDateTime()
_ID = String(36)
_USER = String(64)

deposit_addresses = Table(
    "deposit_addresses",
    metadata,
    Column("user_id", _USER, primary_key=True),
    Column("asset", String(10), primary_key=True),
    Column("network", String(16), primary_key=True),
    Column("address", String(128), nullable=False),
    Column("created_at", _TS, nullable=False),
    UniqueConstraint("network", "address", name="uq_deposit_addresses_address"),
)

chain_cursors = Table(
    "chain_cursors",
    metadata,
    Column("network", String(16), primary_key=True),
    Column("height", Integer, nullable=False),
    Column("updated_at", _TS, nullable=False),
)

crypto_deposits = Table(
    "crypto_deposits",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("user_id", _USER, nullable=False),
    Column("asset", String(10), nullable=False),
    Column("network", String(16), nullable=False),
    Column("address", String(128), nullable=False),
    Column("txid", String(128), nullable=False),
    Column("output_index", Integer, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("confirmations", Integer, nullable=False),
    Column("required_confirmations", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # PENDING | CREDITED | DROPPED
    Column("transfer_id", String(128), nullable=True),
    Column("created_at", _TS, nullable=False),
    Column("updated_at", _TS, nullable=False),
    Column("credited_at", _TS, nullable=True),
    UniqueConstraint("network", "txid", "output_index", name="uq_crypto_deposits_output"),
)
Index("ix_crypto_deposits_user", crypto_deposits.c.user_id, crypto_deposits.c.id)
Index("ix_crypto_deposits_status", crypto_deposits.c.network, crypto_deposits.c.status)

fiat_deposits = Table(
    "fiat_deposits",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("user_id", _USER, nullable=False),
    Column("asset", String(10), nullable=False),
    Column("amount", BigInteger, nullable=False),  # what the user said they would send
    Column("credited_amount", BigInteger, nullable=True),  # what was received, on approval
    Column("reference", String(32), nullable=False),
    Column("status", String(16), nullable=False),  # PENDING | APPROVED | REJECTED
    Column("reason", String(500), nullable=True),
    Column("decided_by", _USER, nullable=True),
    Column("decided_at", _TS, nullable=True),
    Column("transfer_id", String(128), nullable=True),
    Column("created_at", _TS, nullable=False),
    UniqueConstraint("reference", name="uq_fiat_deposits_reference"),
)
Index("ix_fiat_deposits_user", fiat_deposits.c.user_id, fiat_deposits.c.id)
Index("ix_fiat_deposits_status", fiat_deposits.c.status, fiat_deposits.c.id)

withdrawals = Table(
    "withdrawals",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("user_id", _USER, nullable=False),
    Column("kind", String(8), nullable=False),  # CRYPTO | FIAT
    Column("asset", String(10), nullable=False),
    Column("network", String(16), nullable=True),
    Column("address", String(128), nullable=True),
    Column("iban", String(34), nullable=True),
    Column("beneficiary_name", String(140), nullable=True),
    Column("amount", BigInteger, nullable=False),
    Column("fee", BigInteger, nullable=False),
    Column("status", String(20), nullable=False),
    Column("hold_id", String(128), nullable=False),
    Column("txid", String(128), nullable=True),
    Column("bank_reference", String(64), nullable=True),
    Column("reason", String(500), nullable=True),
    Column("decided_by", _USER, nullable=True),
    Column("created_at", _TS, nullable=False),
    Column("updated_at", _TS, nullable=False),
    Column("completed_at", _TS, nullable=True),
)
Index("ix_withdrawals_user", withdrawals.c.user_id, withdrawals.c.id)
Index("ix_withdrawals_status", withdrawals.c.status, withdrawals.c.id)
Index("ix_withdrawals_usage", withdrawals.c.user_id, withdrawals.c.asset, withdrawals.c.created_at)

user_kyc_levels = Table(
    "user_kyc_levels",
    metadata,
    Column("user_id", _USER, primary_key=True),
    Column("level", Integer, nullable=False),
    Column("changed_at", _TS, nullable=True),  # of the kyc.status_changed applied last
)

banking_audit = Table(
    "banking_audit",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("actor_id", _USER, nullable=False),
    Column("action", String(64), nullable=False),
    Column("object_type", String(32), nullable=False),
    Column("object_id", String(64), nullable=False),
    Column("details", JSON, nullable=False),
    Column("created_at", _TS, nullable=False),
)
Index("ix_banking_audit_object", banking_audit.c.object_type, banking_audit.c.object_id)
