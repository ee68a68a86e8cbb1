"""The banking side of the funding ↔ trading transfer saga (``wallet.transfer.*``).

funding → trading (started here, :func:`start_to_trading`): the user's funds are held
towards ``TRADING_CLEARING`` and ``requested`` is published in the same transaction.
Trading answers ``completed`` (the hold is posted) or ``failed`` (the hold is voided:
the user gets the money back).

trading → funding (started by trading): on ``requested`` the user is credited from
``TRADING_CLEARING`` and ``completed`` is published, or ``failed`` with a reason when
the request cannot be honoured (unknown user, unknown asset, bad amount).

Every handler claims the event in the inbox first; ledger ids and reply event ids are
derived from the saga's ``transfer_id``, so even a re-sent request under a new event id
has no second effect and produces the same reply id (deduplicated downstream). Events
this service published itself come back on the topics it consumes; they are ignored
by direction.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from burency_banking.adapters.ledger_store import get_transfers
from burency_banking.adapters.orm import inbox, ledger_transfers
from burency_banking.domain.errors import HoldNotPending, IdempotencyConflict, TransferNotFound
from burency_banking.domain.ledger import user_account_id
from burency_banking.domain.model import SystemAccount, Transfer, TransferSpec
from burency_banking.service import accounts
from burency_banking.service.context import BankingContext
from burency_common.errors import BurencyError
from burency_common.events import EventEnvelope
from burency_common.events.wallet import (
    FUNDING_TO_TRADING,
    WALLET_TRANSFER_COMPLETED,
    WALLET_TRANSFER_FAILED,
    WALLET_TRANSFER_REQUESTED,
    WalletTransferCompleted,
    WalletTransferFailed,
    WalletTransferRequested,
)
from burency_common.logging import get_logger
from burency_common.money import format_amount, parse_money
from burency_common.outbox import claim_in_inbox, stable_event_id

__all__ = [
    "INBOX_CONSUMER",
    "get_to_trading",
    "on_wallet_transfer",
    "resend_stale_to_trading",
    "run_resend_loop",
    "start_to_trading",
    "to_trading_id",
]

INBOX_CONSUMER = "banking.saga"
_log = get_logger("burency.banking")


def to_trading_id(user_id: str, key: str) -> str:
    """The saga id (and ledger hold id) of a funding → trading request."""
    return stable_event_id("to-trading", user_id, key)


async def start_to_trading(
    ctx: BankingContext, db: AsyncConnection, *, user_id: str, key: str, asset: str, amount: str
) -> Transfer:
    """Hold the user's funds towards trading and publish ``requested`` (in ``db``)."""
    minor = parse_money(ctx.assets, asset, amount)
    source = await ctx.ledger.user_account(db, user_id, asset)
    clearing = await ctx.ledger.system_account(db, SystemAccount.TRADING_CLEARING, asset)
    transfer_id = to_trading_id(user_id, key)
    spec = TransferSpec(transfer_id, asset, source, clearing, minor, "trading.out", pending=True)
    hold = await ctx.ledger.transfer(db, spec)
    await ctx.outbox.emit(
        db,
        _requested(ctx, hold, user_id),
        event_type=WALLET_TRANSFER_REQUESTED,
        event_id=stable_event_id(WALLET_TRANSFER_REQUESTED, transfer_id),
    )
    return hold


def _requested(ctx: BankingContext, transfer: Transfer, user_id: str) -> WalletTransferRequested:
    return WalletTransferRequested(
        transfer_id=transfer.id,
        direction=FUNDING_TO_TRADING,
        user_id=user_id,
        asset=transfer.asset,
        amount=format_amount(transfer.amount, ctx.assets.get(transfer.asset)),
    )


async def resend_stale_to_trading(ctx: BankingContext, *, now: datetime) -> int:
    """Publish ``requested`` again for every funding → trading hold still pending after
    ``trading_transfer_resend_seconds`` (the trading core was down, or the message was
    dead-lettered). Safe to repeat: trading credits a transfer id once and answers again
    with the same event id, which the inbox drops. Returns how many were re-sent."""
    wait = ctx.settings.trading_transfer_resend_seconds
    t = ledger_transfers.c
    stale = (
        select(t.id)
        .where(t.kind == "trading.out", t.status == "pending", t.hold.is_(True),
               t.created_at < now - timedelta(seconds=wait))
        .order_by(t.created_at)
        .limit(500)
    )  # fmt: skip
    bucket = str(int(now.timestamp() // wait))  # one re-send per hold per period
    async with ctx.transaction() as db:
        ids = list((await db.scalars(stale)).all())
        records = await get_transfers(db, ids)
        for transfer_id in ids:
            hold = records[transfer_id].transfer
            user_id = hold.debit.split(":", 2)[2]  # usr:<asset>:<user id>
            await ctx.outbox.emit(
                db,
                _requested(ctx, hold, user_id),
                event_type=WALLET_TRANSFER_REQUESTED,
                event_id=stable_event_id(WALLET_TRANSFER_REQUESTED, transfer_id, bucket),
            )
    if ids:
        _log.warning("banking.saga.resent_to_trading", count=len(ids))
    return len(ids)


async def run_resend_loop(ctx: BankingContext, stop: asyncio.Event) -> None:
    """Background loop: re-send stale funding → trading requests, then wait a period."""
    while not stop.is_set():
        try:
            await resend_stale_to_trading(ctx, now=ctx.clock.now())
        except Exception:  # the next pass retries
            _log.exception("banking.saga.resend_failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), ctx.settings.trading_transfer_resend_seconds)


async def on_wallet_transfer(ctx: BankingContext, envelope: EventEnvelope) -> None:
    """Handler of the three ``wallet.transfer.*`` topics."""
    payload = ctx.registry.parse_payload(envelope)
    async with ctx.transaction() as db:
        if not await claim_in_inbox(db, inbox, envelope, consumer=INBOX_CONSUMER):
            return
        ours = payload.direction == FUNDING_TO_TRADING  # type: ignore[attr-defined]
        if isinstance(payload, WalletTransferRequested) and not ours:
            await _credit_from_trading(ctx, db, payload)
        elif isinstance(payload, WalletTransferCompleted | WalletTransferFailed) and ours:
            await _settle_to_trading(ctx, db, payload)


async def _settle_to_trading(
    ctx: BankingContext,
    db: AsyncConnection,
    payload: WalletTransferCompleted | WalletTransferFailed,
) -> None:
    completed = isinstance(payload, WalletTransferCompleted)
    settle_id = stable_event_id("settle", payload.transfer_id)
    try:
        if completed:
            await ctx.ledger.post(db, id=settle_id, pending_id=payload.transfer_id)
        else:
            await ctx.ledger.void(db, id=settle_id, pending_id=payload.transfer_id)
    except (TransferNotFound, HoldNotPending, IdempotencyConflict) as exc:
        # An answer about a transfer we never started, or a contradicting second answer:
        # nothing to do, but an operator should know (reconciliation shows the hold).
        _log.warning("banking.saga.unexpected_answer", code=exc.code,
                     transfer_id=payload.transfer_id)  # fmt: skip
        return
    event = "banking.trading_transfer.completed" if completed else "banking.trading_transfer.failed"
    await ctx.outbox.notify(
        db,
        user_id=payload.user_id,
        event=event,
        data={"transferId": payload.transfer_id, "asset": payload.asset, "amount": payload.amount},
        notification_id=stable_event_id(event, payload.transfer_id),
    )


async def _credit_from_trading(
    ctx: BankingContext, db: AsyncConnection, payload: WalletTransferRequested
) -> None:
    reason = await _refusal(ctx, db, payload)
    if reason is None:
        minor = parse_money(ctx.assets, payload.asset, payload.amount)
        clearing = await ctx.ledger.system_account(
            db, SystemAccount.TRADING_CLEARING, payload.asset
        )
        target = await ctx.ledger.user_account(db, payload.user_id, payload.asset)
        spec = TransferSpec(
            stable_event_id("from-trading", payload.transfer_id), payload.asset, clearing, target,
            minor, "trading.in", reference=payload.transfer_id,
        )  # fmt: skip
        await ctx.ledger.transfer(db, spec)
    fields = payload.model_dump(include={"transfer_id", "direction", "user_id", "asset", "amount"})
    answer: WalletTransferCompleted | WalletTransferFailed
    if reason is None:
        answer, topic = WalletTransferCompleted(**fields), WALLET_TRANSFER_COMPLETED
    else:
        answer, topic = WalletTransferFailed(**fields, reason=reason), WALLET_TRANSFER_FAILED
    await ctx.outbox.emit(
        db, answer, event_type=topic, event_id=stable_event_id(topic, payload.transfer_id)
    )


async def _refusal(
    ctx: BankingContext, db: AsyncConnection, payload: WalletTransferRequested
) -> str | None:
    """Why a trading → funding request cannot be credited, or None."""
    if not await accounts.user_exists(db, payload.user_id):
        return "UNKNOWN_USER"
    try:
        parse_money(ctx.assets, payload.asset, payload.amount)
    except BurencyError as exc:
        return exc.code
    return None


async def get_to_trading(ctx: BankingContext, *, user_id: str, transfer_id: str) -> Transfer:
    """The caller's own funding → trading hold (404 ``TRANSFER_NOT_FOUND`` otherwise)."""
    async with ctx.transaction() as db:
        record = (await get_transfers(db, [transfer_id])).get(transfer_id)
    row = None if record is None else record.transfer
    if row is None or row.kind != "trading.out" or row.debit != user_account_id(user_id, row.asset):
        raise TransferNotFound("no such transfer")
    return row
