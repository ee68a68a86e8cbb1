"""Market arithmetic: exact fractions, explicit rounding, BIGINT bounds (property-tested)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from burency_common.market_math import (
    FEE_RATE_SCALE,
    MarketGrid,
    Rounding,
    fee_amount,
    parse_fee_rate,
)
from burency_common.money import MAX_MINOR, AmountError

BTC_AED = MarketGrid(base_scale=8, quote_scale=2, tick_size="0.01", lot_size="0.0001")
ETH_USDT = MarketGrid(base_scale=18, quote_scale=6, tick_size="0.01", lot_size="0.0001")
STEPS = ["0.00000001", "0.000001", "0.0001", "0.01", "0.1", "1", "10", "100"]


def _lot_fits(lot: str, base_scale: int) -> bool:
    """Not finer than a minor unit, and one lot no more than the largest amount."""
    units = Fraction(lot) * 10**base_scale
    return units.denominator == 1 and units <= MAX_MINOR


@st.composite
def grids(draw: st.DrawFn) -> MarketGrid:
    base_scale = draw(st.integers(0, 18))
    lot = draw(st.sampled_from([s for s in STEPS if _lot_fits(s, base_scale)]))
    return MarketGrid(
        base_scale=base_scale,
        quote_scale=draw(st.integers(0, 18)),
        tick_size=draw(st.sampled_from(STEPS)),
        lot_size=lot,
    )


def exact_notional(grid: MarketGrid, price_ticks: int, qty_lots: int) -> Fraction:
    """The same value computed the slow, obvious way: decimals as fractions."""
    price = Fraction(grid.tick_size) * price_ticks
    quantity = Fraction(grid.lot_size) * qty_lots
    return price * quantity * 10**grid.quote_scale


ticks = st.integers(1, 10**9)
lots = st.integers(1, 10**9)


@given(grids(), ticks, lots)
def test_notional_rounds_only_at_the_end_and_as_asked(
    grid: MarketGrid, price: int, qty: int
) -> None:
    exact = exact_notional(grid, price, qty)
    if exact > MAX_MINOR:
        with pytest.raises(AmountError) as refused:
            grid.notional(price, qty, Rounding.UP)
        assert refused.value.code == "AMOUNT_TOO_LARGE"
        return
    down = grid.notional(price, qty, Rounding.DOWN)
    up = grid.notional(price, qty, Rounding.UP)
    assert down <= exact <= up
    assert up - down == (0 if exact.denominator == 1 else 1)
    assert down == exact.numerator // exact.denominator


@given(grids(), ticks, st.integers(0, 10**15))
def test_what_a_quote_amount_buys_never_costs_more_than_it(
    grid: MarketGrid, price: int, budget: int
) -> None:
    qty = grid.lots_for_quote(budget, price, Rounding.DOWN)
    assert grid.notional(price, qty, Rounding.UP) <= budget
    assert exact_notional(grid, price, qty + 1) > budget  # and one more lot would


@given(grids(), st.integers(-(10**12), 10**12))
def test_price_and_quantity_strings_round_trip(grid: MarketGrid, units: int) -> None:
    assert grid.parse_price(grid.format_price(abs(units))) == abs(units)
    assert grid.parse_quantity(grid.format_quantity(abs(units))) == abs(units)


@given(grids(), st.integers(0, 10**12))
def test_base_minor_is_exact_and_lots_of_base_inverts_it(grid: MarketGrid, qty: int) -> None:
    exact = Fraction(grid.lot_size) * qty * 10**grid.base_scale
    if exact > MAX_MINOR:
        with pytest.raises(AmountError):
            grid.base_minor(qty)
        return
    minor = grid.base_minor(qty)
    assert minor == exact
    one_lot = grid.base_minor(1)
    assert grid.lots_of_base(minor + one_lot - 1, Rounding.DOWN) == qty  # dust stays behind
    assert grid.lots_of_base(minor + one_lot - 1, Rounding.UP) == qty + (one_lot > 1)


@given(st.integers(0, 10**15), st.integers(-FEE_RATE_SCALE // 10, FEE_RATE_SCALE // 10))
def test_fees_never_give_away_a_fraction(notional: int, rate: int) -> None:
    exact = Fraction(notional * rate, FEE_RATE_SCALE)
    fee = fee_amount(notional, rate)
    if exact >= 0:
        assert exact <= fee < exact + 1  # a charge rounds up
    else:
        assert exact <= fee <= 0  # a rebate rounds toward zero
        assert fee - exact < 1


def test_the_example_from_the_docstring() -> None:
    price = BTC_AED.parse_price("250000.01")
    qty = BTC_AED.parse_quantity("0.0003")
    assert (price, qty) == (25_000_001, 3)
    assert BTC_AED.base_minor(qty) == 30_000  # satoshi
    # 0.0003 BTC * 250000.01 AED = 75.000003 AED
    assert BTC_AED.notional(price, qty, Rounding.DOWN) == 7_500
    assert BTC_AED.notional(price, qty, Rounding.UP) == 7_501


def test_eth_at_scale_18_times_a_large_price_is_refused_not_wrapped() -> None:
    price = ETH_USDT.parse_price("90000000.00")
    qty = ETH_USDT.parse_quantity("100000000")
    with pytest.raises(AmountError) as refused:
        ETH_USDT.base_minor(qty)  # 1e8 ETH = 1e26 wei: beyond BIGINT
    assert refused.value.code == "AMOUNT_TOO_LARGE"
    with pytest.raises(AmountError):
        ETH_USDT.notional(price, qty, Rounding.UP)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1.001", "PRICE_NOT_ON_TICK"),
        ("abc", "INVALID_AMOUNT"),
        ("-1", "NEGATIVE_AMOUNT"),
        ("1e3", "INVALID_AMOUNT"),
    ],
)
def test_off_grid_prices_have_stable_codes(text: str, code: str) -> None:
    with pytest.raises(AmountError) as refused:
        BTC_AED.parse_price(text)
    assert refused.value.code == code


def test_quantities_off_the_lot_and_coarse_steps() -> None:
    with pytest.raises(AmountError) as refused:
        BTC_AED.parse_quantity("0.00015")
    assert refused.value.code == "QUANTITY_NOT_ON_LOT"
    coarse = MarketGrid(base_scale=2, quote_scale=2, tick_size="10", lot_size="1")
    assert coarse.parse_price("120") == 12
    with pytest.raises(AmountError) as off_tick:
        coarse.parse_price("125")
    assert off_tick.value.code == "PRICE_NOT_ON_TICK"


def test_grids_that_cannot_be_integers_are_refused() -> None:
    with pytest.raises(ValueError, match="finer than the base asset"):
        MarketGrid(base_scale=2, quote_scale=2, tick_size="0.01", lot_size="0.001")
    with pytest.raises(ValueError, match="power of ten"):
        MarketGrid(base_scale=8, quote_scale=2, tick_size="0.05", lot_size="0.01")


def test_fee_rates_parse_to_ppm() -> None:
    assert parse_fee_rate("0.001") == 1_000
    assert parse_fee_rate("-0.0001") == -100
    with pytest.raises(AmountError) as refused:
        parse_fee_rate("0.5")
    assert refused.value.code == "FEE_RATE_OUT_OF_RANGE"


@pytest.mark.parametrize(("lot", "base_scale"), [("10", 18), ("0.001", 2)])
def test_a_lot_off_the_scale_is_refused(lot: str, base_scale: int) -> None:
    with pytest.raises(ValueError, match="lot size"):
        MarketGrid(base_scale=base_scale, quote_scale=2, tick_size="0.01", lot_size=lot)
