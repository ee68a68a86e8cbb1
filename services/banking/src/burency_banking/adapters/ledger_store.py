"""SQL of the ledger: row locking, transfer rows, balance deltas (one round trip each).

The adapter of the ledger's pure rules (:mod:`burency_banking.domain.ledger`), which
:class:`burency_banking.service.ledger.Ledger` runs between these reads and writes.
On PostgreSQL account rows are locked with ``SELECT ... ORDER BY id FOR UPDATE``: the
lock node sits above the sort, so every transaction locks its accounts in the same
(ascending id) order and two transfers between the same accounts can never deadlock.
SQLite ignores ``FOR UPDATE``; there the banking engine begins every transaction with
``BEGIN IMMEDIATE`` (:func:`burency_banking.adapters.db.create_banking_engine`), so
writers are serialised as a whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from typing import Any, Protocol

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Row,
    Select,
    String,
    Update,
    bindparam,
    case,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from burency_banking.adapters.asyncpg_direct import fetch_on_asyncpg
from burency_banking.adapters.orm import ledger_accounts, ledger_transfers
from burency_banking.domain.model import Balance, LockedAccount, Transfer, TransferRecord
from burency_common import db as db_helpers

__all__ = [
    "apply_deltas",
    "balance_of",
    "dialect_of",
    "get_transfers",
    "insert_account",
    "insert_ignore",
    "lock_accounts",
    "row_to_transfer",
    "set_hold_status",
    "transfer_in_one_statement",
]

_A = ledger_accounts.c
_T = ledger_transfers.c


def dialect_of(db: AsyncConnection) -> str:
    return db.dialect.name


@cache
def _lock_statement() -> Select[Any]:
    """Built once: statements are reused with bound parameters (the ledger is hot code)."""
    return (
        select(_A.id, _A.asset, _A.is_system, _A.posted, _A.held)
        .where(_A.id.in_(bindparam("ids", expanding=True)))
        .order_by(_A.id)
        .with_for_update()
    )


@cache
def _insert_statement(dialect: str) -> Any:
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return builder(ledger_transfers).on_conflict_do_nothing()


@cache
def _update_statements() -> tuple[Update, Update]:
    """(one account, two accounts) ``posted``/``held`` increments."""
    one = (
        update(ledger_accounts)
        .where(_A.id == bindparam("a1", type_=String))
        .values(
            posted=_A.posted + bindparam("p1", type_=BigInteger),
            held=_A.held + bindparam("h1", type_=BigInteger),
        )
    )
    first = _A.id == bindparam("a1", type_=String)
    two = (
        update(ledger_accounts)
        .where(_A.id.in_([bindparam("a1", type_=String), bindparam("a2", type_=String)]))
        .values(
            posted=_A.posted
            + case(
                (first, bindparam("p1", type_=BigInteger)), else_=bindparam("p2", type_=BigInteger)
            ),
            held=_A.held
            + case(
                (first, bindparam("h1", type_=BigInteger)), else_=bindparam("h2", type_=BigInteger)
            ),
        )
    )
    return one, two


class _ByName(Protocol):
    """A row read by column name: a ``RowMapping``, a dict, an asyncpg ``Record``."""

    def __getitem__(self, key: str, /) -> Any: ...


def _locked(row: _ByName) -> LockedAccount:
    return LockedAccount(row["id"], row["asset"], bool(row["is_system"]), int(row["posted"]),
                         int(row["held"]))  # fmt: skip


async def lock_accounts(db: AsyncConnection, ids: Iterable[str]) -> dict[str, LockedAccount]:
    """The account rows of ``ids``, locked ``FOR UPDATE`` in ascending id order."""
    result = await db.execute(_lock_statement(), {"ids": sorted(set(ids))})
    return {row.id: _locked(row._mapping) for row in result}


async def get_transfers(db: AsyncConnection, ids: Iterable[str]) -> dict[str, TransferRecord]:
    stmt = select(ledger_transfers).where(_T.id.in_(sorted(set(ids))))
    rows: list[Row[Any]] = list((await db.execute(stmt)).all())
    return {row.id: TransferRecord(row_to_transfer(row), bool(row.hold)) for row in rows}


async def insert_ignore(db: AsyncConnection, values: Mapping[str, Any]) -> bool:
    """Insert a transfer row unless its id (or its hold's settlement) exists; True if new.

    On PostgreSQL a concurrent insert of the same id waits for the other transaction
    and then reports the conflict, so the caller can compare bodies.
    """
    result = await db.execute(_insert_statement(dialect_of(db)), dict(values))
    return bool(getattr(result, "rowcount", 0) == 1)


async def apply_deltas(db: AsyncConnection, deltas: Mapping[str, tuple[int, int]]) -> None:
    """Add ``(posted_delta, held_delta)`` to one or two accounts, in one statement."""
    items = sorted(deltas.items())
    one, two = _update_statements()
    params: dict[str, Any] = {}
    for n, (account, (posted, held)) in enumerate(items, start=1):
        params |= {f"a{n}": account, f"p{n}": posted, f"h{n}": held}
    if len(items) not in (1, 2):
        raise ValueError("a ledger movement touches one or two accounts")
    await db.execute(one if len(items) == 1 else two, params)


async def set_hold_status(db: AsyncConnection, hold_id: str, status: str) -> bool:
    """Settle an open hold (compare-and-set on ``pending``); True when this call did."""
    result = await db.execute(
        update(ledger_transfers)
        .where(_T.id == hold_id, _T.status == "pending")
        .values(status=status)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def row_to_transfer(row: Row[Any] | Mapping[str, Any]) -> Transfer:
    data = row._mapping if isinstance(row, Row) else row
    return Transfer(
        id=data["id"],
        asset=data["asset"],
        debit=data["debit"],
        credit=data["credit"],
        amount=int(data["amount"]),
        kind=data["kind"],
        status=data["status"],
        pending_id=data["pending_id"],
        reference=data["reference"],
        memo=data["memo"],
        created_at=data["created_at"],
    )


def balance_of(row: Row[Any]) -> Balance:
    return Balance.of(int(row.posted), int(row.held))


async def insert_account(db: AsyncConnection, values: Mapping[str, Any]) -> None:
    """Create an account unless a concurrent transaction just did (then nothing happens)."""
    await db_helpers.insert_ignore(db, ledger_accounts, values)


_PG_TRANSFER = text(
    """
WITH locked AS (
    SELECT id, asset, is_system, posted, held FROM ledger_accounts
    WHERE id IN (:debit, :credit) ORDER BY id FOR UPDATE
), ok AS (
    SELECT 1 AS one FROM locked
    WHERE id = :debit AND (is_system OR posted - held >= :amount)
      AND (SELECT count(*) FROM locked WHERE asset = :asset) = 2
), ins AS (
    INSERT INTO ledger_transfers (id, asset, debit, credit, amount, kind, status, hold,
                                  pending_id, reference, memo, created_at)
    SELECT :id, :asset, :debit, :credit, :amount, :kind, :status, :hold,
           NULL, :reference, :memo, :created_at FROM ok
    ON CONFLICT DO NOTHING RETURNING id
), upd AS (
    UPDATE ledger_accounts AS a
    SET posted = a.posted + CASE WHEN a.id = :debit THEN :debit_posted ELSE :credit_posted END,
        held = a.held + CASE WHEN a.id = :debit THEN :debit_held ELSE 0 END
    FROM ins WHERE a.id IN (:debit, :credit)
    RETURNING a.id
)
SELECT l.id, l.asset, l.is_system, l.posted, l.held,
       (SELECT count(*) FROM ins) AS inserted, (SELECT count(*) FROM upd) AS updated
FROM locked AS l
"""
).bindparams(
    bindparam("amount", type_=BigInteger),
    bindparam("debit_posted", type_=BigInteger),
    bindparam("credit_posted", type_=BigInteger),
    bindparam("debit_held", type_=BigInteger),
    bindparam("hold", type_=Boolean),
    bindparam("created_at", type_=DateTime(timezone=True)),
    bindparam("reference", type_=String),
    bindparam("memo", type_=String),
)


@lru_cache(maxsize=8)
def _positional_transfer(dialect: Dialect) -> tuple[str, tuple[str, ...]] | None:
    """The transfer statement compiled once for ``dialect``, with its parameter order,
    when the driver takes positional parameters (asyncpg: ``$1``..``$14``).

    The text goes to asyncpg directly (:func:`fetch_on_asyncpg`, ADR 0013), or through
    ``exec_driver_sql`` when that cannot be used; either way SQLAlchemy's per-call
    statement compilation and parameter processing are skipped. It is SQLAlchemy's own
    compilation of :data:`_PG_TRANSFER`, casts included, so every path runs the same SQL.
    """
    compiled = _PG_TRANSFER.compile(dialect=dialect)
    order = compiled.positiontup
    return (str(compiled), tuple(order)) if order else None


async def transfer_in_one_statement(
    db: AsyncConnection, values: Mapping[str, Any]
) -> tuple[dict[str, LockedAccount], bool]:
    """PostgreSQL: lock both accounts (in id order), check funds, insert the transfer and
    move the balances in ONE statement (one round trip instead of three). Returns the
    locked account rows (as they were before this movement) and whether it was recorded;
    when it was not, the caller works out why from the rows, exactly as on the
    statement-by-statement path (which SQLite uses)."""
    amount = int(values["amount"])
    pending = bool(values["hold"])
    params = {
        **{k: values[k] for k in ("id", "asset", "debit", "credit", "kind", "status", "hold",
                                   "reference", "memo", "created_at")},
        "amount": amount,
        "debit_posted": 0 if pending else -amount,
        "credit_posted": 0 if pending else amount,
        "debit_held": amount if pending else 0,
    }  # fmt: skip
    rows = await _run_transfer(db, params)
    inserted = bool(rows) and int(rows[0]["inserted"]) == 1
    if inserted and int(rows[0]["updated"]) != 2:
        raise RuntimeError("ledger: a recorded transfer must update exactly two accounts")
    return {row["id"]: _locked(row) for row in rows}, inserted


async def _run_transfer(db: AsyncConnection, params: dict[str, Any]) -> list[_ByName]:
    """On asyncpg straight on the driver (:func:`fetch_on_asyncpg`), else via SQLAlchemy."""
    compiled = _positional_transfer(db.dialect)
    if compiled is None:
        return [row._mapping for row in await db.execute(_PG_TRANSFER, params)]
    sql, order = compiled
    args = tuple(params[name] for name in order)
    rows: list[_ByName] | None = await fetch_on_asyncpg(db, sql, args)
    if rows is None:
        rows = [row._mapping for row in await db.exec_driver_sql(sql, args)]
    return rows
