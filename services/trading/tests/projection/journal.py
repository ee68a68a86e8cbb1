"""Hand-written engine results for the projection tests (what the engine would emit).

:class:`Script` numbers results like the runner (seq from 1, ts 1 ms apart) and offers
one method per kind of command; each returns the :class:`CommandResult` (and remembers
it in ``results``). Amounts are the engine's integers: BTC/AED has tick 0.01 AED and lot
0.0001 BTC, so a price of 100000.00 AED is 10_000_000 ticks, 0.5 BTC is 5_000 lots and
its notional 5_000_000 AED minor units (50000.00 AED).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from burency_trading.domain.model import (
    AddMarket,
    BalanceChanged,
    CancelOrder,
    Command,
    EndReason,
    Event,
    MarketChanged,
    MarketSpec,
    OrderAccepted,
    OrderRejected,
    OrderStatus,
    OrderType,
    OrderUpdated,
    PlaceOrder,
    Reject,
    Side,
    TimeInForce,
    Trade,
    TransferApplied,
    TransferIn,
    TransferOut,
    TransferOutReversal,
)
from burency_trading.service.ports import CommandResult

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
T0 = 1_764_662_400_000_000  # 2025-12-02T08:00:00Z in microseconds

BTC_AED = MarketSpec(
    symbol="BTC/AED", base="BTC", quote="AED", base_scale=8, quote_scale=2,
    tick_size="0.01", lot_size="0.0001", min_qty=1, max_qty=1_000_000, min_notional=1_000,
    maker_ppm=1_000, taker_ppm=2_000,
)  # fmt: skip
ETH_USDT = MarketSpec(
    symbol="ETH/USDT", base="ETH", quote="USDT", base_scale=9, quote_scale=6,
    tick_size="0.01", lot_size="0.001", min_qty=1, max_qty=1_000_000, min_notional=1_000_000,
    maker_ppm=1_000, taker_ppm=2_000,
)  # fmt: skip


@dataclass
class Script:
    results: list[CommandResult] = field(default_factory=list)
    trade_ids: int = 0

    @property
    def seq(self) -> int:
        return len(self.results) + 1

    @property
    def ts(self) -> int:
        return T0 + self.seq * 1_000

    def add(self, command: Command, events: Sequence[Event]) -> CommandResult:
        result = CommandResult(seq=self.seq, ts=self.ts, command=command, events=list(events))
        self.results.append(result)
        return result

    def market(self, spec: MarketSpec = BTC_AED) -> CommandResult:
        return self.add(AddMarket(spec), [MarketChanged(spec, self.ts)])

    def transfer_in(self, user: str, asset: str, amount: int, *, transfer_id: str = "",
                    available: int | None = None, replayed: bool = False,
                    reason: str = "") -> CommandResult:  # fmt: skip
        tid = transfer_id or f"in-{user}-{asset}-{self.seq}"
        events: list[Event] = [TransferApplied(tid, "in", user, asset, amount, replayed, reason,
                                               self.ts)]  # fmt: skip
        if available is not None and not reason and not replayed:
            events.append(BalanceChanged(user, asset, available, 0, self.ts))
        return self.add(TransferIn(tid, user, asset, amount), events)

    def transfer_out(self, user: str, asset: str, amount: int, *, transfer_id: str,
                     reason: str = "", reversal: bool = False) -> CommandResult:  # fmt: skip
        kind = "out_reversal" if reversal else "out"
        command: Command = (
            TransferOutReversal(transfer_id) if reversal
            else TransferOut(transfer_id, user, asset, amount)
        )  # fmt: skip
        event = TransferApplied(transfer_id, kind, user, asset, amount, False, reason, self.ts)
        return self.add(command, [event])

    def place(self, user: str, side: Side, qty: int, price: int, *, market: str = "BTC/AED",
              client_order_id: str = "", extra: Sequence[Event] = ()) -> CommandResult:  # fmt: skip
        """A resting GTC limit order (its events: accepted, then ``extra``)."""
        order_id, ts = self.seq, self.ts
        locked_asset = "AED" if side is Side.BUY else "BTC"
        locked = qty * price // 10_000 if side is Side.BUY else qty * 10_000
        accepted = OrderAccepted(
            order_id, user, market, side, OrderType.LIMIT, TimeInForce.GTC, qty, price, 0, 0,
            False, client_order_id, locked_asset, locked, ts,
        )  # fmt: skip
        command = PlaceOrder(user, market, side, OrderType.LIMIT, TimeInForce.GTC, qty, price,
                             client_order_id=client_order_id)  # fmt: skip
        return self.add(command, [accepted, *extra])

    def reject(self, user: str, reason: Reject = Reject.INSUFFICIENT_BALANCE) -> CommandResult:
        command = PlaceOrder(user, "BTC/AED", Side.BUY, OrderType.LIMIT, qty=1, price=1)
        return self.add(command, [OrderRejected(user, "BTC/AED", self.seq, "", reason, self.ts)])

    def cancel(self, user: str, order_id: int, *, qty: int, filled: int = 0,
               filled_quote: int = 0, fees: int = 0) -> CommandResult:  # fmt: skip
        update = OrderUpdated(order_id, user, "BTC/AED", OrderStatus.CANCELED, qty, filled,
                              filled_quote, fees, EndReason.USER_CANCELED, self.ts)  # fmt: skip
        return self.add(CancelOrder(user, "BTC/AED", order_id), [update])

    def next_trade_id(self) -> int:
        self.trade_ids += 1
        return self.trade_ids


def cross(script: Script, *, maker: CommandResult, taker_user: str, qty: int,
          maker_qty: int, maker_filled_before: int = 0) -> CommandResult:  # fmt: skip
    """The taker sells ``qty`` lots into the resting BUY ``maker`` at its price (both
    orders' updates, the trade, the fees at 0.1 % / 0.2 %)."""
    accepted = maker.events[0]
    assert isinstance(accepted, OrderAccepted)
    price, taker_id, ts = accepted.price, script.seq, script.ts
    quote = qty * price // 10_000
    maker_fee, taker_fee = -(-quote // 1_000), -(-quote * 2 // 1_000)
    filled = maker_filled_before + qty
    maker_status = OrderStatus.FILLED if filled == maker_qty else OrderStatus.PARTIALLY_FILLED
    events: list[Event] = [
        OrderAccepted(taker_id, taker_user, "BTC/AED", Side.SELL, OrderType.LIMIT,
                      TimeInForce.GTC, qty, price, 0, 0, False, "", "BTC", qty * 10_000, ts),
        Trade(script.next_trade_id(), "BTC/AED", price, qty, quote, Side.SELL,
              accepted.order_id, taker_id, accepted.user_id, taker_user, maker_fee, taker_fee,
              ts),
        OrderUpdated(accepted.order_id, accepted.user_id, "BTC/AED", maker_status, maker_qty,
                     filled, filled * price // 10_000, maker_fee, EndReason.NONE, ts),
        OrderUpdated(taker_id, taker_user, "BTC/AED", OrderStatus.FILLED, qty, qty, quote,
                     taker_fee, EndReason.NONE, ts),
        BalanceChanged(accepted.user_id, "BTC", qty * 10_000, 0, ts),
        BalanceChanged(taker_user, "AED", quote - taker_fee, 0, ts),
    ]  # fmt: skip
    command = PlaceOrder(taker_user, "BTC/AED", Side.SELL, OrderType.LIMIT, qty=qty, price=price)
    return script.add(command, events)
