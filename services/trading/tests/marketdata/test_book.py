"""The event-derived L2 book against the engine's own, and the depth diffs' chain.

Random command streams (limit GTC/IOC/FOK, post-only, market by quantity or amount,
stop-limit and stop-market, cancels, cancel-all, amends down, self-trades) run through
the real :class:`Engine`; after every command the book built from the events equals
``Engine.depth``; at random points the two diff streams are flushed and applied to a
client's copy of the snapshot, which must equal the book, with ``pu`` = the previous
``u`` every time. Half-way, a second book is primed from the engine itself
(``read_engine``) and must stay equal too.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from burency_trading.domain.engine import Engine
from burency_trading.domain.marketdata.book import BookState
from burency_trading.domain.marketdata.diffs import DepthDiff, DepthDiffs
from burency_trading.domain.marketdata.prime import read_engine
from burency_trading.domain.model import (
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
)

SPEC = MarketSpec(
    symbol="T/Q", base="T", quote="Q", base_scale=3, quote_scale=2, tick_size="0.01",
    lot_size="0.001", min_qty=1, max_qty=1_000, min_notional=0, maker_ppm=1_000,
    taker_ppm=2_500, market_slippage_bps=300,
)  # fmt: skip
OTHER = MarketSpec(
    symbol="U/Q", base="U", quote="Q", base_scale=3, quote_scale=2, tick_size="0.01",
    lot_size="0.001", min_qty=1, max_qty=1_000, min_notional=0, maker_ppm=0, taker_ppm=0,
)  # fmt: skip
USERS = ("u1", "u2", "u3")
MARKETS = (SPEC.symbol, OTHER.symbol)

prices = st.integers(min_value=994, max_value=1_006)
qtys = st.integers(min_value=1, max_value=30)
users = st.sampled_from(USERS)
markets = st.sampled_from(MARKETS)
sides = st.sampled_from(Side)


def _place(
    kind: str, user: str, market: str, side: Side, qty: int, price: int, stp: StpMode
) -> PlaceOrder:
    common: dict[str, Any] = {"stp": stp}
    if kind == "gtc":
        return PlaceOrder(user, market, side, OrderType.LIMIT, qty=qty, price=price, **common)
    if kind in ("ioc", "fok"):
        tif = TimeInForce.IOC if kind == "ioc" else TimeInForce.FOK
        return PlaceOrder(user, market, side, OrderType.LIMIT, tif, qty=qty, price=price, **common)
    if kind == "post":
        return PlaceOrder(user, market, side, OrderType.LIMIT, qty=qty, price=price, post_only=True)
    if kind == "market":
        return PlaceOrder(user, market, side, OrderType.MARKET, qty=qty, **common)
    if kind == "market_amount":
        return PlaceOrder(user, market, side, OrderType.MARKET, quote_qty=qty * 500, **common)
    if kind == "stop_limit":
        return PlaceOrder(user, market, side, OrderType.STOP_LIMIT, qty=qty, price=price,
                          stop_price=price, **common)  # fmt: skip
    sell = side is Side.SELL
    return PlaceOrder(user, market, side, OrderType.STOP_MARKET, qty=qty if sell else 0,
                      quote_qty=0 if sell else qty * 500, stop_price=price, **common)  # fmt: skip


places = st.builds(
    _place,
    st.sampled_from(
        [
            "gtc",
            "gtc",
            "gtc",
            "ioc",
            "fok",
            "post",
            "market",
            "market_amount",
            "stop_limit",
            "stop_market",
        ]
    ),
    users,
    markets,
    sides,
    qtys,
    prices,
    st.sampled_from(StpMode),
)
others = st.one_of(
    st.tuples(st.just("cancel"), st.integers(0, 1000)),
    st.tuples(st.just("amend"), st.integers(0, 1000), qtys),
    st.tuples(st.just("cancel_all"), users, markets),
    st.just("flush_fast"),
    st.just("flush_slow"),
    st.just("join"),
)
steps = st.tuples(st.integers(0, 9), places, others).map(lambda t: t[1] if t[0] < 7 else t[2])


class Client:
    """A client's copy of one stream: a snapshot, then the diffs applied in order."""

    def __init__(self, book: BookState) -> None:
        self.levels = {m: _levels(book, m) for m in MARKETS}
        self.last_u = {m: book.book(m).last_update_id for m in MARKETS}
        self.started: set[str] = set()

    def apply(self, diff: DepthDiff) -> None:
        """Binance's rules: drop ``u <= L``; the first applied has ``pu <= L < u``, every
        next one ``pu ==`` the previous ``u``."""
        last = self.last_u[diff.market]
        if diff.final_update_id <= last:
            return
        assert diff.previous_final_update_id < diff.first_update_id <= diff.final_update_id
        if diff.market in self.started:
            assert diff.previous_final_update_id == last, "gap in the chain"
        else:
            assert diff.previous_final_update_id <= last < diff.final_update_id, "gap"
            self.started.add(diff.market)
        bids, asks = self.levels[diff.market]
        for side, changes in ((bids, diff.bids), (asks, diff.asks)):
            for price, lots in changes:
                if lots:
                    side[price] = lots
                else:
                    side.pop(price, None)
        self.last_u[diff.market] = diff.final_update_id


def _levels(book: BookState, market: str) -> tuple[dict[int, int], dict[int, int]]:
    bids, asks = book.book(market).depth(10_000)
    return dict(bids), dict(asks)


def _engine_levels(engine: Engine, market: str) -> tuple[dict[int, int], dict[int, int]]:
    bids, asks = engine.depth(market, 10_000)
    return dict(bids), dict(asks)


class World:
    def __init__(self) -> None:
        self.engine = Engine()
        self.seq = 0
        self.fast, self.slow = DepthDiffs(), DepthDiffs()
        self.book = BookState([self.fast, self.slow])
        self.primed: BookState | None = None
        for command in (AddMarket(SPEC), AddMarket(OTHER)):
            self.run(command)
        for user in USERS:
            for asset in ("Q", "T", "U"):
                self.run(TransferIn(f"{asset}-{user}", user, asset, 5_000_000))
        self.clients = (Client(self.book), Client(self.book))
        self.late: list[tuple[Client, Client]] = []

    def run(self, command: Command) -> None:
        self.seq += 1
        events = self.engine.apply(command, self.seq, 1_700_000_000_000_000 + self.seq)
        self.book.apply(self.seq, events)
        if self.primed is not None:
            self.primed.apply(self.seq, events)

    def step(self, step: Any) -> None:
        if step == "join":  # a subscriber takes a snapshot now, then follows both streams
            self.late.append((Client(self.book), Client(self.book)))
            return
        if step in ("flush_fast", "flush_slow"):
            fast = step == "flush_fast"
            stream = self.fast if fast else self.slow
            client = self.clients[0 if fast else 1]
            diffs = stream.flush(self.book)
            for follower in (client, *(pair[0 if fast else 1] for pair in self.late)):
                for diff in diffs:
                    follower.apply(diff)
                for market in MARKETS:
                    assert follower.levels[market] == _levels(self.book, market)
            return
        if isinstance(step, PlaceOrder):
            self.run(step)
        elif step[0] in ("cancel", "amend"):
            open_ids = sorted(self.book.orders)
            if not open_ids:
                return
            order = self.book.orders[open_ids[step[1] % len(open_ids)]]
            if step[0] == "cancel":
                self.run(CancelOrder(order.user_id, order.market, order.order_id))
            else:  # an amend down (or a refused one: not a decrease)
                new_qty = order.filled_qty + max(1, (order.qty - order.filled_qty) * step[2] // 31)
                self.run(AmendOrder(order.user_id, order.market, order.order_id, new_qty))
        else:
            self.run(CancelAll(step[1], step[2]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(steps, min_size=10, max_size=150))
def test_the_event_book_is_the_engine_book_and_diffs_rebuild_it(script: list[Any]) -> None:
    world = World()
    for index, step in enumerate(script):
        if index == len(script) // 2:
            primed = read_engine(world.engine)
            world.primed = BookState()
            world.primed.prime(primed.seq, primed.orders, [m.symbol for m in primed.markets])
        world.step(step)
        for market in MARKETS:
            expected = _engine_levels(world.engine, market)
            assert _levels(world.book, market) == expected
            if world.primed is not None:
                assert _levels(world.primed, market) == expected
    for stream, client in ((world.fast, world.clients[0]), (world.slow, world.clients[1])):
        for diff in stream.flush(world.book):
            client.apply(diff)
        for market in MARKETS:
            assert client.levels[market] == _levels(world.book, market)
            assert client.last_u[market] <= world.book.book(market).last_update_id
    # no open order is left behind that the engine does not have
    engine_open = {o.order_id for o in read_engine(world.engine).orders}
    assert set(world.book.orders) == engine_open
