"""The engine's inlined grid arithmetic (domain/gridmath.py) against burency_common's
market_math, over generated grids and inputs: the same numbers, and AmountError at the
same points (beyond BIGINT)."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given, reject, settings
from hypothesis import strategies as st

from burency_common.market_math import MarketGrid, Rounding, fee_amount
from burency_common.money import AmountError
from burency_trading.domain.gridmath import base_minor, fee_up, notional_down, notional_up
from burency_trading.domain.model import MarketSpec
from burency_trading.domain.state import Market

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
    except AmountError:  # one lot beyond BIGINT: AddMarket refuses such a market
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
