"""The payloads' fast decimal strings are exactly the grid's and ``format_amount``'s."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from burency_common.market_math import MarketGrid
from burency_common.money import format_amount
from burency_trading.domain.model import MarketSpec
from burency_trading.service.marketdata.payloads import Formats

STEPS = ["0.00000001", "0.0001", "0.01", "0.1", "1", "10", "100"]


@given(
    tick=st.sampled_from(STEPS),
    lot=st.sampled_from(STEPS[:5]),
    quote_scale=st.integers(0, 18),
    value=st.integers(-(2**63), 2**63 - 1),
)
def test_formats_write_what_the_grid_writes(
    tick: str, lot: str, quote_scale: int, value: int
) -> None:
    spec = MarketSpec(symbol="B/Q", base="B", quote="Q", base_scale=8, quote_scale=quote_scale,
                      tick_size=tick, lot_size=lot, min_qty=1, max_qty=10, min_notional=0,
                      maker_ppm=0, taker_ppm=0)  # fmt: skip
    fmt = Formats(spec)
    grid = MarketGrid(8, quote_scale, tick, lot)
    assert fmt.price(value) == grid.format_price(value)
    assert fmt.qty(value) == grid.format_quantity(value)
    assert fmt.quote(value) == format_amount(value, quote_scale)
