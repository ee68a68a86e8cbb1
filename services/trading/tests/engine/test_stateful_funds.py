"""Hypothesis stateful test of the money rules under tight balances: market orders by
quantity and by quote amount, stop-market buys by amount, limits, amends, cancels and
transfers, with users that can barely pay. No reference matcher here (affordability
decides fills): the invariants are the point. After every step: per asset totals ==
net transferred, nothing negative, the open orders' locks equal the accounts' locked,
every open order holds a lock >= 0 and has filled < qty, and the book is not crossed."""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from burency_trading.domain.engine import Engine
from burency_trading.domain.model import (
    FEES_ACCOUNT,
    AddMarket,
    AmendOrder,
    CancelAll,
    CancelOrder,
    Command,
    MarketSpec,
    OrderType,
    PlaceOrder,
    Side,
    StpMode,
    TimeInForce,
    TransferIn,
    TransferOut,
)

SPEC = MarketSpec(
    symbol="T/Q", base="T", quote="Q", base_scale=3, quote_scale=2, tick_size="0.01",
    lot_size="0.001", min_qty=1, max_qty=1_000, min_notional=0, maker_ppm=3_000,
    taker_ppm=7_000, market_slippage_bps=800,
)  # fmt: skip
USERS = ("u1", "u2", "u3", "u4")
users = st.sampled_from(USERS)
sides = st.sampled_from(Side)
prices = st.integers(900, 1_100)
qtys = st.integers(1, 60)


class TightFunds(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.engine = Engine()
        self.seq = 0
        self.apply(AddMarket(SPEC))
        for i, user in enumerate(USERS):
            self.apply(TransferIn(f"q{user}", user, "Q", 20 + 37 * i))
            self.apply(TransferIn(f"t{user}", user, "T", 15 + 11 * i))

    def apply(self, command: Command) -> None:
        self.seq += 1
        self.engine.apply(command, self.seq, self.seq)

    def open_ids(self) -> list[tuple[str, int]]:
        return [(u, v.order_id) for u in USERS for v in self.engine.open_orders(u)]

    @rule(user=users, side=sides, price=prices, qty=qtys,
          tif=st.sampled_from(TimeInForce), stp=st.sampled_from(StpMode))  # fmt: skip
    def limit(self, user: str, side: Side, price: int, qty: int, tif: TimeInForce,
              stp: StpMode) -> None:  # fmt: skip
        self.apply(PlaceOrder(user, "T/Q", side, OrderType.LIMIT, tif, qty, price, stp=stp))

    @rule(user=users, side=sides, qty=qtys, by_amount=st.booleans(), amount=st.integers(1, 80))
    def market(self, user: str, side: Side, qty: int, by_amount: bool, amount: int) -> None:
        if by_amount:
            order = PlaceOrder(user, "T/Q", side, OrderType.MARKET, quote_qty=amount)
        else:
            order = PlaceOrder(user, "T/Q", side, OrderType.MARKET, qty=qty)
        self.apply(order)

    @rule(user=users, side=sides, stop=prices, qty=qtys, amount=st.integers(1, 80),
          limit=st.booleans())  # fmt: skip
    def stop(self, user: str, side: Side, stop: int, qty: int, amount: int, limit: bool) -> None:
        if limit:
            self.apply(PlaceOrder(user, "T/Q", side, OrderType.STOP_LIMIT, qty=qty,
                                  price=stop, stop_price=stop))  # fmt: skip
        elif side is Side.BUY:
            self.apply(PlaceOrder(user, "T/Q", side, OrderType.STOP_MARKET, quote_qty=amount,
                                  stop_price=stop))  # fmt: skip
        else:
            self.apply(PlaceOrder(user, "T/Q", side, OrderType.STOP_MARKET, qty=qty,
                                  stop_price=stop))  # fmt: skip

    @precondition(lambda self: self.open_ids())
    @rule(data=st.data(), new_qty=st.integers(1, 60))
    def amend_or_cancel(self, data: st.DataObject, new_qty: int) -> None:
        user, order_id = data.draw(st.sampled_from(self.open_ids()))
        if data.draw(st.booleans()):
            self.apply(AmendOrder(user, "T/Q", order_id, new_qty))
        else:
            self.apply(CancelOrder(user, "T/Q", order_id=order_id))

    @rule(user=users)
    def cancel_all(self, user: str) -> None:
        self.apply(CancelAll(user))

    @rule(user=users, asset=st.sampled_from(("Q", "T")), amount=st.integers(1, 60),
          out=st.booleans())  # fmt: skip
    def transfer(self, user: str, asset: str, amount: int, out: bool) -> None:
        kind = TransferOut if out else TransferIn
        self.apply(kind(f"x{self.seq}", user, asset, amount))

    @invariant()
    def the_money_adds_up(self) -> None:
        engine = self.engine
        assert engine.totals() == engine.net_transferred()
        bids, asks = engine.depth("T/Q", 10_000)
        if bids and asks:
            assert bids[0][0] < asks[0][0]
        locks: dict[tuple[str, str], int] = {}
        for user in USERS:
            for v in engine.open_orders(user):
                assert v.locked >= 0
                assert v.filled_qty >= 0
                assert v.qty == 0 or v.filled_qty < v.qty  # by amount: qty 0
                locks[(user, v.locked_asset)] = locks.get((user, v.locked_asset), 0) + v.locked
        for user in (*USERS, FEES_ACCOUNT):
            for asset, (available, locked) in engine.balances(user).items():
                assert available >= 0
                assert locked == locks.get((user, asset), 0)


TightFunds.TestCase.settings = settings(max_examples=300, stateful_step_count=60, deadline=None)
TestTightFunds = TightFunds.TestCase
