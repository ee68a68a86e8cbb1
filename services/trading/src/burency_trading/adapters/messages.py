"""The messages the projection writes to the outbox: events for other services and the
``order.filled`` notification, with decimal strings built from the market's grid.

Ids are derived, never random, so a batch handled twice (a crash between the commit and
the runner learning about it, a projection rebuilt from the journal) produces the same
ids: the outbox keeps one row per id and every consumer's inbox drops a copy.

* ``trading.order.updated`` / ``trading.trade``: from the sink's name, the journal seq
  and the event's index in its command's result;
* ``wallet.transfer.*`` answers: from the topic and the saga's transfer id (as banking
  derives its own), so a replayed transfer command answers with the first answer's id;
* ``order.filled``: from the order id.

The two high-volume events (one per order change and per trade) are encoded straight to
the envelope's JSON with msgspec (a pydantic envelope costs ~10x more per message);
tests parse every kind back through the shared registry. The rare saga answers and
notifications go through the registry (validated as they are built).

A message that cannot be built (an unknown market or asset, an out-of-range amount) is
logged and left out: one bad event must never wedge the projection, which the runner
would otherwise retry on the same results forever.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import msgspec
from pydantic import BaseModel

from burency_common.events import SEND_NOTIFICATION, EventRegistry
from burency_common.events.notification_types import check_notification
from burency_common.events.trading import TRADING_ORDER_UPDATED, TRADING_TRADE
from burency_common.events.wallet import (
    FUNDING_TO_TRADING,
    TRADING_TO_FUNDING,
    WALLET_TRANSFER_COMPLETED,
    WALLET_TRANSFER_FAILED,
    WALLET_TRANSFER_REQUESTED,
    WalletTransferCompleted,
    WalletTransferFailed,
    WalletTransferRequested,
)
from burency_common.logging import get_logger
from burency_common.market_math import MarketGrid
from burency_common.money import format_amount
from burency_common.outbox import stable_event_id
from burency_common.timeutil import to_iso_ms
from burency_trading.domain.model import MarketSpec, TransferApplied

__all__ = ["ORDER_FILLED", "PRODUCER", "Market", "Messages", "OutboxRow"]

PRODUCER = "trading"
ORDER_FILLED = "order.filled"
OutboxRow = dict[str, Any]
"""``event_id``, ``topic``, ``event_key``, ``body``: an outbox row without ``created_at``."""

_log = get_logger("burency.trading.projection")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NO_TRACE = {"request_id": None, "causation_id": None, "correlation_id": None}
_encode = msgspec.json.Encoder().encode
P = ParamSpec("P")
R = TypeVar("R")


def _skip_on_error(fn: Callable[P, R | None]) -> Callable[P, R | None]:
    @wraps(fn)
    def safe(*args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return fn(*args, **kwargs)
        except (ValueError, KeyError, TypeError, ArithmeticError) as exc:
            _log.error("trading.projection.message_skipped", message=fn.__name__,
                       error=type(exc).__name__, detail=str(exc)[:200])  # fmt: skip
            return None

    return safe


@dataclass(frozen=True)
class Market:
    """A market's spec and the grid that turns its integers into decimal strings."""

    spec: MarketSpec
    grid: MarketGrid

    @classmethod
    def of(cls, spec: MarketSpec) -> Market:
        grid = MarketGrid(spec.base_scale, spec.quote_scale, spec.tick_size, spec.lot_size)
        return cls(spec, grid)

    def quote(self, minor: int) -> str:
        return format_amount(minor, self.spec.quote_scale)

    def average_price(self, filled_quote: int, filled_qty: int) -> str:
        """``filled_quote / filled_qty`` as a price at the tick's precision (half-even;
        display only, never a balance)."""
        if filled_qty <= 0:
            return "0"
        quote = Decimal(self.quote(filled_quote))
        base = Decimal(self.grid.format_quantity(filled_qty))
        tick = Decimal(self.spec.tick_size)
        step = tick if tick < 1 else Decimal(1)
        return str((quote / base).quantize(step, rounding=ROUND_HALF_EVEN))


def _occurred_at(ts_us: int) -> str:
    return to_iso_ms(_EPOCH + timedelta(microseconds=ts_us))


def _enveloped(
    topic: str, key: str, payload: dict[str, Any], event_id: str, ts_us: int
) -> OutboxRow:
    """The outbox row of an envelope written directly with msgspec: the bytes
    ``EventRegistry.build(...).to_bytes()`` gives for the same payload (tested), without
    two pydantic models per message."""
    envelope = {
        "id": event_id, "type": topic, "version": 1, "occurred_at": _occurred_at(ts_us),
        "producer": PRODUCER, "key": key, "payload": payload, "trace": _NO_TRACE,
    }  # fmt: skip
    return {"event_id": event_id, "topic": topic, "event_key": key, "body": _encode(envelope)}


class Messages:
    """Builds outbox rows; knows the markets (for grids) and the asset scales."""

    def __init__(
        self,
        registry: EventRegistry,
        *,
        sink: str,
        scales: Mapping[str, int] | None = None,
        notify_filled: bool = True,
    ) -> None:
        self.registry = registry
        self.notify_filled = notify_filled
        self.unheard: frozenset[str] = frozenset()  # topics no subscriber can ever receive
        self.sink = sink
        self.markets: dict[str, Market] = {}
        self.scales: dict[str, int] = dict(scales or {})

    def learn_market(self, spec: MarketSpec) -> None:
        self.markets[spec.symbol] = Market.of(spec)
        self.scales.setdefault(spec.base, spec.base_scale)
        self.scales.setdefault(spec.quote, spec.quote_scale)

    # -- the two high-volume events (msgspec-encoded envelopes) -------------------------

    def _fast(self, topic: str, key: str, payload: dict[str, Any], *, seq: int, index: int,
              ts_us: int) -> OutboxRow:  # fmt: skip
        event_id = stable_event_id(self.sink, topic, str(seq), str(index))
        return _enveloped(topic, key, payload, event_id, ts_us)

    @_skip_on_error
    def order_updated(self, row: Mapping[str, Any], *, seq: int, index: int) -> OutboxRow | None:
        if TRADING_ORDER_UPDATED in self.unheard:
            return None
        market = self.markets[row["market"]]
        grid = market.grid
        payload = {
            "order_id": row["order_id"], "user_id": row["user_id"], "symbol": row["market"],
            "client_order_id": row["client_order_id"] or "", "side": row["side"],
            "type": row["type"], "time_in_force": row["tif"], "status": row["status"],
            "price": grid.format_price(row["price"]),
            "quantity": grid.format_quantity(row["qty"]),
            "quote_quantity": market.quote(row["quote_qty"]),
            "stop_price": grid.format_price(row["stop_price"]),
            "filled_quantity": grid.format_quantity(row["filled_qty"]),
            "filled_quote": market.quote(row["filled_quote"]),
            "fees": market.quote(row["fees_paid"]), "fee_asset": market.spec.quote,
            "reason": row["reason"], "ts": row["updated_ts"] // 1000, "seq": seq,
        }  # fmt: skip
        return self._fast(TRADING_ORDER_UPDATED, row["user_id"], payload, seq=seq, index=index,
                          ts_us=row["updated_ts"])  # fmt: skip

    @_skip_on_error
    def trade(self, row: Mapping[str, Any], *, seq: int, index: int) -> OutboxRow | None:
        if TRADING_TRADE in self.unheard:
            return None
        market = self.markets[row["market"]]
        payload = {
            "trade_id": row["trade_id"], "symbol": row["market"],
            "price": market.grid.format_price(row["price"]),
            "quantity": market.grid.format_quantity(row["qty"]),
            "quote_amount": market.quote(row["quote_amount"]),
            "taker_side": row["taker_side"], "maker_order_id": row["maker_order_id"],
            "taker_order_id": row["taker_order_id"], "maker_user_id": row["maker_user_id"],
            "taker_user_id": row["taker_user_id"], "maker_fee": market.quote(row["maker_fee"]),
            "taker_fee": market.quote(row["taker_fee"]), "fee_asset": market.spec.quote,
            "ts": row["ts"] // 1000, "seq": seq,
        }  # fmt: skip
        return self._fast(
            TRADING_TRADE, row["market"], payload, seq=seq, index=index, ts_us=row["ts"]
        )

    # -- rare messages, validated through the registry ----------------------------------

    def _built(self, payload: BaseModel, topic: str, event_id: str, ts_us: int) -> OutboxRow:
        envelope = self.registry.build(
            payload, event_type=topic, producer=PRODUCER, id=event_id,
            occurred_at=_EPOCH + timedelta(microseconds=ts_us),
        )  # fmt: skip
        return {
            "event_id": envelope.id, "topic": topic, "event_key": envelope.key,
            "body": envelope.to_bytes(),
        }  # fmt: skip

    @_skip_on_error
    def order_filled(self, row: Mapping[str, Any]) -> OutboxRow | None:
        """The ``order.filled`` notification to the order's owner."""
        if not self.notify_filled or SEND_NOTIFICATION in self.unheard:
            return None
        market = self.markets[row["market"]]
        data: dict[str, object] = {
            "symbol": row["market"], "side": row["side"],
            "amount": market.grid.format_quantity(row["filled_qty"]),
            "price": market.average_price(row["filled_quote"], row["filled_qty"]),
        }  # fmt: skip
        check_notification(ORDER_FILLED, data)
        notification_id = stable_event_id(ORDER_FILLED, self.sink, str(row["order_id"]))
        command = {  # SendNotification's fields in order (one per fill: the fast envelope)
            "notification_id": notification_id, "event": ORDER_FILLED,
            "user_ids": [row["user_id"]], "segment": None, "data": data, "channels": None,
            "priority": "normal",
        }  # fmt: skip
        event_id = stable_event_id(SEND_NOTIFICATION, notification_id)
        return _enveloped(SEND_NOTIFICATION, notification_id, command, event_id, row["updated_ts"])

    @_skip_on_error
    def transfer_answer(self, event: TransferApplied) -> OutboxRow | None:
        """The saga message a TransferApplied calls for, if any: ``in`` applied (or
        replayed) → completed, ``in`` refused → failed, ``out`` applied → requested."""
        payload: BaseModel
        fields = self._transfer_fields(event)
        if event.kind == "in":
            fields["direction"] = FUNDING_TO_TRADING
            if event.reason:
                payload, topic = WalletTransferFailed(**fields, reason=event.reason), \
                    WALLET_TRANSFER_FAILED  # fmt: skip
            else:
                payload, topic = WalletTransferCompleted(**fields), WALLET_TRANSFER_COMPLETED
        elif event.kind == "out" and not event.reason:
            fields["direction"] = TRADING_TO_FUNDING
            payload, topic = WalletTransferRequested(**fields), WALLET_TRANSFER_REQUESTED
        else:
            return None  # a refused transfer-out (the API answered it), a reversal
        return self._built(payload, topic, stable_event_id(topic, event.transfer_id), event.ts)

    def _transfer_fields(self, event: TransferApplied) -> dict[str, Any]:
        scale = self.scales.get(event.asset)
        if scale is None:
            # an asset no market trades: only a refusal (UNKNOWN_ASSET) can name one
            _log.warning("trading.projection.unknown_asset_scale", asset=event.asset,
                         transfer_id=event.transfer_id)  # fmt: skip
            scale = 0
        return {
            "transfer_id": event.transfer_id, "user_id": event.user_id, "asset": event.asset,
            "amount": format_amount(max(event.amount, 0), scale),
        }  # fmt: skip
