"""Staff use cases of market data and the liquidity bot: see the sources' health, switch
a market's source, start, stop and tune the bot. Every change is audited (who, what)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from burency_common.errors import Conflict, ValidationFailed
from burency_trading.service.context import TradingContext
from burency_trading.service.errors import invalid
from burency_trading.service.liquidity.bot import LiquidityBot
from burency_trading.service.liquidity.quoting import BotParams
from burency_trading.service.orders import resolve_market
from burency_trading.service.sources.supervisor import MarketSourceStatus, ReferencePrices

__all__ = [
    "BotChanges",
    "MarketDataServices",
    "bot_of",
    "running_sources",
    "start_bot",
    "stop_bot",
    "switch_source",
    "tune_bot",
]


@dataclass
class MarketDataServices:
    """What the platform runs for market data: the reference prices and, when
    configured, the liquidity bot (``app.state.marketdata``)."""

    prices: ReferencePrices
    bot: LiquidityBot | None = None


@dataclass(frozen=True)
class BotChanges:
    """A partial update of the bot's parameters (None: unchanged). Decimal strings."""

    spread: str | None = None
    levels: int | None = None
    level_step: str | None = None
    level_sizes: Mapping[str, str] | None = None
    refresh_threshold: str | None = None
    skew: str | None = None
    inventory: Mapping[str, Mapping[str, str]] | None = None


def running_sources(found: object) -> MarketDataServices:
    """The process's market-data services; 409 ``MARKET_DATA_NOT_RUNNING`` when it runs
    none (a process that serves the API without the trading component's loops)."""
    if not isinstance(found, MarketDataServices):
        raise Conflict("this process runs no market data sources", code="MARKET_DATA_NOT_RUNNING")
    return found


def bot_of(md: MarketDataServices) -> LiquidityBot:
    if md.bot is None:
        raise Conflict(
            "the liquidity bot is not configured (BURENCY_LIQUIDITY_BOT)",
            code="LIQUIDITY_BOT_NOT_CONFIGURED",
        )
    return md.bot


async def switch_source(
    ctx: TradingContext, md: MarketDataServices, actor: str, symbol: str, source: str
) -> MarketSourceStatus:
    market = resolve_market(ctx, symbol).symbol
    before = next((s.source for s in md.prices.status() if s.symbol == market), None)
    try:
        status = md.prices.switch(market, source)
    except KeyError:
        raise invalid("MARKET_UNKNOWN", f"{market} has no reference source", "symbol") from None
    except ValueError as exc:
        detail = str(exc)[:200]
        where = [{"field": "source", "message": detail, "code": "SOURCE_UNKNOWN"}]
        raise ValidationFailed(detail, code="SOURCE_UNKNOWN", details=where) from None
    await ctx.audit.record(actor=actor, action="marketdata.source", target=market,
                           details={"source": source, "before": before or ""})  # fmt: skip
    return status


async def start_bot(ctx: TradingContext, md: MarketDataServices, actor: str) -> LiquidityBot:
    bot = bot_of(md)
    await bot.start()
    await ctx.audit.record(actor=actor, action="liquidity_bot.start", target=bot.user_id,
                           details={})  # fmt: skip
    return bot


async def stop_bot(ctx: TradingContext, md: MarketDataServices, actor: str) -> LiquidityBot:
    bot = bot_of(md)
    await bot.stop()
    await ctx.audit.record(actor=actor, action="liquidity_bot.stop", target=bot.user_id,
                           details={})  # fmt: skip
    return bot


def _fraction(text: str, name: str, at_most: str = "0.5") -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0 or value > Decimal(at_most):
        raise invalid("INVALID_AMOUNT", f"{name} must be a decimal between 0 and {at_most}", name)
    return value


def _level_sizes(ctx: TradingContext, sizes: Mapping[str, str]) -> dict[str, Decimal]:
    out = {}
    for symbol, text in sizes.items():
        market = resolve_market(ctx, symbol).symbol
        value = _fraction(text, "levelSizes", at_most="1e12")
        if value <= 0:
            raise invalid("INVALID_AMOUNT", "a level size must be positive", "levelSizes")
        out[market] = value
    return out


def _inventory(
    ctx: TradingContext, limits: Mapping[str, Mapping[str, str]]
) -> dict[str, tuple[Decimal, Decimal]]:
    out = {}
    for asset, pair in limits.items():
        if asset not in ctx.assets:
            raise invalid("UNKNOWN_ASSET", f"unknown asset {asset[:20]!r}", "inventory")
        low = _fraction(pair.get("min", "0"), "inventory", at_most="1e18")
        high = _fraction(pair.get("max", "1e18"), "inventory", at_most="1e18")
        if low > high:
            raise invalid("INVALID_AMOUNT", f"{asset}: min is above max", "inventory")
        out[asset] = (low, high)
    return out


def apply_changes(ctx: TradingContext, params: BotParams, c: BotChanges) -> BotParams:
    """``params`` with ``c`` applied (422 for a bad value; nothing changes then)."""
    changes: dict[str, object] = {}
    fractions = (
        ("spread", "spread", c.spread),
        ("level_step", "levelStep", c.level_step),
        ("refresh", "refreshThreshold", c.refresh_threshold),
        ("skew", "skew", c.skew),
    )
    for attribute, name, text in fractions:
        if text is not None:
            changes[attribute] = _fraction(text, name)
    if c.levels is not None:
        changes["levels"] = c.levels
    if c.level_sizes is not None:
        changes["level_sizes"] = {**params.level_sizes, **_level_sizes(ctx, c.level_sizes)}
    if c.inventory is not None:
        changes["inventory"] = {**params.inventory, **_inventory(ctx, c.inventory)}
    return params.changed(**changes)


async def tune_bot(
    ctx: TradingContext, md: MarketDataServices, actor: str, c: BotChanges
) -> LiquidityBot:
    bot = bot_of(md)
    bot.update(apply_changes(ctx, bot.params, c))
    details = {k: str(v) for k, v in vars(c).items() if v is not None}
    await ctx.audit.record(actor=actor, action="liquidity_bot.tune", target=bot.user_id,
                           details=details)  # fmt: skip
    return bot
