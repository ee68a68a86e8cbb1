"""Folding a batch of engine results into rows and outbox messages (no I/O here).

:class:`Batch` walks the results in seq order and keeps, per table, the rows to write:
the last state of every touched order, balance, market and transfer, and every trade.
An order touched by several results of the batch is written once, in its final state,
but each of its changes still produces its own ``trading.order.updated`` message, built
from the state right after that change. :mod:`.projection` reads the orders the batch
updates but did not create (one query) and writes everything in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from burency_common.logging import get_logger
from burency_trading.adapters.messages import Messages, OutboxRow
from burency_trading.domain.model import (
    BalanceChanged,
    MarketChanged,
    MarketSpec,
    MarketStatus,
    OrderAccepted,
    OrderStatus,
    OrderUpdated,
    StopTriggered,
    Trade,
    TransferApplied,
)
from burency_trading.service.ports import CommandResult

__all__ = ["OPEN_STATUSES", "Batch", "market_spec", "order_ids_to_load", "spec_row"]

_log = get_logger("burency.trading.projection")

OPEN_STATUSES = frozenset({OrderStatus.NEW.value, OrderStatus.PARTIALLY_FILLED.value})
Row = dict[str, Any]


def order_ids_to_load(results: Iterable[CommandResult]) -> set[int]:
    """Orders the results update without having created them (their rows are read first)."""
    created: set[int] = set()
    needed: set[int] = set()
    for result in results:
        for event in result.events:
            if isinstance(event, OrderAccepted):
                created.add(event.order_id)
            elif isinstance(event, OrderUpdated | StopTriggered) and event.order_id not in created:
                needed.add(event.order_id)
    return needed


def market_spec(row: Mapping[str, Any]) -> MarketSpec:
    """A ``markets`` row back into the engine's MarketSpec."""
    return MarketSpec(
        symbol=row["symbol"], base=row["base"], quote=row["quote"],
        base_scale=row["base_scale"], quote_scale=row["quote_scale"],
        tick_size=row["tick_size"], lot_size=row["lot_size"], min_qty=row["min_qty"],
        max_qty=row["max_qty"], min_notional=row["min_notional"],
        maker_ppm=row["maker_ppm"], taker_ppm=row["taker_ppm"],
        price_band_bps=row["price_band_bps"], market_slippage_bps=row["market_slippage_bps"],
        status=MarketStatus(row["status"]),
    )  # fmt: skip


def spec_row(spec: MarketSpec, *, seq: int, ts: int) -> Row:
    return {
        "symbol": spec.symbol, "base": spec.base, "quote": spec.quote,
        "base_scale": spec.base_scale, "quote_scale": spec.quote_scale,
        "tick_size": spec.tick_size, "lot_size": spec.lot_size,
        "min_qty": spec.min_qty, "max_qty": spec.max_qty, "min_notional": spec.min_notional,
        "maker_ppm": spec.maker_ppm, "taker_ppm": spec.taker_ppm,
        "price_band_bps": spec.price_band_bps,
        "market_slippage_bps": spec.market_slippage_bps,
        "status": spec.status.value, "updated_ts": ts, "seq": seq,
    }  # fmt: skip


def _accepted_row(event: OrderAccepted, seq: int) -> Row:
    return {
        "order_id": event.order_id, "user_id": event.user_id, "market": event.market,
        "side": event.side.value, "type": event.type.value, "tif": event.tif.value,
        "price": event.price, "qty": event.qty, "quote_qty": event.quote_qty,
        "stop_price": event.stop_price, "post_only": event.post_only,
        "client_order_id": event.client_order_id or None,
        "status": OrderStatus.NEW.value, "is_open": True, "stop_triggered": False,
        "filled_qty": 0, "filled_quote": 0, "fees_paid": 0, "reason": "",
        "locked_asset": event.locked_asset, "locked": event.locked,
        "created_ts": event.ts, "updated_ts": event.ts, "last_seq": seq,
    }  # fmt: skip


@dataclass
class Batch:
    """The rows and messages of one chunk of results (``known``: orders read beforehand)."""

    messages: Messages
    known: Mapping[int, Row]
    orders: dict[int, Row] = field(default_factory=dict)
    trades: list[Row] = field(default_factory=list)
    balances: dict[tuple[str, str], Row] = field(default_factory=dict)
    transfers: dict[tuple[str, str], Row] = field(default_factory=dict)
    replayed_transfers: dict[tuple[str, str], Row] = field(default_factory=dict)
    markets: dict[str, Row] = field(default_factory=dict)
    outbox: list[OutboxRow] = field(default_factory=list)

    def fold(self, results: Sequence[CommandResult]) -> None:
        for result in results:
            for index, event in enumerate(result.events):
                self._apply(result, index, event)

    def _apply(self, result: CommandResult, index: int, event: object) -> None:
        seq = result.seq
        if isinstance(event, OrderAccepted):
            row = self.orders[event.order_id] = _accepted_row(event, seq)
            self._emit(self.messages.order_updated(row, seq=seq, index=index))
        elif isinstance(event, OrderUpdated):
            self._order_updated(event, seq, index)
        elif isinstance(event, Trade):
            self._trade(event, seq, index)
        elif isinstance(event, BalanceChanged):
            self.balances[(event.user_id, event.asset)] = {
                "user_id": event.user_id, "asset": event.asset, "available": event.available,
                "locked": event.locked, "updated_ts": event.ts, "seq": seq,
            }  # fmt: skip
        elif isinstance(event, TransferApplied):
            self._transfer(event, seq)
        elif isinstance(event, StopTriggered):
            stopped = self._order(event.order_id)
            if stopped is not None:
                stopped.update(stop_triggered=True, updated_ts=event.ts, last_seq=seq)
        elif isinstance(event, MarketChanged):
            self.messages.learn_market(event.spec)
            self.markets[event.spec.symbol] = spec_row(event.spec, seq=seq, ts=event.ts)
        # OrderRejected: the command changed nothing; the API already answered it.

    def _emit(self, row: OutboxRow | None) -> None:
        if row is not None:
            self.outbox.append(row)

    def _order(self, order_id: int) -> Row | None:
        row = self.orders.get(order_id)
        if row is None:
            known = self.known.get(order_id)
            if known is None:
                # A projection started after the order was placed (its history was never
                # projected): there is nothing to update. Logged, never fatal.
                _log.warning("trading.projection.unknown_order", order_id=order_id)
                return None
            row = self.orders[order_id] = dict(known)
        return row

    def _order_updated(self, event: OrderUpdated, seq: int, index: int) -> None:
        row = self._order(event.order_id)
        if row is None:
            return
        status = event.status.value
        row.update(
            status=status, is_open=status in OPEN_STATUSES, qty=event.qty,
            filled_qty=event.filled_qty, filled_quote=event.filled_quote,
            fees_paid=event.fees_paid, reason=event.reason.value, updated_ts=event.ts,
            last_seq=seq,
        )  # fmt: skip
        self._emit(self.messages.order_updated(row, seq=seq, index=index))
        if event.status is OrderStatus.FILLED:
            self._emit(self.messages.order_filled(row))

    def _trade(self, event: Trade, seq: int, index: int) -> None:
        row = {
            "trade_id": event.trade_id, "market": event.market, "price": event.price,
            "qty": event.qty, "quote_amount": event.quote_amount,
            "taker_side": event.taker_side.value, "maker_order_id": event.maker_order_id,
            "taker_order_id": event.taker_order_id, "maker_user_id": event.maker_user_id,
            "taker_user_id": event.taker_user_id, "maker_fee": event.maker_fee,
            "taker_fee": event.taker_fee, "ts": event.ts, "seq": seq,
        }  # fmt: skip
        self.trades.append(row)
        self._emit(self.messages.trade(row, seq=seq, index=index))

    def _transfer(self, event: TransferApplied, seq: int) -> None:
        key = (event.transfer_id, event.kind)
        row = {
            "transfer_id": event.transfer_id, "kind": event.kind, "user_id": event.user_id,
            "asset": event.asset, "amount": event.amount,
            "status": "REFUSED" if event.reason else "APPLIED", "reason": event.reason,
            "ts": event.ts, "seq": seq,
        }  # fmt: skip
        if event.replayed:
            # the first application's row stands (it may be in an earlier batch)
            if key not in self.transfers:
                self.replayed_transfers.setdefault(key, row)
        else:
            self.transfers[key] = row
        self._emit(self.messages.transfer_answer(event))
