"""The CCXT adapter with the real ccxt library against the fake Binance venue: markets
load, prices arrive as exact decimals under Burency's symbols, a refused request is an
exchange error, an outage (5xx or connection refused) a network error until the venue
is back, and a hedge order reaches the venue signed, with the right parameters."""

from __future__ import annotations

from decimal import Decimal

import pytest

from burency_testing.fake_binance import FakeBinance
from burency_trading.adapters.sources.ccxt_source import CcxtSource
from burency_trading.service.sources.port import SourceExchangeError, SourceNetworkError

from .conftest import ccxt_for


async def test_markets_load_and_prices_arrive_as_exact_decimals(
    venue: FakeBinance, source: CcxtSource
) -> None:
    assert await source.load_markets() == ["BTC/USDT", "ETH/USDT"]
    venue.set_price("BTC/USDT", "95123.45")
    ticker = await source.fetch_ticker("BTC/AED")  # mapped to BTC/USDT
    assert ticker.symbol == "BTC/AED"
    assert (ticker.last, ticker.bid, ticker.ask) == (
        Decimal("95123.45"), Decimal("95123.44"), Decimal("95123.46"),
    )  # fmt: skip
    book = await source.fetch_order_book("BTC/AED", 5)
    assert [lvl.price for lvl in book.bids[:2]] == [Decimal("95123.44"), Decimal("95123.43")]
    assert book.asks[0].amount == Decimal("0.5")
    candles = await source.fetch_ohlcv("BTC/AED", "1m", None, 3)
    assert len(candles) == 3
    assert {c.close for c in candles} == {Decimal("95123.45")}
    trades = await source.fetch_trades("BTC/AED", None, 5)
    assert trades
    assert all(t.price == Decimal("95123.45") for t in trades)
    assert "/api/v3/exchangeInfo" in venue.requests


async def test_an_unknown_symbol_is_an_exchange_error(source: CcxtSource) -> None:
    with pytest.raises(SourceExchangeError):
        await source.fetch_ticker("DOGE/AED")
    with pytest.raises(SourceExchangeError):
        await source.fetch_ohlcv("BTC/AED", "3m")


@pytest.mark.parametrize("mode", ["5xx", "refused"])
async def test_an_outage_is_a_network_error_until_the_venue_is_back(
    venue: FakeBinance, source: CcxtSource, mode: str
) -> None:
    await source.fetch_ticker("BTC/AED")
    await venue.outage(mode)
    with pytest.raises(SourceNetworkError):
        await source.fetch_ticker("BTC/AED")
    await venue.recover()
    assert (await source.fetch_ticker("BTC/AED")).last == Decimal("95000")


async def test_markets_load_once_the_venue_answers(venue: FakeBinance) -> None:
    await venue.outage("5xx")
    source = ccxt_for(venue)
    try:
        with pytest.raises(SourceNetworkError):
            await source.fetch_ticker("BTC/AED")
        await venue.recover()
        assert (await source.fetch_ticker("BTC/AED")).last == Decimal("95000")
    finally:
        await source.close()


async def test_a_hedge_order_reaches_the_venue_signed(
    venue: FakeBinance, source: CcxtSource
) -> None:
    order = await source.create_order("BTC/AED", "sell", Decimal("0.015"))
    assert order.venue_order_id
    assert order.status == "closed"
    [received] = venue.orders
    assert {k: received[k] for k in ("symbol", "side", "type", "quantity")} == {
        "symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.015",
    }  # fmt: skip
    limit = await source.create_order("ETH/AED", "buy", Decimal("0.25"), Decimal("3400.5"))
    assert limit.price == Decimal("3400.5")
    assert {k: venue.orders[-1][k] for k in ("symbol", "side", "type", "quantity", "price",
                                              "timeInForce")} == {
        "symbol": "ETHUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.25",
        "price": "3400.5", "timeInForce": "GTC",
    }  # fmt: skip


async def test_a_badly_signed_or_unsigned_hedge_is_refused(venue: FakeBinance) -> None:
    wrong = ccxt_for(venue, secret="not-the-secret")
    anonymous = ccxt_for(venue, api_key=None, secret=None)
    try:
        with pytest.raises(SourceExchangeError):
            await wrong.create_order("BTC/AED", "buy", Decimal("0.01"))
        with pytest.raises(SourceExchangeError):
            await anonymous.create_order("BTC/AED", "buy", Decimal("0.01"))
        assert venue.orders == []
    finally:
        await wrong.close()
        await anonymous.close()


def test_an_unknown_exchange_id_is_refused() -> None:
    with pytest.raises(ValueError, match="no exchange"):
        CcxtSource("not_an_exchange")
