"""Fee tiers by 30-day volume: computed outside the engine, applied with SetUserFeeTier.

Every user's traded quote volume since ``fee_volume_days`` ago comes from the projection
(:meth:`HistoryAccess.volumes_since`), per quote asset. Each is converted into the
fee-volume asset (AED) at the last trade price of a market between the two (USDT via
USDT/AED; a market quoted the other way round works too); a quote asset with no such
market or no trade yet counts zero. The user's tier is the highest whose ``min_volume``
is reached; a :class:`~burency_trading.domain.model.SetUserFeeTier` goes to the engine
only when it changed. The component runs :func:`refresh_fee_tiers` periodically.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from burency_common.logging import get_logger
from burency_common.market_math import Rounding
from burency_trading.domain.model import OrderRejected, SetFeeSchedule, SetUserFeeTier
from burency_trading.service.context import TradingContext
from burency_trading.service.errors import rejected
from burency_trading.settings import fee_schedule, fee_tier_thresholds

__all__ = ["TierChange", "apply_fee_schedule", "refresh_fee_tiers", "tier_for", "to_volume_asset"]

_log = get_logger("burency.trading.fees")
_US_PER_DAY = 86_400 * 1_000_000


@dataclass(frozen=True, slots=True)
class TierChange:
    user_id: str
    old_tier: int
    new_tier: int
    volume: int  # minor units of the fee-volume asset


def tier_for(volume: int, thresholds: list[tuple[int, int]]) -> int:
    """The highest tier whose minimum ``volume`` reaches (0: the markets' own rates)."""
    tier = 0
    for minimum, number in thresholds:
        if volume >= minimum:
            tier = number
    return tier


def to_volume_asset(
    ctx: TradingContext, asset: str, amount: int, last_prices: Mapping[str, int]
) -> int | None:
    """``amount`` minor units of ``asset`` in minor units of the fee-volume asset, at
    the last trade price (rounded down); None when no market with a price links them."""
    target = ctx.settings.fee_volume_asset
    if asset == target:
        return amount
    direct = f"{asset}/{target}"
    if last_prices.get(direct):
        grid = ctx.grid(direct)
        lots = grid.lots_of_base(amount, Rounding.DOWN)
        return grid.notional(last_prices[direct], lots, Rounding.DOWN)
    inverse = f"{target}/{asset}"
    if last_prices.get(inverse):
        grid = ctx.grid(inverse)
        lots = grid.lots_for_quote(amount, last_prices[inverse], Rounding.DOWN)
        return grid.base_minor(lots)
    return None


async def refresh_fee_tiers(ctx: TradingContext) -> list[TierChange]:
    """Recompute every user's tier from their volume; submit the changes; return them."""
    window = ctx.settings.fee_volume_days * _US_PER_DAY
    now = ctx.now_us()
    volumes = await ctx.history.volumes_since(now - window)
    # who may hold a tier that must fall: whoever traded in the window before this one
    # (a tier comes from such a refresh), and whoever the engine says holds one
    lately = await ctx.history.volumes_since(now - 2 * window)
    symbols = list(ctx.specs)

    def read(engine: Any) -> tuple[dict[str, int], dict[str, int]]:
        known = {spec.symbol for spec in engine.markets()}
        prices = {s: int(engine.last_price(s) or 0) for s in symbols if s in known}
        users = set(volumes) | set(lately) | set(_tiered_users(engine))
        return prices, {u: int(engine.user_tier(u)) for u in users}

    prices, current = await ctx.engine.query(read)
    thresholds = fee_tier_thresholds(ctx.settings)
    changes = []
    for user_id, old in sorted(current.items()):
        total = 0
        for asset, amount in volumes.get(user_id, {}).items():
            converted = to_volume_asset(ctx, asset, amount, prices)
            if converted is None:
                _log.info("trading.fee_volume_unconverted", asset=asset)
                continue
            total += converted
        new = tier_for(total, thresholds)
        if new != old:
            changes.append(TierChange(user_id, old, new, total))
    for change in changes:
        await ctx.engine.submit(SetUserFeeTier(user_id=change.user_id, tier=change.new_tier))
    return changes


def _tiered_users(engine: Any) -> Mapping[str, int]:
    """Users the engine holds a non-zero tier for, when it can list them
    (``Engine.user_tiers()``); else none (the previous window covers them)."""
    tiers = getattr(engine, "user_tiers", None)
    return dict(tiers()) if callable(tiers) else {}


async def apply_fee_schedule(ctx: TradingContext) -> None:
    """Send the configured fee tiers to the engine (start-up, after a config change)."""
    result = await ctx.engine.submit(SetFeeSchedule(tiers=fee_schedule(ctx.settings)))
    for event in result.events:
        if isinstance(event, OrderRejected):
            raise rejected(event.reason)
