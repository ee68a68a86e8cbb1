"""Staff routes of market data and the liquidity bot (``/v1/admin/market-data/...``,
``/v1/admin/liquidity-bot``). Reads need ``trading.read``, changes ``trading.admin``
(as the other admin routes); every change is audited. A process that runs no sources
lists none and answers a change with 409 ``MARKET_DATA_NOT_RUNNING``; the bot's routes
without a bot 409 ``LIQUIDITY_BOT_NOT_CONFIGURED``."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from pydantic import Field

from burency_common.api import ApiModel
from burency_common.identity import Identity
from burency_common.market_math import MarketGrid
from burency_common.permissions import require_permission
from burency_common.web.openapi import problem_responses
from burency_trading.entrypoints.http.deps import ADMIN_READ, Ctx
from burency_trading.service.context import TradingContext
from burency_trading.service.liquidity import admin
from burency_trading.service.liquidity.bot import LiquidityBot
from burency_trading.service.sources.choices import source_choices
from burency_trading.service.sources.supervisor import MarketSourceStatus
from burency_trading.settings_marketdata import SOURCE_PATTERN

__all__ = ["marketdata_admin_router"]

Staff = Annotated[Identity, Depends(require_permission("trading.admin"))]
MarketPath = Annotated[
    str,
    Path(alias="symbol", max_length=32, description='the market without its slash, "BTCAED"'),
]
DecimalText = Annotated[str, Field(pattern=r"^[0-9]{1,20}(\.[0-9]{1,18})?$", examples=["0.002"])]
SourceName = Annotated[str, Field(pattern=SOURCE_PATTERN, examples=["simulated", "ccxt:binance"])]


def _found(request: Request) -> admin.MarketDataServices | None:
    found = getattr(request.app.state, "market_sources", None)
    return found if isinstance(found, admin.MarketDataServices) else None


def _md(
    found: Annotated[admin.MarketDataServices | None, Depends(_found)],
) -> admin.MarketDataServices:
    return admin.running_sources(found)


MaybeMarketData = Annotated[admin.MarketDataServices | None, Depends(_found)]
MarketData = Annotated[admin.MarketDataServices, Depends(_md)]


class SourceOut(ApiModel):
    symbol: str
    source: str
    price: str | None = Field(description="the last reference price received")
    update_time: int | None = Field(description="when it came (ms since the epoch)")
    stale: bool = Field(description="no answer for the configured number of intervals")
    consecutive_errors: int
    errors: int
    last_error: str | None
    last_error_time: int | None
    engine_reference_price: str | None = Field(description="last reference sent to the engine")


class SourcesOut(ApiModel):
    items: list[SourceOut]


class SourceNameOut(ApiModel):
    name: str = Field(examples=["simulated", "ccxt:binance"])
    markets: list[str] = Field(description="the markets using it now")
    configured: bool = Field(description="named by the deployment's settings (or simulated)")


class SourceNamesOut(ApiModel):
    items: list[SourceNameOut] = Field(description="sorted by name")
    pattern: str = Field(
        description="what any name must match; another ccxt exchange id may be typed "
        "(the switch answers 422 for one ccxt does not know)"
    )


class SourceIn(ApiModel):
    source: SourceName


class InventoryLimit(ApiModel):
    min: DecimalText = "0"
    max: DecimalText = "1000000000000000000"


class BotParamsOut(ApiModel):
    spread: str
    levels: int
    level_step: str
    level_sizes: dict[str, str]
    refresh_threshold: str
    skew: str
    inventory: dict[str, InventoryLimit]


class BotPatch(ApiModel):
    """Any subset of the parameters; fractions as decimal strings (``"0.002"`` = 0.2 %)."""

    spread: DecimalText | None = None
    levels: int | None = Field(default=None, ge=1, le=50)
    level_step: DecimalText | None = None
    level_sizes: dict[str, DecimalText] | None = Field(default=None, max_length=100)
    refresh_threshold: DecimalText | None = None
    skew: DecimalText | None = None
    inventory: dict[str, InventoryLimit] | None = Field(default=None, max_length=100)


class BotMarketOut(ApiModel):
    symbol: str
    quoted_reference: str | None
    bids: list[tuple[str, str]] = Field(description="[price, quantity] of its open bids")
    asks: list[tuple[str, str]]
    bought: str
    sold: str
    hedged: str
    hedge_errors: int
    rejections: int
    last_error: str | None


class BotOut(ApiModel):
    running: bool
    user_id: str
    funded: bool
    hedging: bool
    params: BotParamsOut
    markets: list[BotMarketOut]


def _source_out(ctx: TradingContext, s: MarketSourceStatus) -> SourceOut:
    grid = ctx.grid(s.symbol)
    return SourceOut(
        symbol=s.symbol,
        source=s.source,
        price=None if s.price is None else str(s.price),
        update_time=s.updated_ms,
        stale=s.stale,
        consecutive_errors=s.consecutive_errors,
        errors=s.errors,
        last_error=s.last_error,
        last_error_time=s.last_error_ms,
        engine_reference_price=(
            None if s.engine_price_ticks is None else grid.format_price(s.engine_price_ticks)
        ),
    )


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _levels(grid: MarketGrid, rows: tuple[tuple[int, int], ...]) -> list[tuple[str, str]]:
    return [(grid.format_price(price), grid.format_quantity(lots)) for price, lots in rows]


def _bot_out(ctx: TradingContext, bot: LiquidityBot) -> BotOut:
    p = bot.params
    markets = []
    for m in bot.status():
        grid = ctx.grid(m.symbol)
        markets.append(BotMarketOut(
            symbol=m.symbol,
            quoted_reference=None if m.quoted_reference is None else str(m.quoted_reference),
            bids=_levels(grid, m.bids), asks=_levels(grid, m.asks),
            bought=grid.format_quantity(m.bought_lots), sold=grid.format_quantity(m.sold_lots),
            hedged=grid.format_quantity(m.hedged_lots), hedge_errors=m.hedge_errors,
            rejections=m.rejections, last_error=m.last_error,
        ))  # fmt: skip
    params = BotParamsOut(
        spread=_text(p.spread), levels=p.levels, level_step=_text(p.level_step),
        level_sizes={s: _text(v) for s, v in sorted(p.level_sizes.items())},
        refresh_threshold=_text(p.refresh), skew=_text(p.skew),
        inventory={a: InventoryLimit(min=_text(lo), max=_text(hi))
                   for a, (lo, hi) in sorted(p.inventory.items())},
    )  # fmt: skip
    return BotOut(running=bot.running, user_id=bot.user_id, funded=bot.funded,
                  hedging=bot.hedge is not None, params=params, markets=markets)  # fmt: skip


def marketdata_admin_router() -> APIRouter:
    router = APIRouter(
        prefix="/v1/admin", tags=["admin"], responses=problem_responses(401, 403, 409)
    )

    @router.get("/market-data/sources", response_model=SourcesOut, dependencies=ADMIN_READ,
                summary="Each market's reference source and its health")  # fmt: skip
    async def sources(ctx: Ctx, md: MaybeMarketData) -> SourcesOut:
        rows = md.prices.status() if md is not None else []
        return SourcesOut(items=[_source_out(ctx, s) for s in rows])

    @router.get("/market-data/source-names", response_model=SourceNamesOut,
                dependencies=ADMIN_READ,
                summary="The source names the switch offers, with the markets on each")  # fmt: skip
    async def source_names(ctx: Ctx, md: MaybeMarketData) -> SourceNamesOut:
        settings = ctx.settings
        choices = source_choices(
            default=settings.marketdata_source,
            per_market=settings.marketdata_sources.values(),
            status=md.prices.status() if md is not None else (),
        )
        return SourceNamesOut(
            items=[SourceNameOut(name=c.name, markets=list(c.markets), configured=c.configured)
                   for c in choices],
            pattern=SOURCE_PATTERN,
        )  # fmt: skip

    @router.put("/market-data/sources/{symbol}", response_model=SourceOut,
                summary='A market\'s reference source ("simulated" or "ccxt:<id>")')  # fmt: skip
    async def switch(symbol: MarketPath, body: SourceIn, ctx: Ctx, who: Staff,
                     md: MarketData) -> SourceOut:  # fmt: skip
        status = await admin.switch_source(ctx, md, who.user_id, symbol, body.source)
        return _source_out(ctx, status)

    @router.get("/liquidity-bot", response_model=BotOut, dependencies=ADMIN_READ,
                summary="The liquidity bot: state, parameters, quotes and fills")  # fmt: skip
    async def bot(ctx: Ctx, md: MarketData) -> BotOut:
        return _bot_out(ctx, admin.bot_of(md))

    @router.post("/liquidity-bot/start", response_model=BotOut, summary="Start quoting")
    async def start(ctx: Ctx, who: Staff, md: MarketData) -> BotOut:
        return _bot_out(ctx, await admin.start_bot(ctx, md, who.user_id))

    @router.post("/liquidity-bot/stop", response_model=BotOut,
                 summary="Stop quoting and cancel the bot's orders")  # fmt: skip
    async def stop(ctx: Ctx, who: Staff, md: MarketData) -> BotOut:
        return _bot_out(ctx, await admin.stop_bot(ctx, md, who.user_id))

    @router.patch("/liquidity-bot", response_model=BotOut,
                  summary="Tune spread, levels, sizes, refresh, skew, inventory")  # fmt: skip
    async def tune(body: BotPatch, ctx: Ctx, who: Staff, md: MarketData) -> BotOut:
        changes = admin.BotChanges(
            spread=body.spread, levels=body.levels, level_step=body.level_step,
            level_sizes=body.level_sizes, refresh_threshold=body.refresh_threshold,
            skew=body.skew,
            inventory=None if body.inventory is None else {
                a: {"min": lim.min, "max": lim.max} for a, lim in body.inventory.items()},
        )  # fmt: skip
        return _bot_out(ctx, await admin.tune_bot(ctx, md, who.user_id, changes))

    return router
