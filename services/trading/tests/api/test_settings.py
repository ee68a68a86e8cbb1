"""TradingSettings: the launch markets by default, BURENCY_MARKETS as JSON, and a bad
market configuration refused at start-up with the market and field named."""

from __future__ import annotations

import json

import pytest

from burency_common.config import load_settings
from burency_common.errors import ConfigurationError
from burency_trading.domain.model import FeeTier, MarketStatus
from burency_trading.settings import (
    TradingSettings,
    fee_schedule,
    fee_tier_thresholds,
    market_specs,
)

ETH = {"symbol": "ETH/AED", "base": "ETH", "quote": "AED", "tick_size": "0.1",
       "lot_size": "0.001", "min_qty": "0.01", "max_qty": "50", "min_notional": "25",
       "maker_fee": "0.0005", "taker_fee": "0.0015", "price_band": "0.05",
       "market_slippage": "0.02", "status": "CANCEL_ONLY"}  # fmt: skip


def test_defaults_are_the_five_launch_markets() -> None:
    settings = TradingSettings(_env_file=None)  # type: ignore[call-arg]
    specs = {s.symbol: s for s in market_specs(settings)}
    assert sorted(specs) == ["BTC/AED", "BTC/USDT", "ETH/AED", "ETH/USDT", "USDT/AED"]
    btc = specs["BTC/AED"]
    assert (btc.base_scale, btc.quote_scale, btc.min_qty, btc.max_qty) == (8, 2, 1, 10**8)
    assert (btc.min_notional, btc.maker_ppm, btc.taker_ppm) == (1_000, 1_000, 1_000)
    assert (btc.price_band_bps, btc.market_slippage_bps) == (1_000, 500)
    assert specs["ETH/USDT"].base_scale == 9
    assert specs["USDT/AED"].tick_size == "0.0001"
    assert fee_schedule(settings)[0] == FeeTier(tier=1, maker_ppm=800, taker_ppm=1_000)
    assert fee_tier_thresholds(settings)[0] == (50_000_000, 1)  # 500,000.00 AED


def test_markets_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BURENCY_MARKETS", json.dumps([ETH]))
    (spec,) = market_specs(load_settings(TradingSettings, _env_file=None))
    assert (spec.min_qty, spec.max_qty, spec.min_notional) == (10, 50_000, 2_500)
    assert (spec.maker_ppm, spec.taker_ppm) == (500, 1_500)
    assert (spec.price_band_bps, spec.market_slippage_bps) == (500, 200)
    assert spec.status is MarketStatus.CANCEL_ONLY


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"min_qty": "0.0001"}, "market ETH/AED: min_qty must be a multiple of the lot size"),
        ({"tick_size": "0.25"}, "market ETH/AED: tick size must be a power of ten"),
        ({"lot_size": "0.0000000001"}, "finer than the base asset's minor unit"),
        ({"quote": "XYZ", "symbol": "ETH/XYZ"}, "market ETH/XYZ: XYZ is not one of BURENCY_ASSETS"),
        ({"symbol": "ETH/USDT"}, "symbol must be base/quote"),
        ({"maker_fee": "-0.0001"}, "fees must not be negative"),
        ({"taker_fee": "0.5"}, "taker_fee fee rate must be between -0.1 and 0.1"),
        ({"min_qty": "60"}, "need 0 < min_qty <= max_qty"),
        ({"price_band": "2"}, "price_band must be a fraction between 0 and 1"),
    ],
)
def test_a_bad_market_is_refused_naming_it(
    monkeypatch: pytest.MonkeyPatch, change: dict[str, str], message: str
) -> None:
    monkeypatch.setenv("BURENCY_MARKETS", json.dumps([{**ETH, **change}]))
    with pytest.raises(ConfigurationError) as caught:
        load_settings(TradingSettings, _env_file=None)
    assert message in str(caught.value)


def test_duplicate_markets_and_unordered_tiers_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BURENCY_MARKETS", json.dumps([ETH, ETH]))
    with pytest.raises(ConfigurationError, match="lists a symbol twice"):
        load_settings(TradingSettings, _env_file=None)
    monkeypatch.delenv("BURENCY_MARKETS")
    tiers = [{"tier": 1, "min_volume": "100", "maker_fee": "0", "taker_fee": "0"},
             {"tier": 2, "min_volume": "50", "maker_fee": "0", "taker_fee": "0"}]  # fmt: skip
    monkeypatch.setenv("BURENCY_FEE_TIERS", json.dumps(tiers))
    with pytest.raises(ConfigurationError, match="min_volume must grow with the tier number"):
        load_settings(TradingSettings, _env_file=None)
