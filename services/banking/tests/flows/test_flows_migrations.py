"""Migration 0002 creates exactly the flows' and the simulated chain's tables (columns,
types, nullability, indexes, unique constraints), on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData

from burency_banking.chain.tables import sim_metadata
from burency_banking.flows import tables as flows_tables

from ..banking_testing.harness import LedgerDb

FLOWS = [
    flows_tables.deposit_addresses, flows_tables.chain_cursors, flows_tables.crypto_deposits,
    flows_tables.fiat_deposits, flows_tables.withdrawals, flows_tables.user_kyc_levels,
    flows_tables.banking_audit,
]  # fmt: skip


def _expected() -> MetaData:
    expected = MetaData()
    for table in [*FLOWS, *sim_metadata.tables.values()]:
        table.to_metadata(expected)
    return expected


def _tables_in(diff: Any) -> set[str]:
    found: set[str] = set()
    for item in diff if isinstance(diff, list) else [diff]:
        for part in item if isinstance(item, tuple) else (item,):
            table = getattr(part, "table", None)
            if table is not None:
                found.add(str(table.name))
            elif isinstance(part, str):
                found.add(part)
            elif getattr(part, "name", None) is not None and hasattr(part, "columns"):
                found.add(str(part.name))
    return found


async def test_migration_matches_the_flows_tables(ledger_db: LedgerDb) -> None:
    expected = _expected()
    mine = set(expected.tables)
    assert len(mine) == 12

    def diff(sync_conn: Any) -> list[Any]:
        options = {"compare_type": True}
        context = MigrationContext.configure(sync_conn, opts=options)
        return list(compare_metadata(context, expected))

    async with ledger_db.engine.connect() as conn:
        differences = await conn.run_sync(diff)
    assert [d for d in differences if _tables_in(d) & mine] == []


def test_the_filter_sees_flows_tables() -> None:
    expected = _expected()
    assert "withdrawals" in _tables_in(("add_table", expected.tables["withdrawals"]))
    assert "sim_outputs" in _tables_in([("modify_nullable", None, "sim_outputs", "amount")])
