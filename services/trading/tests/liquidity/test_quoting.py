"""The bot's quote plan (pure): for any reference, balances, position and limits, bids
stay below asks and strictly ordered, the bids cost no more than the quote balance
(with the fee the engine locks), the asks sell no more base than is available, and
filling every quote keeps the position inside its limits."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from burency_common.market_math import MarketGrid, Rounding, fee_amount
from burency_trading.domain.model import Side
from burency_trading.service.liquidity.quoting import BotParams, plan_quotes

GRID = MarketGrid(8, 2, "0.01", "0.00001")  # BTC/AED
LOT = Decimal("0.00001")


@settings(max_examples=300, deadline=None)
@given(
    ref=st.decimals(min_value=Decimal("0.5"), max_value=Decimal("1000000"), places=2),
    spread=st.decimals(min_value=Decimal("0"), max_value=Decimal("0.05"), places=4),
    step=st.decimals(min_value=Decimal("0"), max_value=Decimal("0.01"), places=4),
    levels=st.integers(1, 10),
    size=st.decimals(min_value=Decimal("0.00001"), max_value=Decimal("2"), places=5),
    position=st.decimals(min_value=Decimal("0"), max_value=Decimal("10"), places=5),
    low=st.decimals(min_value=Decimal("0"), max_value=Decimal("5"), places=5),
    width=st.decimals(min_value=Decimal("0"), max_value=Decimal("10"), places=5),
    quote_available=st.integers(0, 10**10),
    fee_ppm=st.integers(0, 10_000),
)
def test_quotes_respect_prices_balances_and_limits(
    ref: Decimal, spread: Decimal, step: Decimal, levels: int, size: Decimal,
    position: Decimal, low: Decimal, width: Decimal, quote_available: int, fee_ppm: int,
) -> None:  # fmt: skip
    high = low + width
    base_available = GRID.base_minor(int(position / LOT))
    params = BotParams(spread=spread, levels=levels, level_step=step, skew=Decimal("0.002"))
    quotes = plan_quotes(
        grid=GRID, ref=ref, params=params, level_size=size, position=position,
        limits=(low, high), quote_available=quote_available, base_available=base_available,
        fee_ppm=fee_ppm,
    )  # fmt: skip
    bids = [q for q in quotes if q.side is Side.BUY]
    asks = [q for q in quotes if q.side is Side.SELL]
    assert len(bids) <= levels
    assert len(asks) <= levels
    assert all(a.price > b.price for a, b in pairwise(bids))
    assert all(a.price < b.price for a, b in pairwise(asks))
    if bids and asks:
        assert bids[0].price < asks[0].price
    assert all(q.price > 0 and q.qty > 0 for q in quotes)
    cost = 0
    for q in bids:
        notional = GRID.notional(q.price, q.qty, Rounding.UP)
        cost += notional + fee_amount(notional, fee_ppm)
    assert cost <= quote_available
    assert sum(GRID.base_minor(q.qty) for q in asks) <= base_available
    bought = sum(q.qty for q in bids) * LOT
    sold = sum(q.qty for q in asks) * LOT
    assert not bids or position + bought <= high
    assert not asks or position - sold >= low
