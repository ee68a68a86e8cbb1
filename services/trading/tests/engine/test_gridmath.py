"""The engine's inlined grid arithmetic (domain/gridmath.py) against burency_common's
market_math, over generated grids and inputs: the same numbers, and AmountError at the
same points (beyond BIGINT); and the market buy's affordable_lots (a guess checked
exactly, else bisection) against a count of every candidate."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given, reject, settings
from hypothesis import strategies as st

from burency_common.market_math import MarketGrid, Rounding, fee_amount
from burency_common.money import AmountError
from burency_trading.domain.gridmath import base_minor, fee_up, notional_down, notional_up
from burency_trading.domain.matching import affordable_lots, buy_cost
from burency_trading.domain.model import MarketSpec, OrderType, Side, StpMode, TimeInForce
from burency_trading.domain.state import Market, Order

_STEPS = ["0.00000001", "0.000001", "0.0001", "0.01", "1", "10", "1000"]


@st.composite
def markets(draw: st.DrawFn) -> Market:
    base_scale = draw(st.integers(0, 18))
    lot = draw(st.sampled_from([s for s in _STEPS if -_exp(s) <= base_scale]))
    spec = MarketSpec(
        symbol="X/Y",
        base="X",
        quote="Y",
        base_scale=base_scale,
        quote_scale=draw(st.integers(0, 18)),
        tick_size=draw(st.sampled_from(_STEPS)),
        lot_size=lot,
        min_qty=1,
        max_qty=10**12,
        min_notional=0,
        maker_ppm=0,
        taker_ppm=0,
    )
    try:
        return Market(spec)
    except ValueError:  # one lot beyond BIGINT: the grid, and so AddMarket, refuses it
        reject()


def _exp(step: str) -> int:
    return -(len(step) - 2) if step.startswith("0.") else len(step) - 1


def _same(ours: Callable[[], int], theirs: Callable[[], int]) -> None:
    try:
        expected: int | type[AmountError] = theirs()
    except AmountError:
        expected = AmountError
    try:
        got: int | type[AmountError] = ours()
    except AmountError:
        got = AmountError
    assert got == expected


amounts = st.one_of(st.integers(0, 10**6), st.integers(0, 2**70))


@settings(max_examples=600, deadline=None)
@given(markets(), amounts, amounts, st.integers(0, 100_000))
def test_inlined_grid_math_equals_market_math(m: Market, price: int, qty: int, rate: int) -> None:
    grid: MarketGrid = m.grid
    _same(lambda: notional_up(m, price, qty), lambda: grid.notional(price, qty, Rounding.UP))
    _same(lambda: notional_down(m, price, qty), lambda: grid.notional(price, qty, Rounding.DOWN))
    _same(lambda: base_minor(m, qty), lambda: grid.base_minor(qty))
    _same(lambda: fee_up(price, rate), lambda: fee_amount(price, rate))


@settings(max_examples=400, deadline=None)
@given(
    st.integers(1, 10**9),  # price
    st.integers(1, 500),  # cap (lots on offer)
    st.sampled_from([(1, 10_000), (1, 1), (100, 1), (1, 10**8)]),  # (mul, div)
    st.integers(0, 100_000),  # rate
    st.integers(0, 10**12),  # the lock
    st.integers(0, 10**15),  # exact notional already paid (times div)
    st.integers(0, 10**9),  # fee_exact already (fees times 1e6)
)
def test_affordable_lots_is_the_most_lots_the_lock_pays(
    price: int,
    cap: int,
    mul_div: tuple[int, int],
    rate: int,
    budget: int,
    exact: int,
    fee_exact: int,
) -> None:
    mul, div = mul_div
    o = Order(1, "u", "X/Y", Side.BUY, OrderType.MARKET, TimeInForce.GTC, 1, 0, 0, 0, False, "",
              StpMode.NONE, 0, rate, "Y", 0)  # fmt: skip
    o.exact, o.fee_exact, o.locked = exact, fee_exact, budget
    o.filled_quote, o.fees_paid = -(-exact // div), -(-fee_exact // 1_000_000)
    expected = max(n for n in range(cap + 1) if buy_cost(o, price, n, mul, div, rate) <= budget)
    assert affordable_lots(o, price, cap, mul, div, rate) == expected
