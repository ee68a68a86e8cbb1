"""What the flows return: plain records read from their rows (no ORM objects leak out)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Self

from sqlalchemy import Select, Table
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["CryptoDeposit", "FiatDeposit", "Withdrawal", "page_of"]


class _FromRow:
    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(**{f.name: row[f.name] for f in fields(cls)})  # type: ignore[arg-type]


@dataclass(frozen=True)
class CryptoDeposit(_FromRow):
    id: str
    user_id: str
    asset: str
    network: str
    address: str
    txid: str
    output_index: int
    amount: int
    confirmations: int
    required_confirmations: int
    status: str
    created_at: datetime
    credited_at: datetime | None


@dataclass(frozen=True)
class FiatDeposit(_FromRow):
    id: str
    user_id: str
    asset: str
    amount: int
    credited_amount: int | None
    reference: str
    status: str
    reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class Withdrawal(_FromRow):
    id: str
    user_id: str
    kind: str
    asset: str
    network: str | None
    address: str | None
    iban: str | None
    beneficiary_name: str | None
    amount: int
    fee: int
    status: str
    hold_id: str
    txid: str | None
    bank_reference: str | None
    reason: str | None
    decided_by: str | None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


async def page_of(
    db: AsyncConnection, table: Table, query: Select[Any], *, limit: int, cursor: str | None
) -> tuple[list[RowMapping], str | None]:
    """Newest first by id (UUIDv7: time-ordered); ``cursor`` is the last id seen."""
    if cursor:
        query = query.where(table.c.id < cursor)
    rows = (await db.execute(query.order_by(table.c.id.desc()).limit(limit + 1))).mappings().all()
    more = len(rows) > limit
    rows = rows[:limit]
    return list(rows), (str(rows[-1]["id"]) if more and rows else None)
