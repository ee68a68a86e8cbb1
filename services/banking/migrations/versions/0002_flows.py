"""banking flows: simulated chain, deposit addresses, crypto and fiat deposits,
withdrawals, KYC levels for limits, audit log

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def _create_sim_networks() -> None:
    op.create_table(
        "sim_networks",
        sa.Column("network", sa.String(16), primary_key=True),
        sa.Column("height", sa.Integer, nullable=False),
    )


def _create_sim_blocks() -> None:
    op.create_table(
        "sim_blocks",
        sa.Column("network", sa.String(16), primary_key=True),
        sa.Column("height", sa.Integer, primary_key=True),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("mined_at", _TS, nullable=False),
    )


def _create_sim_addresses() -> None:
    op.create_table(
        "sim_addresses",
        sa.Column("network", sa.String(16), primary_key=True),
        sa.Column("address", sa.String(128), primary_key=True),
        sa.Column("created_at", _TS, nullable=False),
    )


def _create_sim_transactions() -> None:
    op.create_table(
        "sim_transactions",
        sa.Column("network", sa.String(16), primary_key=True),
        sa.Column("txid", sa.String(66), primary_key=True),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("block_height", sa.Integer, nullable=True),
        sa.Column("dropped", sa.Boolean, nullable=False),
        sa.Column("reference", sa.String(128), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.UniqueConstraint("network", "reference", name="uq_sim_transactions_reference"),
    )


def _create_sim_outputs() -> None:
    op.create_table(
        "sim_outputs",
        sa.Column("network", sa.String(16), primary_key=True),
        sa.Column("txid", sa.String(66), primary_key=True),
        sa.Column("output_index", sa.Integer, primary_key=True),
        sa.Column("address", sa.String(128), nullable=False),
        sa.Column("asset", sa.String(10), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_sim_outputs_address", "sim_outputs", ["network", "address"])


def _create_deposit_addresses() -> None:
    op.create_table(
        "deposit_addresses",
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("asset", sa.String(10), primary_key=True),
        sa.Column("network", sa.String(16), primary_key=True),
        sa.Column("address", sa.String(128), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.UniqueConstraint("network", "address", name="uq_deposit_addresses_address"),
    )


def _create_chain_cursors() -> None:
    op.create_table(
        "chain_cursors",
        sa.Column("network", sa.String(16), primary_key=True),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )


def _create_crypto_deposits() -> None:
    op.create_table(
        "crypto_deposits",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("asset", sa.String(10), nullable=False),
        sa.Column("network", sa.String(16), nullable=False),
        sa.Column("address", sa.String(128), nullable=False),
        sa.Column("txid", sa.String(128), nullable=False),
        sa.Column("output_index", sa.Integer, nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("confirmations", sa.Integer, nullable=False),
        sa.Column("required_confirmations", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("transfer_id", sa.String(128), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("credited_at", _TS, nullable=True),
        sa.UniqueConstraint("network", "txid", "output_index", name="uq_crypto_deposits_output"),
    )
    op.create_index("ix_crypto_deposits_status", "crypto_deposits", ["network", "status"])
    op.create_index("ix_crypto_deposits_user", "crypto_deposits", ["user_id", "id"])


def _create_fiat_deposits() -> None:
    op.create_table(
        "fiat_deposits",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("asset", sa.String(10), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("credited_amount", sa.BigInteger, nullable=True),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", _TS, nullable=True),
        sa.Column("transfer_id", sa.String(128), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.UniqueConstraint("reference", name="uq_fiat_deposits_reference"),
    )
    op.create_index("ix_fiat_deposits_status", "fiat_deposits", ["status", "id"])
    op.create_index("ix_fiat_deposits_user", "fiat_deposits", ["user_id", "id"])


def _create_withdrawals() -> None:
    op.create_table(
        "withdrawals",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("asset", sa.String(10), nullable=False),
        sa.Column("network", sa.String(16), nullable=True),
        sa.Column("address", sa.String(128), nullable=True),
        sa.Column("iban", sa.String(34), nullable=True),
        sa.Column("beneficiary_name", sa.String(140), nullable=True),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("fee", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("hold_id", sa.String(128), nullable=False),
        sa.Column("txid", sa.String(128), nullable=True),
        sa.Column("bank_reference", sa.String(64), nullable=True),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("completed_at", _TS, nullable=True),
    )
    op.create_index("ix_withdrawals_status", "withdrawals", ["status", "id"])
    op.create_index("ix_withdrawals_usage", "withdrawals", ["user_id", "asset", "created_at"])
    op.create_index("ix_withdrawals_user", "withdrawals", ["user_id", "id"])


def _create_user_kyc_levels() -> None:
    op.create_table(
        "user_kyc_levels",
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("changed_at", _TS, nullable=True),
    )


def _create_banking_audit() -> None:
    op.create_table(
        "banking_audit",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("object_type", sa.String(32), nullable=False),
        sa.Column("object_id", sa.String(64), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_index("ix_banking_audit_object", "banking_audit", ["object_type", "object_id"])


_TABLES = (
    "sim_networks",
    "sim_blocks",
    "sim_addresses",
    "sim_transactions",
    "sim_outputs",
    "deposit_addresses",
    "chain_cursors",
    "crypto_deposits",
    "fiat_deposits",
    "withdrawals",
    "user_kyc_levels",
    "banking_audit",
)
_INDEXES = {
    "sim_outputs": ("ix_sim_outputs_address",),
    "crypto_deposits": ("ix_crypto_deposits_status", "ix_crypto_deposits_user"),
    "fiat_deposits": ("ix_fiat_deposits_status", "ix_fiat_deposits_user"),
    "withdrawals": ("ix_withdrawals_status", "ix_withdrawals_usage", "ix_withdrawals_user"),
    "banking_audit": ("ix_banking_audit_object",),
}


def upgrade() -> None:
    _create_sim_networks()
    _create_sim_blocks()
    _create_sim_addresses()
    _create_sim_transactions()
    _create_sim_outputs()
    _create_deposit_addresses()
    _create_chain_cursors()
    _create_crypto_deposits()
    _create_fiat_deposits()
    _create_withdrawals()
    _create_user_kyc_levels()
    _create_banking_audit()


def downgrade() -> None:
    for table in reversed(_TABLES):
        for index in _INDEXES.get(table, ()):
            op.drop_index(index, table_name=table)
        op.drop_table(table)
