"""What the liquidity bot quotes: levels around the reference, within its balances and
inventory limits (pure: no engine, no clock; property-tested).

Around a reference price ``ref`` the bot quotes ``levels`` bids and asks:

    bid_i = mid * (1 - spread/2 - i * level_step)   rounded down to a tick
    ask_i = mid * (1 + spread/2 + i * level_step)   rounded up to a tick

``mid`` is ``ref`` skewed against the inventory: holding more of the base asset than the
middle of its limits moves ``mid`` down (up to ``skew``, a fraction of the price), so
the asks get hit more often and the position comes back; less moves it up. At or above
the inventory maximum the bot stops bidding; at or below the minimum it stops offering.
Every level is ``level_size`` (base units) rounded down to lots; the bids stop where the
quote balance (with the fee the engine locks) runs out, the asks where the base balance
does, and neither side may fill the position beyond its limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from burency_common.market_math import MarketGrid, Rounding, fee_amount
from burency_trading.domain.model import Side
from burency_trading.service.sources.port import price_to_ticks, qty_to_lots

__all__ = ["BotParams", "Quote", "plan_quotes"]

NO_LIMIT = Decimal("1e30")


@dataclass(frozen=True, slots=True)
class BotParams:
    """The bot's tuning (every fraction a Decimal, ``0.002`` = 0.2 %)."""

    spread: Decimal = Decimal("0.002")
    levels: int = 5
    level_step: Decimal = Decimal("0.001")
    level_sizes: Mapping[str, Decimal] = field(default_factory=dict)  # market -> base units
    refresh: Decimal = Decimal("0.001")  # requote when the reference moved this much
    skew: Decimal = Decimal("0.001")
    inventory: Mapping[str, tuple[Decimal, Decimal]] = field(default_factory=dict)

    def limits(self, asset: str) -> tuple[Decimal, Decimal]:
        return self.inventory.get(asset, (Decimal(0), NO_LIMIT))

    def changed(self, **changes: Any) -> BotParams:
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class Quote:
    side: Side
    price: int  # ticks
    qty: int  # lots


def _skewed_mid(ref: Decimal, position: Decimal, low: Decimal, high: Decimal,
                skew: Decimal) -> Decimal:  # fmt: skip
    if high >= NO_LIMIT or high <= low:
        return ref
    center, half = (low + high) / 2, (high - low) / 2
    lean = max(Decimal(-1), min(Decimal(1), (position - center) / half))
    return ref * (1 - skew * lean)


def plan_quotes(
    *,
    grid: MarketGrid,
    ref: Decimal,
    params: BotParams,
    level_size: Decimal,
    position: Decimal,
    limits: tuple[Decimal, Decimal],
    quote_available: int,
    base_available: int,
    fee_ppm: int,
) -> list[Quote]:
    """The orders to place (bids best first, then asks best first).

    ``position`` is the bot's whole holding of the base asset (base units);
    ``quote_available``/``base_available`` what it may lock (minor units) once its own
    orders in this market are cancelled; ``fee_ppm`` the rate the engine locks on a bid."""
    low, high = limits
    lots = qty_to_lots(grid, level_size)
    if ref <= 0 or lots <= 0:
        return []
    mid = _skewed_mid(ref, position, low, high, params.skew)
    size = lots * Decimal(grid.lot_size)
    buyable = int((high - position) / size)  # levels the bids may fill within the limits
    sellable = min(int((position - low) / size), base_available // grid.base_minor(lots))
    bids = _bids(grid, mid, params, lots=lots, count=buyable, budget=quote_available,
                 fee_ppm=fee_ppm)  # fmt: skip
    floor = bids[0].price if bids else 0
    return bids + _asks(grid, mid, params, lots=lots, count=sellable, floor=floor)


def _bids(grid: MarketGrid, mid: Decimal, params: BotParams, *, lots: int, count: int,
          budget: int, fee_ppm: int) -> list[Quote]:  # fmt: skip
    """Up to ``count`` levels, each strictly below the previous, while ``budget`` (quote
    minor units) pays the notional and the fee the engine locks."""
    bids: list[Quote] = []
    previous = None
    for i in range(min(params.levels, count)):
        price = price_to_ticks(grid, mid * (1 - params.spread / 2 - i * params.level_step), "down")
        price = min(price, previous - 1) if previous is not None else price
        notional = grid.notional(price, lots, Rounding.UP) if price > 0 else 0
        cost = notional + fee_amount(notional, fee_ppm)
        if price <= 0 or cost > budget:
            break
        bids.append(Quote(Side.BUY, price, lots))
        budget, previous = budget - cost, price
    return bids


def _asks(grid: MarketGrid, mid: Decimal, params: BotParams, *, lots: int, count: int,
          floor: int) -> list[Quote]:  # fmt: skip
    """Up to ``count`` levels, each strictly above the previous and the best bid."""
    asks: list[Quote] = []
    previous = floor
    for i in range(min(params.levels, count)):
        price = price_to_ticks(grid, mid * (1 + params.spread / 2 + i * params.level_step), "up")
        previous = max(price, previous + 1)
        asks.append(Quote(Side.SELL, previous, lots))
    return asks
