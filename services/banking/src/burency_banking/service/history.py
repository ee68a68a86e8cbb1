"""Transaction history of one account: filters, keyset (cursor) pagination, CSV export.

Newest first, ordered by ``(created_at, id)``; the cursor is that pair of the last row
seen, so pages never skip or repeat a row when new transfers arrive meanwhile.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from burency_banking.adapters.ledger_store import row_to_transfer
from burency_banking.adapters.orm import ledger_transfers
from burency_banking.domain.errors import AccountNotFound
from burency_banking.domain.ledger import user_account_id
from burency_banking.domain.model import Transfer
from burency_banking.service.context import BankingContext
from burency_common.errors import ValidationFailed
from burency_common.money import format_amount
from burency_common.timeutil import parse_iso, to_iso_ms

__all__ = ["Entry", "HistoryFilter", "history_page", "statement_csv"]

_T = ledger_transfers.c
CSV_COLUMNS = ["date", "id", "kind", "status", "direction", "amount", "asset", "reference", "memo"]


@dataclass(frozen=True)
class HistoryFilter:
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Entry:
    """A transfer as seen from one account: ``direction`` is ``credit`` or ``debit``."""

    transfer: Transfer
    direction: str


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def encode_cursor(entry: Entry) -> str:
    raw = json.dumps([to_iso_ms(entry.transfer.created_at), entry.transfer.id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        at, transfer_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return parse_iso(at), str(transfer_id)
    except (ValueError, TypeError, binascii.Error):
        raise ValidationFailed("cursor is invalid", code="INVALID_CURSOR") from None


async def _account(ctx: BankingContext, db: AsyncConnection, user_id: str, asset: str) -> str:
    if asset not in ctx.assets:
        raise AccountNotFound(f"no {asset!r} account")
    account = user_account_id(user_id, asset)
    await ctx.ledger.account(db, account)  # AccountNotFound when never opened
    return account


async def _page(
    db: AsyncConnection, account: str, flt: HistoryFilter, after: tuple[datetime, str] | None,
    limit: int,
) -> list[Entry]:  # fmt: skip
    stmt = select(ledger_transfers).where(or_(_T.debit == account, _T.credit == account))
    if flt.kind:
        stmt = stmt.where(_T.kind == flt.kind)
    if (since := _utc(flt.since)) is not None:
        stmt = stmt.where(_T.created_at >= since)
    if (until := _utc(flt.until)) is not None:
        stmt = stmt.where(_T.created_at < until)
    if after is not None:
        at, tid = after
        stmt = stmt.where(or_(_T.created_at < at, and_(_T.created_at == at, _T.id < tid)))
    stmt = stmt.order_by(_T.created_at.desc(), _T.id.desc()).limit(limit)
    rows = (await db.execute(stmt)).all()
    return [Entry(row_to_transfer(r), "credit" if r.credit == account else "debit") for r in rows]


async def history_page(
    ctx: BankingContext, *, user_id: str, asset: str, flt: HistoryFilter,
    cursor: str | None, limit: int,
) -> tuple[list[Entry], str | None]:  # fmt: skip
    """One page (newest first) and the cursor of the next, if any."""
    after = _decode_cursor(cursor) if cursor else None
    async with ctx.transaction() as db:
        account = await _account(ctx, db, user_id, asset)
        entries = await _page(db, account, flt, after, limit + 1)
    more = len(entries) > limit
    entries = entries[:limit]
    return entries, (encode_cursor(entries[-1]) if more and entries else None)


def _safe(text: str | None) -> str:
    """Neutralise spreadsheet formulas in user-chosen text (CSV injection)."""
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text or ""


async def statement_csv(
    ctx: BankingContext, *, user_id: str, asset: str, flt: HistoryFilter, batch: int = 500
) -> AsyncIterator[str]:
    """The account's statement as CSV lines, fetched in batches (one short transaction
    each), so a long history streams without being held in memory. Raises before the
    first line when the account does not exist."""
    async with ctx.transaction() as db:
        account = await _account(ctx, db, user_id, asset)
    scale = ctx.assets.get(asset)

    async def lines() -> AsyncIterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        after: tuple[datetime, str] | None = None
        while True:
            async with ctx.transaction() as db:
                entries = await _page(db, account, flt, after, batch)
            for e in entries:
                t = e.transfer
                writer.writerow([to_iso_ms(t.created_at), t.id, t.kind, t.status, e.direction,
                                 format_amount(t.amount, scale), t.asset, _safe(t.reference),
                                 _safe(t.memo)])  # fmt: skip
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if len(entries) < batch:
                return
            last = entries[-1].transfer
            after = (last.created_at, last.id)

    return lines()
