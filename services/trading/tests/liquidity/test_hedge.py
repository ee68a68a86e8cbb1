"""Hedging through the real ccxt library against the fake Binance venue: the bot's fills
on Burency reach the venue as the opposite market order, signed, with the right symbol,
side and quantity; a venue that is down costs a counted, logged failure (never a retry
that could double the hedge) and no crash."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from burency_testing.fake_binance import FakeBinance, FakeMarket
from burency_trading.adapters.sources.ccxt_source import CcxtSource
from burency_trading.domain.model import Side
from burency_trading.service.liquidity.bot import LiquidityBot
from burency_trading.service.liquidity.quoting import BotParams

from .rig import ManualReference, Rig, make_rig

BOT = "liquidity-bot"


@pytest.fixture
async def venue() -> AsyncIterator[FakeBinance]:
    async with FakeBinance([FakeMarket("BTC", "USDT", Decimal("95000.00"))]) as fake:
        yield fake


async def _hedging_bot(tmp_path: Path, venue: FakeBinance) -> tuple[Rig, LiquidityBot, CcxtSource]:
    rig = await make_rig(tmp_path)
    await rig.fund(BOT, "AED", "100000")
    await rig.fund(BOT, "BTC", "1")
    ref = ManualReference()
    ref.set("BTC/AED", "350000")
    hedge = CcxtSource(
        "binance", symbols={"BTC/AED": "BTC/USDT"}, api_key=venue.api_key, secret=venue.secret,
        urls={"public": venue.api_url, "private": venue.api_url}, retries=0,
    )  # fmt: skip
    params = BotParams(level_sizes={"BTC/AED": Decimal("0.01")})
    bot = LiquidityBot(rig.ctx, ref, params, markets=["BTC/AED"], user_id=BOT, hedge=hedge)
    return rig, bot, hedge


def _sent(order: dict[str, str]) -> tuple[str, str, str, str]:
    return order["symbol"], order["side"], order["type"], order["quantity"]


async def test_fills_are_hedged_on_the_venue(tmp_path: Path, venue: FakeBinance) -> None:
    rig, bot, hedge = await _hedging_bot(tmp_path, venue)
    try:
        await bot.cycle()
        await rig.fund("bob", "AED", "10000")
        await rig.limit("bob", "BTC/AED", Side.BUY, "0.01", "350350")  # the bot sold 0.01
        await bot.cycle()
        assert [_sent(o) for o in venue.orders] == [("BTCUSDT", "BUY", "MARKET", "0.01")]
        await rig.fund("alice", "BTC", "0.015")
        await rig.limit("alice", "BTC/AED", Side.SELL, "0.015", "349300")  # it bought 0.015
        await bot.cycle()
        assert [_sent(o) for o in venue.orders][1:] == [("BTCUSDT", "SELL", "MARKET", "0.015")]
        # the fake records an order only after checking its HMAC signature and API key
        [status] = bot.status()
        assert (status.hedged_lots, status.hedge_errors) == (2500, 0)
        assert [h.side for h in bot.hedges] == ["buy", "sell"]
    finally:
        await hedge.close()


async def test_a_venue_outage_fails_the_hedge_once(tmp_path: Path, venue: FakeBinance) -> None:
    rig, bot, hedge = await _hedging_bot(tmp_path, venue)
    try:
        await bot.cycle()
        await venue.outage("refused")
        await rig.fund("bob", "AED", "10000")
        await rig.limit("bob", "BTC/AED", Side.BUY, "0.01", "350350")
        await bot.cycle()  # does not raise
        [status] = bot.status()
        assert (status.hedged_lots, status.hedge_errors) == (0, 1)
        assert "hedge buy 0.01" in (status.last_error or "")
        assert len((await rig.depth("BTC/AED"))[1]) == 5  # still quoting
        await venue.recover()
        await bot.cycle()
        assert venue.orders == []  # not sent twice: a person checks the logged failure
    finally:
        await hedge.close()
