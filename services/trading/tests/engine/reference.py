"""A deliberately naive reference matcher for the stateful test: a plain list of resting
orders, the best maker found by scanning it (price, then time), no balances, no fees.
It decides trades, rests, expiries and (most) refusals on its own; only refusals for
money (INSUFFICIENT_BALANCE) are taken from the engine, whose job they are."""

from __future__ import annotations

from dataclasses import dataclass, field

from burency_trading.domain.model import Side, StpMode, TimeInForce

_BPS = 10_000


@dataclass
class RefOrder:
    order_id: int
    user: str
    side: Side
    price: int  # 0 for a market order
    qty: int
    tif: TimeInForce = TimeInForce.GTC
    stp: StpMode = StpMode.EXPIRE_TAKER
    stop: int = 0
    market_type: bool = False  # MARKET / STOP_MARKET
    filled: int = 0
    rested_at: int = 0

    @property
    def remaining(self) -> int:
        return self.qty - self.filled


@dataclass
class RefBook:
    slippage_bps: int
    book: list[RefOrder] = field(default_factory=list)
    stops: list[RefOrder] = field(default_factory=list)
    trades: list[tuple[int, int, int, int]] = field(
        default_factory=list
    )  # price, qty, maker, taker
    last: int = 0
    clock: int = 0

    def _candidates(self, taker: RefOrder, limit: int) -> list[RefOrder]:
        opposite = [o for o in self.book if o.side is not taker.side]
        if taker.side is Side.BUY:
            ok = [o for o in opposite if o.price <= limit]
            return sorted(ok, key=lambda o: (o.price, o.rested_at))
        ok = [o for o in opposite if o.price >= limit]
        return sorted(ok, key=lambda o: (-o.price, o.rested_at))

    def best(self, side: Side) -> int:
        prices = [o.price for o in self.book if o.side is side]
        if not prices:
            return 0
        return max(prices) if side is Side.BUY else min(prices)

    def market_limit(self, side: Side) -> int:
        if side is Side.BUY:
            best = self.best(Side.SELL)
            return best * (_BPS + self.slippage_bps) // _BPS
        best = self.best(Side.BUY)
        return max(-(-best * (_BPS - self.slippage_bps) // _BPS), 1) if best else 0

    def fok_ok(self, taker: RefOrder) -> bool:
        need = taker.qty
        for mk in self._candidates(taker, taker.price):
            if mk.user == taker.user and taker.stp is not StpMode.NONE:
                if taker.stp is StpMode.EXPIRE_MAKER:
                    continue
                return False
            need -= mk.remaining
            if need <= 0:
                return True
        return False

    def take(self, taker: RefOrder) -> str:
        """Match; return "rest", "filled" or "expired"."""
        limit = self.market_limit(taker.side) if taker.market_type else taker.price
        if taker.stop and taker.tif is TimeInForce.FOK and not self.fok_ok(taker):
            limit = 0
        self_traded = False
        while taker.remaining > 0 and limit:
            candidates = self._candidates(taker, limit)
            if not candidates:
                break
            mk = candidates[0]
            if mk.user == taker.user and taker.stp is not StpMode.NONE:
                if taker.stp is not StpMode.EXPIRE_TAKER:
                    self.book.remove(mk)
                if taker.stp is not StpMode.EXPIRE_MAKER:
                    self_traded = True
                    break
                continue
            qty = min(mk.remaining, taker.remaining)
            self.trades.append((mk.price, qty, mk.order_id, taker.order_id))
            self.last = mk.price
            mk.filled += qty
            taker.filled += qty
            if mk.remaining == 0:
                self.book.remove(mk)
        if taker.remaining == 0:
            return "filled"
        if not self_traded and not taker.market_type and taker.tif is TimeInForce.GTC:
            self.clock += 1
            taker.rested_at = self.clock
            self.book.append(taker)
            return "rest"
        return "expired"

    def trigger(self) -> None:
        while True:
            hit = [
                s
                for s in self.stops
                if (s.side is Side.BUY and self.last >= s.stop)
                or (s.side is Side.SELL and self.last <= s.stop)
            ]
            if not hit or not self.last:
                return
            for s in hit:
                self.stops.remove(s)
            for s in sorted(hit, key=lambda o: (o.stop, o.order_id)):
                self.take(s)

    def find(self, order_id: int) -> RefOrder | None:
        for o in self.book + self.stops:
            if o.order_id == order_id:
                return o
        return None

    def remove(self, order: RefOrder) -> None:
        (self.book if order in self.book else self.stops).remove(order)
