"""Composition of market data: sources from settings, the reference-price supervisor and
the liquidity bot (built here, started as the component's background loops).

Nothing connects at build time: a CCXT exchange object opens its HTTP session at its
first request, the simulated venue computes on demand.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from decimal import Decimal

from burency_common.component import LoopFn
from burency_trading.adapters.sources.ccxt_source import CcxtSource
from burency_trading.service.context import TradingContext
from burency_trading.service.liquidity.admin import MarketDataServices
from burency_trading.service.liquidity.bot import LiquidityBot
from burency_trading.service.liquidity.quoting import NO_LIMIT, BotParams
from burency_trading.service.sources.port import HedgeVenue, MarketDataSource
from burency_trading.service.sources.simulated import SimulatedMarket, SimulatedSource
from burency_trading.service.sources.supervisor import ReferencePrices, SourceFactory
from burency_trading.settings import TradingSettings

__all__ = ["bot_params", "build_market_data", "loops_of", "source_factory"]

SIMULATED_QUOTE_PER_DAY = Decimal(20_000_000)
"""The simulated daily turnover of a market, in its quote asset (volume = this / price)."""


def _wall_ms() -> int:
    return time.time_ns() // 1_000_000


def source_factory(
    settings: TradingSettings, ctx: TradingContext, now_ms: Callable[[], int] = _wall_ms
) -> SourceFactory:
    """Builds ``"simulated"`` (the configured markets with a start price) and
    ``"ccxt:<id>"`` (with the configured symbol map, URLs, options and credentials)."""

    def build(name: str) -> MarketDataSource:
        if name == "simulated":
            return SimulatedSource(_simulated_markets(settings, ctx),
                                   seed=settings.simulated_seed, now_ms=now_ms)  # fmt: skip
        if name.startswith("ccxt:"):
            key, secret = settings.marketdata_api_key, settings.marketdata_api_secret
            return CcxtSource(
                name.removeprefix("ccxt:"),
                symbols=settings.marketdata_symbols,
                urls=settings.marketdata_ccxt_urls,
                options=settings.marketdata_ccxt_options,
                api_key=key.get_secret_value() if key else None,
                secret=secret.get_secret_value() if secret else None,
            )
        raise ValueError(f"unknown market data source {name!r}")

    return build


def _simulated_markets(settings: TradingSettings, ctx: TradingContext) -> list[SimulatedMarket]:
    markets = []
    for symbol, spec in ctx.specs.items():
        start = settings.simulated_prices.get(symbol)
        if start is None:
            continue  # no start price: the simulated venue does not list it
        price = Decimal(start)
        markets.append(
            SimulatedMarket(
                symbol=symbol,
                start_price=price,
                price_step=Decimal(spec.tick_size),
                amount_step=Decimal(spec.lot_size),
                daily_volume=SIMULATED_QUOTE_PER_DAY / price,
                volatility=float(settings.simulated_volatility),
            )
        )
    return markets


def bot_params(settings: TradingSettings) -> BotParams:
    return BotParams(
        spread=Decimal(settings.liquidity_bot_spread),
        levels=settings.liquidity_bot_levels,
        level_step=Decimal(settings.liquidity_bot_level_step),
        level_sizes={s: Decimal(v) for s, v in settings.liquidity_bot_level_sizes.items()},
        refresh=Decimal(settings.liquidity_bot_refresh),
        skew=Decimal(settings.liquidity_bot_skew),
        inventory={
            asset: (Decimal(lim.get("min", "0")), Decimal(lim.get("max", str(NO_LIMIT))))
            for asset, lim in settings.liquidity_bot_inventory.items()
        },
    )


def build_market_data(
    settings: TradingSettings,
    ctx: TradingContext,
    *,
    now_ms: Callable[[], int] = _wall_ms,
    ensure_funded: Callable[[], Awaitable[None]] | None = None,
) -> MarketDataServices:
    """The supervisor over every configured market and, when enabled
    (``BURENCY_LIQUIDITY_BOT``; default: embedded mode only), the bot quoting the markets
    that have a level size. Hedging needs ``BURENCY_LIQUIDITY_BOT_HEDGE=true``, a
    ``ccxt:`` source and API credentials."""
    markets = {
        symbol: settings.marketdata_sources.get(symbol, settings.marketdata_source)
        for symbol in ctx.specs
    }
    prices = ReferencePrices(
        engine=ctx.engine,
        grids={symbol: ctx.grid(symbol) for symbol in ctx.specs},
        markets=markets,
        factory=source_factory(settings, ctx, now_ms),
        interval=settings.marketdata_interval_seconds,
        stale_after=settings.marketdata_stale_intervals,
        min_change_bps=settings.marketdata_min_change_bps,
        now_ms=now_ms,
    )
    bot = None
    if settings.liquidity_bot_enabled(settings.embedded):
        bot = LiquidityBot(
            ctx,
            prices,
            bot_params(settings),
            markets=[s for s in settings.liquidity_bot_level_sizes if s in ctx.specs],
            user_id=settings.liquidity_bot_user,
            interval=settings.liquidity_bot_interval_seconds,
            hedge=_hedge_venue(settings, prices),
            ensure_funded=ensure_funded,
        )
    return MarketDataServices(prices=prices, bot=bot)


def _hedge_venue(settings: TradingSettings, prices: ReferencePrices) -> HedgeVenue | None:
    if not settings.liquidity_bot_hedge:
        return None
    name = settings.marketdata_source
    source = prices.source(name) if name.startswith("ccxt:") else None
    if not isinstance(source, CcxtSource) or not source.can_trade:
        raise ValueError(
            "BURENCY_LIQUIDITY_BOT_HEDGE needs BURENCY_MARKETDATA_SOURCE=ccxt:<id> and "
            "BURENCY_MARKETDATA_API_KEY / BURENCY_MARKETDATA_API_SECRET"
        )
    return source


def loops_of(md: MarketDataServices) -> Iterable[tuple[str, LoopFn]]:
    """The background loops to run (the platform's component starts them)."""
    yield "trading-reference-prices", md.prices.run
    if md.bot is not None:
        yield "trading-liquidity-bot", md.bot.run
