"""Hypothesis stateful test: the engine against the naive reference matcher.

After every step: the book is never crossed; every open order has filled + remaining =
quantity; per asset the sum of all balances (fees account included) equals what was
transferred (conservation with fees and rounding); no balance or lock is negative; the
locks of the open orders add up to the accounts' locked amounts; and the engine's trades
are exactly the reference model's. Prices are small on a grid where a fill's notional is
rarely a whole fils (price * lots / 1000), so rounding and fees are exercised constantly.
"""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from burency_trading.domain.engine import Engine
from burency_trading.domain.model import (
    FEES_ACCOUNT,
    AddMarket,
    AmendOrder,
    CancelOrder,
    Event,
    MarketSpec,
    OrderAccepted,
    OrderRejected,
    OrderType,
    PlaceOrder,
    Side,
    StpMode,
    TimeInForce,
    Trade,
    TransferIn,
    TransferOut,
)

from .reference import RefBook, RefOrder

SPEC = MarketSpec(
    symbol="T/Q",
    base="T",
    quote="Q",
    base_scale=3,
    quote_scale=2,
    tick_size="0.01",
    lot_size="0.001",
    min_qty=1,
    max_qty=1_000,
    min_notional=0,
    maker_ppm=1_000,
    taker_ppm=2_500,
    market_slippage_bps=300,
)
USERS = ("u1", "u2", "u3")
prices = st.integers(min_value=950, max_value=1_050)
qtys = st.integers(min_value=1, max_value=40)
sides = st.sampled_from(Side)
users = st.sampled_from(USERS)
stps = st.sampled_from(StpMode)


class EngineVsReference(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.engine = Engine()
        self.ref = RefBook(SPEC.market_slippage_bps)
        self.seq = 0
        self.step_trades: list[tuple[int, int, int, int]] = []
        self.apply(AddMarket(SPEC))
        for user in USERS:
            self.apply(TransferIn(f"q-{user}", user, "Q", 500_000))
            self.apply(TransferIn(f"t-{user}", user, "T", 200_000))

    def apply(self, command: object) -> list[Event]:
        self.seq += 1
        events = self.engine.apply(command, self.seq, self.seq)  # type: ignore[arg-type]
        self.step_trades = [
            (e.price, e.qty, e.maker_order_id, e.taker_order_id)
            for e in events
            if isinstance(e, Trade)
        ]
        return events

    def place(self, order: RefOrder, command: PlaceOrder, refusal: str | None) -> None:
        before = len(self.ref.trades)
        events = self.apply(command)
        rejects = [e.reason.value for e in events if isinstance(e, OrderRejected)]
        if refusal is not None:
            assert rejects == [refusal]
        elif rejects:
            assert rejects == ["INSUFFICIENT_BALANCE"]  # money is the engine's call
        else:
            assert any(isinstance(e, OrderAccepted) for e in events)
            if order.stop:
                self.ref.stops.append(order)
            else:
                self.ref.take(order)
                self.ref.trigger()
        assert self.step_trades == self.ref.trades[before:]

    @rule(user=users, side=sides, price=prices, qty=qtys, stp=stps,
          tif=st.sampled_from(TimeInForce), post_only=st.booleans())  # fmt: skip
    def limit(
        self, user: str, side: Side, price: int, qty: int, stp: StpMode, tif: TimeInForce,
        post_only: bool,
    ) -> None:  # fmt: skip
        post_only = post_only and tif is TimeInForce.GTC
        order = RefOrder(self.seq + 1, user, side, price, qty, tif, stp)
        refusal = None
        opposite = self.ref.best(Side.SELL if side is Side.BUY else Side.BUY)
        crosses = bool(opposite) and (opposite <= price if side is Side.BUY else opposite >= price)
        if post_only and crosses:
            refusal = "POST_ONLY_WOULD_TAKE"
        elif tif is TimeInForce.FOK and not self.ref.fok_ok(order):
            refusal = "FOK_NOT_FILLABLE"
        command = PlaceOrder(user, "T/Q", side, OrderType.LIMIT, tif, qty, price,
                             post_only=post_only, stp=stp)  # fmt: skip
        self.place(order, command, refusal)

    @rule(user=users, side=sides, qty=qtys, stp=stps)
    def market(self, user: str, side: Side, qty: int, stp: StpMode) -> None:
        order = RefOrder(self.seq + 1, user, side, 0, qty, TimeInForce.IOC, stp, market_type=True)
        refusal = None if self.ref.market_limit(side) else "NO_LIQUIDITY"
        command = PlaceOrder(user, "T/Q", side, OrderType.MARKET, qty=qty, stp=stp)
        self.place(order, command, refusal)

    @rule(user=users, side=sides, stop=prices, offset=st.integers(0, 20), qty=qtys,
          as_market=st.booleans())  # fmt: skip
    def stop(
        self, user: str, side: Side, stop: int, offset: int, qty: int, as_market: bool
    ) -> None:
        as_market = as_market and side is Side.SELL  # a STOP_MARKET buy is by quote amount
        sign = 1 if side is Side.BUY else -1
        price = 0 if as_market else stop + sign * offset
        order = RefOrder(self.seq + 1, user, side, price, qty, stop=stop, market_type=as_market)
        last = self.ref.last
        triggers = bool(last) and (last >= stop if side is Side.BUY else last <= stop)
        kind = OrderType.STOP_MARKET if as_market else OrderType.STOP_LIMIT
        command = PlaceOrder(user, "T/Q", side, kind, qty=qty, price=price, stop_price=stop)
        self.place(order, command, "STOP_WOULD_TRIGGER_IMMEDIATELY" if triggers else None)

    def _pick(self, data: st.DataObject) -> RefOrder | None:
        live = self.ref.book + self.ref.stops
        return data.draw(st.sampled_from(live)) if live else None

    @precondition(lambda self: self.ref.book or self.ref.stops)
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        order = self._pick(data)
        assert order is not None
        events = self.apply(CancelOrder(order.user, "T/Q", order_id=order.order_id))
        assert not any(isinstance(e, OrderRejected) for e in events)
        self.ref.remove(order)

    @rule(user=users, order_id=st.integers(1, 10_000))
    def cancel_unknown_or_foreign(self, user: str, order_id: int) -> None:
        order = self.ref.find(order_id)
        if order is not None and order.user == user:
            return
        events = self.apply(CancelOrder(user, "T/Q", order_id=order_id))
        assert [e.reason.value for e in events if isinstance(e, OrderRejected)] == [
            "ORDER_NOT_FOUND"
        ]

    @precondition(lambda self: self.ref.book or self.ref.stops)
    @rule(data=st.data(), new_qty=st.integers(0, 45))
    def amend(self, data: st.DataObject, new_qty: int) -> None:
        order = self._pick(data)
        assert order is not None
        events = self.apply(AmendOrder(order.user, "T/Q", order.order_id, new_qty))
        rejects = [e.reason.value for e in events if isinstance(e, OrderRejected)]
        if order.filled < new_qty < order.qty:
            assert rejects == []
            order.qty = new_qty
        else:
            assert rejects == ["AMEND_NOT_A_DECREASE"]

    @rule(user=users, asset=st.sampled_from(("Q", "T")), amount=st.integers(1, 300_000),
          out=st.booleans())  # fmt: skip
    def transfer(self, user: str, asset: str, amount: int, out: bool) -> None:
        kind = TransferOut if out else TransferIn
        self.apply(kind(f"x{self.seq}", user, asset, amount))

    # -- invariants -------------------------------------------------------------------

    @invariant()
    def book_is_not_crossed_and_matches_the_reference(self) -> None:
        bids, asks = self.engine.depth("T/Q", 10_000)
        if bids and asks:
            assert bids[0][0] < asks[0][0]
        ref_levels: dict[tuple[Side, int], int] = {}
        for o in self.ref.book:
            ref_levels[(o.side, o.price)] = ref_levels.get((o.side, o.price), 0) + o.remaining
        engine_levels = {(Side.BUY, p): q for p, q in bids} | {(Side.SELL, p): q for p, q in asks}
        assert engine_levels == ref_levels

    @invariant()
    def money_is_conserved_and_locks_add_up(self) -> None:
        assert self.engine.totals() == self.engine.net_transferred()
        locks: dict[tuple[str, str], int] = {}
        ref_open = {o.order_id: o for o in self.ref.book + self.ref.stops}
        for user in USERS:
            views = self.engine.open_orders(user)
            assert {v.order_id for v in views} == {
                oid for oid, o in ref_open.items() if o.user == user
            }
            for v in views:
                ref = ref_open[v.order_id]
                assert (v.qty, v.filled_qty) == (ref.qty, ref.filled)
                assert 0 <= v.filled_qty < v.qty  # filled + remaining = quantity
                assert v.locked >= 0
                key = (user, v.locked_asset)
                locks[key] = locks.get(key, 0) + v.locked
        for user in (*USERS, FEES_ACCOUNT):
            for asset, (available, locked) in self.engine.balances(user).items():
                assert available >= 0
                assert locked == locks.get((user, asset), 0)


EngineVsReference.TestCase.settings = settings(
    max_examples=400, stateful_step_count=80, deadline=None
)
TestEngineVsReference = EngineVsReference.TestCase
