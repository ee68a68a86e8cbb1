"""The trading side of the funding ↔ trading transfer saga (``wallet.transfer.*``).

Banking starts funding → trading: it holds the user's funds and publishes ``requested``;
here that becomes an engine command, :class:`TransferIn`, idempotent by the saga's
``transfer_id``. Trading → funding starts here (:func:`start_to_funding`): the engine
debits the trading wallet with :class:`TransferOut`. A ``failed`` answer from banking
becomes :class:`TransferOutReversal` (credited back exactly once).

Answers are never published from this module: every command's result goes through the
journal to the SQL projection, which writes ``completed`` / ``failed`` / ``requested``
to the outbox in the transaction that records the transfer, with ids derived from the
transfer id. A redelivered request is journaled again, the engine answers "replayed",
and the projection's answer carries the same event id as the first one, so banking's
inbox drops it. Nothing here needs an inbox of its own: the engine is the dedupe.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol

from burency_common.events import EventEnvelope, EventRegistry
from burency_common.events.wallet import (
    FUNDING_TO_TRADING,
    TRADING_TO_FUNDING,
    WalletTransferCompleted,
    WalletTransferFailed,
    WalletTransferRequested,
)
from burency_common.logging import get_logger
from burency_common.money import AmountError, parse_amount
from burency_common.outbox import stable_event_id
from burency_trading.domain.model import (
    Command,
    TransferApplied,
    TransferIn,
    TransferOut,
    TransferOutReversal,
)
from burency_trading.service.ports import CommandResult

__all__ = ["CommandSubmitter", "on_wallet_transfer", "start_to_funding", "to_funding_id"]

_log = get_logger("burency.trading")


AnswerRecorder = Callable[[str, str], Awaitable[None]]
"""``(transfer_id, "COMPLETED" | "FAILED")``: remember banking's answer to a trading →
funding transfer, so the re-send loop stops asking (the first answer stands)."""


class CommandSubmitter(Protocol):
    async def submit(self, command: Command) -> CommandResult: ...


def to_funding_id(user_id: str, key: str) -> str:
    """The saga id of a trading → funding request (from the client's idempotency key)."""
    return stable_event_id("to-funding", user_id, key)


def minor_units(scales: Mapping[str, int], asset: str, amount: str) -> int:
    """The amount in minor units, or 0 when it cannot be read (the engine then refuses it
    with INVALID_AMOUNT or UNKNOWN_ASSET, and that refusal is the saga's answer)."""
    scale = scales.get(asset)
    if scale is None:
        return 0
    try:
        return parse_amount(amount, scale)
    except AmountError:
        return 0


async def on_wallet_transfer(
    engine: CommandSubmitter,
    registry: EventRegistry,
    scales: Mapping[str, int],
    envelope: EventEnvelope,
    *,
    record_answer: AnswerRecorder | None = None,
) -> None:
    """Handler of the three ``wallet.transfer.*`` topics (our own messages come back on
    them and are told apart by direction). A ``failed`` answer is recorded only after its
    reversal was journaled: a crash in between redelivers it, and the reversal is
    idempotent by transfer id."""
    payload = registry.parse_payload(envelope)
    if isinstance(payload, WalletTransferRequested):
        if payload.direction == FUNDING_TO_TRADING:
            amount = minor_units(scales, payload.asset, payload.amount)
            await engine.submit(
                TransferIn(payload.transfer_id, payload.user_id, payload.asset, amount)
            )
    elif isinstance(payload, WalletTransferFailed):
        if payload.direction == TRADING_TO_FUNDING:
            _log.warning("trading.saga.to_funding_failed", transfer_id=payload.transfer_id,
                         reason=payload.reason)  # fmt: skip
            await engine.submit(TransferOutReversal(payload.transfer_id))
            if record_answer is not None:
                await record_answer(payload.transfer_id, "FAILED")
    elif isinstance(payload, WalletTransferCompleted) and payload.direction == TRADING_TO_FUNDING:
        if record_answer is not None:
            await record_answer(payload.transfer_id, "COMPLETED")
        _log.info("trading.saga.to_funding_completed", transfer_id=payload.transfer_id)


async def start_to_funding(
    engine: CommandSubmitter, *, user_id: str, key: str, asset: str, amount: int
) -> TransferApplied:
    """Debit the trading wallet towards funding; the answer says whether it was taken
    (``reason`` empty) or refused (e.g. INSUFFICIENT_BALANCE). Retrying with the same key
    is harmless (``replayed``)."""
    result = await engine.submit(TransferOut(to_funding_id(user_id, key), user_id, asset, amount))
    for event in result.events:
        if isinstance(event, TransferApplied):
            return event
    raise RuntimeError("the engine answered a transfer without a TransferApplied event")
