"""Admin commands: markets, their status and fees, fee tiers, reference prices.

A refused admin command emits ``OrderRejected`` (user "", order_id 0) with its reason;
fee rates must be between 0 and 10 % (a negative rate, a rebate, is refused: the locks
and the conservation proof assume fees are charged, never paid out).
"""

from __future__ import annotations

import msgspec

from .model import (
    AddMarket,
    MarketChanged,
    MarketSpec,
    OrderRejected,
    Reject,
    SetFeeSchedule,
    SetMarketFees,
    SetMarketStatus,
    SetReferencePrice,
    SetUserFeeTier,
)
from .placing import MAX_FEE_PPM
from .state import Market, State

__all__ = [
    "add_market",
    "set_fee_schedule",
    "set_market_fees",
    "set_market_status",
    "set_reference_price",
    "set_user_fee_tier",
]


def _refuse(st: State, market: str, why: Reject) -> None:
    st.events.append(OrderRejected("", market, 0, "", why, st.ts))


def _rates_ok(*rates: int) -> bool:
    return all(0 <= rate <= MAX_FEE_PPM for rate in rates)


def _spec_ok(spec: MarketSpec) -> bool:
    return (
        _rates_ok(spec.maker_ppm, spec.taker_ppm)
        and bool(spec.symbol and spec.base and spec.quote)
        and spec.base != spec.quote
        and 0 < spec.min_qty <= spec.max_qty
        and spec.min_notional >= 0
        and spec.price_band_bps >= 0
        and 0 <= spec.market_slippage_bps < 10_000
    )


def add_market(st: State, c: AddMarket) -> None:
    spec = c.spec
    if spec.symbol in st.markets:
        _refuse(st, spec.symbol, Reject.MARKET_EXISTS)
        return
    if not _spec_ok(spec):
        _refuse(st, spec.symbol, Reject.INVALID_ORDER)
        return
    try:
        market = Market(spec)
    except ValueError:  # tick or lot size not a power of ten, or finer than the asset
        _refuse(st, spec.symbol, Reject.INVALID_ORDER)
        return
    st.markets[spec.symbol] = market
    st.assets.update((spec.base, spec.quote))
    st.events.append(MarketChanged(spec, st.ts))


def _replace_spec(st: State, market: Market, spec: MarketSpec) -> None:
    market.set_spec(spec)
    st.events.append(MarketChanged(spec, st.ts))


def set_market_status(st: State, c: SetMarketStatus) -> None:
    market = st.markets.get(c.market)
    if market is None:
        _refuse(st, c.market, Reject.MARKET_UNKNOWN)
        return
    _replace_spec(st, market, msgspec.structs.replace(market.spec, status=c.status))


def set_market_fees(st: State, c: SetMarketFees) -> None:
    """New rates for orders placed from now on (open orders keep theirs: their locks)."""
    market = st.markets.get(c.market)
    if market is None:
        _refuse(st, c.market, Reject.MARKET_UNKNOWN)
        return
    if not _rates_ok(c.maker_ppm, c.taker_ppm):
        _refuse(st, c.market, Reject.INVALID_ORDER)
        return
    spec = msgspec.structs.replace(market.spec, maker_ppm=c.maker_ppm, taker_ppm=c.taker_ppm)
    _replace_spec(st, market, spec)


def set_fee_schedule(st: State, c: SetFeeSchedule) -> None:
    """Replace the tiers (tier numbers >= 1; tier 0 is always the market's own rates)."""
    tiers = {t.tier: t for t in c.tiers}
    if len(tiers) != len(c.tiers) or not all(
        t.tier >= 1 and _rates_ok(t.maker_ppm, t.taker_ppm) for t in c.tiers
    ):
        _refuse(st, "", Reject.INVALID_ORDER)
        return
    st.fee_schedule = dict(sorted(tiers.items()))


def set_user_fee_tier(st: State, c: SetUserFeeTier) -> None:
    if not c.user_id or (c.tier and c.tier not in st.fee_schedule) or c.tier < 0:
        _refuse(st, "", Reject.INVALID_ORDER)
        return
    if c.tier:
        st.user_tiers[c.user_id] = c.tier
    else:
        st.user_tiers.pop(c.user_id, None)


def set_reference_price(st: State, c: SetReferencePrice) -> None:
    market = st.markets.get(c.market)
    if market is None:
        _refuse(st, c.market, Reject.MARKET_UNKNOWN)
        return
    if c.price <= 0:
        _refuse(st, c.market, Reject.INVALID_ORDER)
        return
    market.ref_price = c.price
