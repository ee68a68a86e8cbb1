"""Tables of the simulated chain (``sim_*``), created by migration 0002.

They live in the banking database so the simulation survives restarts and works the
same in distributed mode, but banking's own code never reads them: only
:class:`~burency_banking.chain.simulated.SimulatedChain` does, as a node would.
"""

from __future__ import annotations

import sqlalchemy as sa

from burency_banking.adapters.orm import UtcDateTime

__all__ = [
    "sim_addresses",
    "sim_blocks",
    "sim_metadata",
    "sim_networks",
    "sim_outputs",
    "sim_transactions",
]

sim_metadata = sa.MetaData()
_TS = UtcDateTime()

sim_networks = sa.Table(
    "sim_networks",
    sim_metadata,
    sa.Column("network", sa.String(16), primary_key=True),
    sa.Column("height", sa.Integer, nullable=False),
)

sim_blocks = sa.Table(
    "sim_blocks",
    sim_metadata,
    sa.Column("network", sa.String(16), primary_key=True),
    sa.Column("height", sa.Integer, primary_key=True),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("mined_at", _TS, nullable=False),
)

sim_addresses = sa.Table(
    "sim_addresses",
    sim_metadata,
    sa.Column("network", sa.String(16), primary_key=True),
    sa.Column("address", sa.String(128), primary_key=True),
    sa.Column("created_at", _TS, nullable=False),
)

sim_transactions = sa.Table(
    "sim_transactions",
    sim_metadata,
    sa.Column("network", sa.String(16), primary_key=True),
    sa.Column("txid", sa.String(66), primary_key=True),
    sa.Column("direction", sa.String(3), nullable=False),  # "in" | "out"
    sa.Column("block_height", sa.Integer, nullable=True),  # None: in the mempool
    sa.Column("dropped", sa.Boolean, nullable=False),
    sa.Column("reference", sa.String(128), nullable=True),
    sa.Column("created_at", _TS, nullable=False),
    sa.UniqueConstraint("network", "reference", name="uq_sim_transactions_reference"),
)

sim_outputs = sa.Table(
    "sim_outputs",
    sim_metadata,
    sa.Column("network", sa.String(16), primary_key=True),
    sa.Column("txid", sa.String(66), primary_key=True),
    sa.Column("output_index", sa.Integer, primary_key=True),
    sa.Column("address", sa.String(128), nullable=False),
    sa.Column("asset", sa.String(10), nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Index("ix_sim_outputs_address", "network", "address"),
)
