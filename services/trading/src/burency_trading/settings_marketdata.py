"""Settings of market-data sources and the liquidity bot (mixed into ``TradingSettings``).

Every field is a ``BURENCY_*`` variable (the field name upper-cased); dictionaries and
lists are JSON. Fractions (spread, steps, thresholds, volatility) and amounts are decimal
strings. See ``docs/trading/sources.md`` and ``docs/trading/liquidity.md``.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, Field, SecretStr, field_validator

__all__ = ["DEFAULT_LEVEL_SIZES", "DEFAULT_SIMULATED_PRICES", "MarketDataSettings"]

DEFAULT_SIMULATED_PRICES: dict[str, str] = {
    "BTC/AED": "350000",
    "BTC/USDT": "95000",
    "ETH/USDT": "3500",
    "ETH/AED": "12850",
    "USDT/AED": "3.6725",
}
"""Where the simulated walk of each launch market starts (today at 00:00 UTC)."""

DEFAULT_LEVEL_SIZES: dict[str, str] = {
    "BTC/AED": "0.01",
    "BTC/USDT": "0.01",
    "ETH/USDT": "0.2",
    "ETH/AED": "0.2",
    "USDT/AED": "500",
}
"""The bot's size per level (base units) in each launch market."""

SOURCE_PATTERN = r"^(simulated|ccxt:[a-z][a-z0-9_]{1,40})$"


def _fraction(text: str, name: str, *, at_most: str = "1") -> str:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{name} must be a decimal string, got {text!r}") from None
    if not value.is_finite() or value < 0 or value > Decimal(at_most):
        raise ValueError(f"{name} must be between 0 and {at_most}, got {text!r}")
    return text


def _positive(text: str, name: str) -> str:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{name} must be a decimal string, got {text!r}") from None
    if not value.is_finite() or value <= 0:
        raise ValueError(f"{name} must be a positive decimal, got {text!r}")
    return text


class MarketDataSettings(BaseModel):
    """Reference-price sources, the simulated venue and the liquidity bot."""

    # -- sources ------------------------------------------------------------------------
    marketdata_enabled: bool = Field(
        default=False,
        description="run the reference-price sources (and the bot) in this trading process; "
        "off until the platform turns it on: a reference price bands every order of a market "
        "that has not traded yet (see docs/trading/sources.md)",
    )
    marketdata_source: str = Field(
        default="simulated",
        pattern=SOURCE_PATTERN,
        description='every market\'s reference source: "simulated" or "ccxt:<exchange id>"',
    )
    marketdata_sources: dict[str, str] = Field(
        default_factory=dict, description="per-market override of marketdata_source"
    )
    marketdata_symbols: dict[str, str] = Field(
        default_factory=dict, description='Burency symbol -> venue symbol ("BTC/AED": "BTC/USDT")'
    )
    marketdata_interval_seconds: float = Field(default=2.0, ge=0.05, le=3600)
    marketdata_stale_intervals: int = Field(default=5, ge=1, le=1000)
    marketdata_min_change_bps: int = Field(
        default=10, ge=0, le=10_000, description="move that sends the engine a new reference"
    )
    marketdata_ccxt_urls: dict[str, str] = Field(
        default_factory=dict, description="replaces entries of the ccxt exchange's urls['api']"
    )
    marketdata_ccxt_options: dict[str, Any] = Field(default_factory=dict)
    marketdata_api_key: SecretStr | None = None
    marketdata_api_secret: SecretStr | None = None

    # -- the simulated venue -----------------------------------------------------------
    simulated_seed: int = 16
    simulated_prices: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_SIMULATED_PRICES))
    simulated_volatility: str = "0.6"

    # -- the liquidity bot -------------------------------------------------------------
    liquidity_bot: bool | None = Field(
        default=None, description="None: on in embedded mode, off in distributed mode"
    )
    liquidity_bot_user: str = Field(default="liquidity-bot", min_length=1, max_length=64)
    liquidity_bot_interval_seconds: float = Field(default=1.0, ge=0.05, le=3600)
    liquidity_bot_spread: str = "0.002"
    liquidity_bot_levels: int = Field(default=5, ge=1, le=50)
    liquidity_bot_level_step: str = "0.001"
    liquidity_bot_level_sizes: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_LEVEL_SIZES)
    )
    liquidity_bot_refresh: str = "0.001"
    liquidity_bot_skew: str = "0.001"
    liquidity_bot_inventory: dict[str, dict[str, str]] = Field(
        default_factory=dict, description='asset -> {"min": "0", "max": "2"} in asset units'
    )
    liquidity_bot_hedge: bool = False

    @field_validator("marketdata_sources")
    @classmethod
    def _sources(cls, value: dict[str, str]) -> dict[str, str]:
        for symbol, name in value.items():
            if not re.fullmatch(SOURCE_PATTERN, name):
                raise ValueError(f"marketdata_sources[{symbol}]: not a source name: {name!r}")
        return value

    @field_validator("simulated_prices", "liquidity_bot_level_sizes")
    @classmethod
    def _positive_map(cls, value: dict[str, str]) -> dict[str, str]:
        for symbol, text in value.items():
            _positive(text, symbol)
        return value

    @field_validator("simulated_volatility")
    @classmethod
    def _volatility(cls, value: str) -> str:
        return _fraction(value, "simulated_volatility", at_most="5")

    @field_validator("liquidity_bot_spread", "liquidity_bot_level_step", "liquidity_bot_refresh",
                     "liquidity_bot_skew")  # fmt: skip
    @classmethod
    def _fractions(cls, value: str) -> str:
        return _fraction(value, "a liquidity bot fraction", at_most="0.5")

    @field_validator("liquidity_bot_inventory")
    @classmethod
    def _inventory(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for asset, limits in value.items():
            if set(limits) - {"min", "max"}:
                raise ValueError(f"liquidity_bot_inventory[{asset}]: only min and max")
            low = Decimal(_fraction(limits.get("min", "0"), f"{asset} min", at_most="1e18"))
            high = Decimal(_fraction(limits.get("max", "1e18"), f"{asset} max", at_most="1e18"))
            if low > high:
                raise ValueError(f"liquidity_bot_inventory[{asset}]: min above max")
        return value

    def liquidity_bot_enabled(self, embedded: bool) -> bool:
        return embedded if self.liquidity_bot is None else self.liquidity_bot
