"""Trading → funding transfers that banking has not answered: record answers, re-request.

The engine debits the trading wallet (``TransferOut``) and the projection writes
``wallet.transfer.requested`` to the outbox in the same transaction. If banking never
answers (it was down past the consumer's retries and dead-lettered the request, or the
message was lost), the user's money would sit between the two wallets for good.
Banking's answers are recorded in ``funding_answers``; :class:`FundingResender` finds
transfer-outs the engine applied with no answer and no reversal after a while and
writes the request to the outbox again, under a new event id per period (banking's
inbox would drop a repeat of the first id). Banking credits a transfer id once and
answers a repeat with its first answer's id, so a re-sent request moves no money twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, exists, select
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_common.db import dialect_insert
from burency_common.events import EventRegistry
from burency_common.events.wallet import (
    TRADING_TO_FUNDING,
    WALLET_TRANSFER_REQUESTED,
    WalletTransferRequested,
)
from burency_common.money import format_amount
from burency_common.outbox import stable_event_id
from burency_common.outbox.writer import OUTBOX_WRITTEN
from burency_common.unit_of_work import connection_transaction
from burency_trading.adapters.orm import outbox, transfers
from burency_trading.adapters.orm_records import funding_answers

__all__ = ["COMPLETED", "FAILED", "FundingResender", "record_funding_answer"]

COMPLETED = "COMPLETED"
FAILED = "FAILED"
PRODUCER = "trading"
_BATCH = 500


async def record_funding_answer(
    engine: AsyncEngine, *, transfer_id: str, outcome: str, now: datetime
) -> None:
    """Remember banking's answer (the first one stands: answers are redelivered)."""
    async with engine.begin() as db:
        stmt = dialect_insert(db, funding_answers).on_conflict_do_nothing(
            index_elements=["transfer_id"]
        )
        await db.execute(stmt, {"transfer_id": transfer_id, "outcome": outcome,
                                "answered_at": now})  # fmt: skip


class FundingResender:
    """Writes ``requested`` again for transfer-outs banking has not answered."""

    def __init__(
        self,
        engine: AsyncEngine,
        registry: EventRegistry,
        *,
        scales: Mapping[str, int],
        after_commit: list[Callable[[], None]],
    ) -> None:
        self._engine = engine
        self._registry = registry
        self._scales = scales
        self._after_commit = after_commit

    async def resend_stale(self, *, now: datetime, wait_seconds: float) -> int:
        """Re-request every transfer-out older than ``wait_seconds`` with no answer and no
        reversal, at most once per ``wait_seconds`` period; returns how many."""
        t = transfers.c
        reversal = transfers.alias("reversal")
        older_than_us = int((now - timedelta(seconds=wait_seconds)).timestamp() * 1_000_000)
        stale = (
            select(t.transfer_id, t.user_id, t.asset, t.amount)
            .where(
                t.kind == "out",
                t.status == "APPLIED",
                t.ts < older_than_us,
                ~exists().where(
                    and_(reversal.c.transfer_id == t.transfer_id, reversal.c.kind == "out_reversal")
                ),
                ~exists().where(funding_answers.c.transfer_id == t.transfer_id),
            )
            .order_by(t.seq)
            .limit(_BATCH)
        )
        bucket = str(int(now.timestamp() // max(wait_seconds, 0.001)))
        async with connection_transaction(self._engine, self._after_commit) as db:
            rows = (await db.execute(stale)).mappings().all()
            if not rows:
                return 0
            messages = [self._request(dict(row), bucket, now) for row in rows]
            stmt = dialect_insert(db, outbox).on_conflict_do_nothing(index_elements=["event_id"])
            await db.execute(stmt, messages)
            db.info[OUTBOX_WRITTEN] = True  # the relay wakes when the connection is returned
        return len(rows)

    def _request(self, row: dict[str, object], bucket: str, now: datetime) -> dict[str, object]:
        asset = str(row["asset"])
        amount = row["amount"]
        assert isinstance(amount, int)
        payload = WalletTransferRequested(
            transfer_id=str(row["transfer_id"]),
            user_id=str(row["user_id"]),
            asset=asset,
            amount=format_amount(amount, self._scales.get(asset, 0)),
            direction=TRADING_TO_FUNDING,
        )
        event_id = stable_event_id(WALLET_TRANSFER_REQUESTED, payload.transfer_id, bucket)
        envelope = self._registry.build(
            payload, event_type=WALLET_TRANSFER_REQUESTED, producer=PRODUCER, id=event_id,
            occurred_at=now.astimezone(UTC),
        )  # fmt: skip
        return {
            "event_id": envelope.id, "topic": WALLET_TRANSFER_REQUESTED,
            "event_key": envelope.key, "body": envelope.to_bytes(), "created_at": now,
        }  # fmt: skip
