"""Settings of the trading service (``BURENCY_*`` environment variables).

Markets come from ``BURENCY_MARKETS`` (a JSON list of market objects, every amount a
decimal string, see :class:`MarketConfig`); the default is the five launch markets
BTC/AED, BTC/USDT, ETH/USDT, ETH/AED and USDT/AED. Asset scales come from
``BURENCY_ASSETS`` exactly as banking reads them (AED 2, USDT 6, BTC 8, ETH 9): the two
services must agree on every asset's minor unit or a transfer would change its value.
Fee tiers (``BURENCY_FEE_TIERS``) are 30-day volume thresholds in ``fee_volume_asset``
(AED) with their maker/taker rates; tier 0 is each market's own rates.

:func:`market_specs` turns the configuration into the engine's integer
:class:`~burency_trading.domain.model.MarketSpec` (lots, minor units, ppm, bps) and
:func:`fee_schedule` into its :class:`~burency_trading.domain.model.FeeTier` list.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from functools import partial
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from burency_common.config import ServiceSettings
from burency_common.market_math import MarketGrid, parse_fee_rate
from burency_common.money import AmountError, AssetRegistry, UnknownAssetError, parse_amount
from burency_trading.domain.model import FeeTier, MarketSpec, MarketStatus
from burency_trading.settings_marketdata import MarketDataSettings

__all__ = [
    "DEFAULT_ASSETS",
    "DEFAULT_FEE_TIERS",
    "DEFAULT_MARKETS",
    "FeeTierConfig",
    "MarketConfig",
    "TradingSettings",
    "fee_schedule",
    "fee_tier_thresholds",
    "market_specs",
]

DEFAULT_ASSETS: list[dict[str, Any]] = [
    {"symbol": "AED", "scale": 2, "kind": "fiat", "name": "UAE Dirham"},
    {"symbol": "USDT", "scale": 6, "kind": "crypto", "name": "Tether USD"},
    {"symbol": "BTC", "scale": 8, "kind": "crypto", "name": "Bitcoin"},
    {"symbol": "ETH", "scale": 9, "kind": "crypto", "name": "Ether"},
]
"""Same as banking's ``DEFAULT_ASSETS`` (ETH in gwei): keep the two in step."""


def _market(symbol: str, tick: str, lot: str, max_qty: str, min_notional: str) -> dict[str, Any]:
    base, quote = symbol.split("/")
    return {
        "symbol": symbol,
        "base": base,
        "quote": quote,
        "tick_size": tick,
        "lot_size": lot,
        "min_qty": lot,
        "max_qty": max_qty,
        "min_notional": min_notional,
        "maker_fee": "0.001",
        "taker_fee": "0.001",
        "price_band": "0.10",
        "market_slippage": "0.05",
        "status": "TRADING",
    }


DEFAULT_MARKETS: list[dict[str, Any]] = [
    _market("BTC/AED", "0.01", "0.00001", "1000", "10"),
    _market("BTC/USDT", "0.01", "0.00001", "1000", "5"),
    _market("ETH/USDT", "0.01", "0.0001", "10000", "5"),
    _market("ETH/AED", "0.01", "0.0001", "10000", "10"),
    _market("USDT/AED", "0.0001", "0.01", "10000000", "10"),
]

DEFAULT_FEE_TIERS: list[dict[str, Any]] = [
    {"tier": 1, "min_volume": "500000", "maker_fee": "0.0008", "taker_fee": "0.001"},
    {"tier": 2, "min_volume": "5000000", "maker_fee": "0.0006", "taker_fee": "0.0008"},
    {"tier": 3, "min_volume": "25000000", "maker_fee": "0.0004", "taker_fee": "0.0006"},
]


class MarketConfig(BaseModel):
    """One market as configured: every amount a decimal string in the market's own units.

    ``min_qty``/``max_qty`` in base units (multiples of ``lot_size``), ``min_notional`` in
    quote units, fees as fractions between 0 and 0.1 (``"0.001"`` = 0.1 %),
    ``price_band`` and ``market_slippage`` as fractions (``"0.10"`` = 10 %; band ``"0"`` =
    none).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    symbol: str = Field(pattern=r"^[A-Z0-9]{2,12}/[A-Z0-9]{2,12}$")
    base: str
    quote: str
    tick_size: str
    lot_size: str
    min_qty: str
    max_qty: str
    min_notional: str
    maker_fee: str = "0.001"
    taker_fee: str = "0.001"
    price_band: str = "0.10"
    market_slippage: str = "0.05"
    status: MarketStatus = MarketStatus.TRADING

    @model_validator(mode="after")
    def _symbol_matches_assets(self) -> Self:
        if self.symbol != f"{self.base}/{self.quote}":
            raise ValueError(f"market {self.symbol}: symbol must be base/quote")
        if self.base == self.quote:
            raise ValueError(f"market {self.symbol}: base and quote must differ")
        return self


class FeeTierConfig(BaseModel):
    """A fee level: ``min_volume`` of 30-day traded volume (in the settings'
    ``fee_volume_asset``, a decimal string) earns ``maker_fee``/``taker_fee``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tier: int = Field(ge=1, le=100)
    min_volume: str
    maker_fee: str
    taker_fee: str


class TradingSettings(ServiceSettings, MarketDataSettings):
    """What the trading service needs; defaults are the production values."""

    service_name: str = "trading"
    database_url: str = "sqlite+aiosqlite:///var/trading.db"
    journal_dir: Path = Field(
        default=Path("var/trading"),
        description="the engine's journal and snapshots (a persistent volume in distributed mode)",
    )
    assets: list[dict[str, Any]] = Field(default_factory=lambda: deepcopy(DEFAULT_ASSETS))
    markets: list[MarketConfig] = Field(
        default_factory=lambda: [MarketConfig(**m) for m in DEFAULT_MARKETS]
    )
    fee_tiers: list[FeeTierConfig] = Field(
        default_factory=lambda: [FeeTierConfig(**t) for t in DEFAULT_FEE_TIERS]
    )
    fee_volume_asset: str = Field(
        default="AED", description="the asset fee-tier volumes are counted in"
    )
    fee_volume_days: int = Field(default=30, ge=1, le=365)
    fee_tier_refresh_seconds: float = Field(default=3600.0, gt=0, le=86_400)
    funding_transfer_resend_seconds: float = Field(
        default=60.0,
        gt=0,
        le=86_400,
        description="a trading → funding transfer banking has not answered is requested again "
        "after this long, once per such period",
    )
    queue_size: int = Field(
        default=10_000, ge=1, le=1_000_000, description="bounded command queue (503 when full)"
    )
    batch_max: int = Field(
        default=512, ge=1, le=100_000, description="commands per journal group commit"
    )
    snapshot_every: int = Field(
        default=100_000, ge=100, le=100_000_000, description="commands between snapshots"
    )
    max_open_orders: int = Field(
        default=200,
        ge=1,
        le=100_000,
        description="per user and market (the engine enforces its MAX_OPEN_ORDERS, 200, today)",
    )
    page_size_max: int = Field(default=500, ge=10, le=1000)
    history_wait_seconds: float = Field(
        default=1.0,
        ge=0,
        le=30,
        description="how long a history read waits for the projection to catch up",
    )

    def distributed_requirements(self) -> list[tuple[str, object]]:
        """Distributed mode names the journal's directory explicitly: the default
        ``var/trading`` is relative to wherever the process starts, so a restarted
        container would recover from an empty directory (every order and spot balance
        gone) instead of its persistent volume."""
        journal = self.journal_dir if "journal_dir" in self.model_fields_set else None
        return [*super().distributed_requirements(), ("BURENCY_JOURNAL_DIR", journal)]

    @field_validator("fee_tiers")
    @classmethod
    def _tiers_distinct(cls, tiers: list[FeeTierConfig]) -> list[FeeTierConfig]:
        numbers = [t.tier for t in tiers]
        if len(set(numbers)) != len(numbers):
            raise ValueError("fee tier numbers must be distinct")
        return tiers

    @model_validator(mode="after")
    def _check_trading(self) -> Self:
        market_specs(self)  # raises ValueError naming the market and the field
        fee_schedule(self)
        fee_tier_thresholds(self)
        symbols = [m.symbol for m in self.markets]
        if len(set(symbols)) != len(symbols):
            raise ValueError("BURENCY_MARKETS lists a symbol twice")
        if self.fee_volume_asset not in self.asset_registry():
            raise ValueError("BURENCY_FEE_VOLUME_ASSET must be one of BURENCY_ASSETS")
        return self

    def asset_registry(self) -> AssetRegistry:
        return AssetRegistry.from_config(self.assets)


def market_specs(settings: TradingSettings) -> list[MarketSpec]:
    """The configured markets as the engine's integer specs (ValueError names the market)."""
    registry = settings.asset_registry()
    return [_spec(market, registry) for market in settings.markets]


def _spec(market: MarketConfig, registry: AssetRegistry) -> MarketSpec:
    where = f"market {market.symbol}"
    try:
        base, quote = registry.get(market.base), registry.get(market.quote)
        grid = MarketGrid(base.scale, quote.scale, market.tick_size, market.lot_size)
        min_qty = _field(where, "min_qty", lambda: grid.parse_quantity(market.min_qty))
        max_qty = _field(where, "max_qty", lambda: grid.parse_quantity(market.max_qty))
        min_notional = _field(
            where, "min_notional", lambda: parse_amount(market.min_notional, quote.scale)
        )
        maker = _field(where, "maker_fee", lambda: parse_fee_rate(market.maker_fee))
        taker = _field(where, "taker_fee", lambda: parse_fee_rate(market.taker_fee))
        band = _field(where, "price_band", lambda: _bps(market.price_band))
        slippage = _field(where, "market_slippage", lambda: _bps(market.market_slippage))
    except UnknownAssetError as exc:
        raise ValueError(f"{where}: {exc.symbol} is not one of BURENCY_ASSETS") from None
    except ValueError as exc:
        if str(exc).startswith(where):
            raise
        raise ValueError(f"{where}: {exc}") from None
    if not 0 < min_qty <= max_qty:
        raise ValueError(f"{where}: need 0 < min_qty <= max_qty")
    if maker < 0 or taker < 0:
        raise ValueError(f"{where}: fees must not be negative (the engine has no rebates)")
    return MarketSpec(
        symbol=market.symbol,
        base=market.base,
        quote=market.quote,
        base_scale=base.scale,
        quote_scale=quote.scale,
        tick_size=market.tick_size,
        lot_size=market.lot_size,
        min_qty=min_qty,
        max_qty=max_qty,
        min_notional=min_notional,
        maker_ppm=maker,
        taker_ppm=taker,
        price_band_bps=band,
        market_slippage_bps=slippage,
        status=market.status,
    )


def _field(where: str, name: str, parse: Callable[[], int]) -> int:
    try:
        return parse()
    except AmountError as exc:
        raise ValueError(f"{where}: {name} {exc.message} ({exc.code})") from None


def _bps(text: str) -> int:
    """``"0.10"`` → 1000 basis points (a fraction between 0 and 1)."""
    value = parse_amount(text, 4)
    if value > 10_000:
        raise AmountError("OUT_OF_RANGE", "must be a fraction between 0 and 1")
    return value


def fee_schedule(settings: TradingSettings) -> tuple[FeeTier, ...]:
    """The configured tiers (sorted by tier) as the engine's ``SetFeeSchedule.tiers``."""
    tiers = []
    for cfg in sorted(settings.fee_tiers, key=lambda t: t.tier):
        where = f"fee tier {cfg.tier}"
        maker = _field(where, "maker_fee", partial(parse_fee_rate, cfg.maker_fee))
        taker = _field(where, "taker_fee", partial(parse_fee_rate, cfg.taker_fee))
        if taker < 0 or maker + taker < 0:
            raise ValueError(
                f"{where}: the taker fee must not be negative nor the rebate exceed it"
            )
        tiers.append(FeeTier(tier=cfg.tier, maker_ppm=maker, taker_ppm=taker))
    return tuple(tiers)


def fee_tier_thresholds(settings: TradingSettings) -> list[tuple[int, int]]:
    """``(min_volume minor units of fee_volume_asset, tier)``, ascending; thresholds must
    grow with the tier number."""
    scale = settings.asset_registry().get(settings.fee_volume_asset).scale
    rows = []
    for cfg in sorted(settings.fee_tiers, key=lambda t: t.tier):
        volume = _field(
            f"fee tier {cfg.tier}", "min_volume", partial(parse_amount, cfg.min_volume, scale)
        )
        rows.append((volume, cfg.tier))
    volumes = [v for v, _ in rows]
    if volumes != sorted(volumes) or len(set(volumes)) != len(volumes):
        raise ValueError("fee tiers: min_volume must grow with the tier number")
    return rows
