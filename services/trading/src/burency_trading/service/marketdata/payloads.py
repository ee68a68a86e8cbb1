"""Binance-shaped payloads of the public streams and REST answers (decimal strings).

Integers come in (ticks, lots, minor units, µs); each market's :class:`Formats` turns
them into the strings the API shows, with the same grid helpers as the orders API.
Times are epoch milliseconds. Symbols are slash-less upper case (``BTCAED``); stream
names slash-less lower case (``btcaed@depth@100ms``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from burency_common.market_math import MarketGrid
from burency_trading.domain.marketdata.book import MarketBook
from burency_trading.domain.marketdata.candles import Candle, TradeTick
from burency_trading.domain.marketdata.diffs import DepthDiff
from burency_trading.domain.marketdata.ticker import Ticker
from burency_trading.domain.model import MarketSpec

__all__ = ["Formats", "decimal_string", "stream_symbol", "wire_symbol"]


def wire_symbol(market: str) -> str:
    """``BTC/AED`` -> ``BTCAED``."""
    return market.replace("/", "").upper()


def stream_symbol(market: str) -> str:
    """``BTC/AED`` -> ``btcaed`` (the prefix of its stream names)."""
    return market.replace("/", "").lower()


def _ms(us: int) -> int:
    return us // 1000


Levels = list[tuple[int, int]]


def _exponent(step: str) -> int:
    """``"0.01"`` -> -2, ``"1"`` -> 0, ``"10"`` -> 1 (a grid step is a power of ten)."""
    return -(len(step) - 2) if step.startswith("0.") else len(step) - 1


def decimal_string(units: int, exponent: int) -> str:
    """``units * 10**exponent`` as the grid and ``format_amount`` write it (every
    decimal of the scale, no trimming): the same strings, several times cheaper (string
    slicing, no big-int division), for the private stream's many fields (a test compares
    them)."""
    if exponent >= 0:
        return str(units * 10**exponent)
    if units < 0:
        return "-" + decimal_string(-units, exponent)
    scale = -exponent
    digits = str(units)
    if len(digits) <= scale:
        digits = "0" * (scale + 1 - len(digits)) + digits
    return digits[:-scale] + "." + digits[-scale:]


class Formats:
    """One market's formatting (its grid and quote scale)."""

    def __init__(self, spec: MarketSpec) -> None:
        self.spec = spec
        self.symbol = wire_symbol(spec.symbol)
        self.grid = MarketGrid(spec.base_scale, spec.quote_scale, spec.tick_size, spec.lot_size)
        self._tick = Decimal(spec.tick_size)
        self._tick_exp = _exponent(spec.tick_size)
        self._lot_exp = _exponent(spec.lot_size)
        self._quote_exp = -spec.quote_scale
        # zeros are the commonest value of a report's fields: written once
        self._zero_price = decimal_string(0, self._tick_exp)
        self._zero_qty = decimal_string(0, self._lot_exp)
        self._zero_quote = decimal_string(0, self._quote_exp)

    def price(self, ticks: int) -> str:
        return decimal_string(ticks, self._tick_exp) if ticks else self._zero_price

    def qty(self, lots: int) -> str:
        return decimal_string(lots, self._lot_exp) if lots else self._zero_qty

    def quote(self, minor: int) -> str:
        return decimal_string(minor, self._quote_exp) if minor else self._zero_quote

    def levels(self, levels: Levels) -> list[list[str]]:
        return [[self.price(p), self.qty(q)] for p, q in levels]

    # -- REST ---------------------------------------------------------------------------

    def depth(self, book: MarketBook | None, limit: int) -> dict[str, Any]:
        bids, asks = book.depth(limit) if book is not None else ([], [])
        return {
            "lastUpdateId": book.last_update_id if book is not None else 0,
            "bids": self.levels(bids),
            "asks": self.levels(asks),
        }

    def trade_rest(self, t: TradeTick) -> dict[str, Any]:
        return {
            "id": t.trade_id,
            "price": self.price(t.price),
            "qty": self.qty(t.qty),
            "quoteQty": self.quote(t.quote_amount),
            "time": _ms(t.ts),
            "isBuyerMaker": not t.taker_is_buy,
            "isBestMatch": True,
        }

    def kline_row(self, c: Candle) -> list[Any]:
        """Binance's kline array: open time, o, h, l, c, volume, close time, quote volume,
        trades, taker buy base volume, taker buy quote volume, "0"."""
        return [
            _ms(c.open_time), self.price(c.open), self.price(c.high), self.price(c.low),
            self.price(c.close), self.qty(c.volume), _ms(c.close_time),
            self.quote(c.quote_volume), c.count, self.qty(c.taker_buy_volume),
            self.quote(c.taker_buy_quote), "0",
        ]  # fmt: skip

    def ticker_rest(self, t: Ticker, book: MarketBook | None, last_qty: int) -> dict[str, Any]:
        bid = book.best_bid() if book else None
        ask = book.best_ask() if book else None
        return {
            "symbol": self.symbol,
            "priceChange": self.price(t.change),
            "priceChangePercent": self._percent(t),
            "weightedAvgPrice": self._weighted(t),
            "lastPrice": self.price(t.last),
            "lastQty": self.qty(last_qty),
            "bidPrice": self.price(bid[0] if bid else 0),
            "bidQty": self.qty(bid[1] if bid else 0),
            "askPrice": self.price(ask[0] if ask else 0),
            "askQty": self.qty(ask[1] if ask else 0),
            "openPrice": self.price(t.open),
            "highPrice": self.price(t.high),
            "lowPrice": self.price(t.low),
            "volume": self.qty(t.volume),
            "quoteVolume": self.quote(t.quote_volume),
            "openTime": _ms(t.open_time),
            "closeTime": _ms(t.close_time),
            "firstId": t.first_trade_id,
            "lastId": t.last_trade_id,
            "count": t.count,
        }

    def book_ticker_rest(self, book: MarketBook | None) -> dict[str, Any]:
        bid = book.best_bid() if book else None
        ask = book.best_ask() if book else None
        return {
            "symbol": self.symbol,
            "bidPrice": self.price(bid[0] if bid else 0),
            "bidQty": self.qty(bid[1] if bid else 0),
            "askPrice": self.price(ask[0] if ask else 0),
            "askQty": self.qty(ask[1] if ask else 0),
        }

    def _percent(self, t: Ticker) -> str:
        if not t.count or not t.open:
            return "0.000"
        pct = Decimal(t.change) * 100 / Decimal(t.open)
        return str(pct.quantize(Decimal("0.001"), rounding=ROUND_HALF_EVEN))

    def _weighted(self, t: Ticker) -> str:
        if not t.volume:
            return self.price(0)
        avg = Decimal(self.quote(t.quote_volume)) / Decimal(self.qty(t.volume))
        return str(avg.quantize(self._tick, rounding=ROUND_HALF_EVEN))

    # -- streams ------------------------------------------------------------------------

    def depth_update(self, d: DepthDiff, now_ms: int, ts_ms: int) -> dict[str, Any]:
        return {
            "e": "depthUpdate", "E": now_ms, "T": ts_ms, "s": self.symbol,
            "U": d.first_update_id, "u": d.final_update_id, "pu": d.previous_final_update_id,
            "b": self.levels(d.bids), "a": self.levels(d.asks),
        }  # fmt: skip

    def trade_event(self, t: TradeTick, now_ms: int) -> dict[str, Any]:
        return {
            "e": "trade", "E": now_ms, "s": self.symbol, "t": t.trade_id,
            "p": self.price(t.price), "q": self.qty(t.qty), "T": _ms(t.ts),
            "m": not t.taker_is_buy, "M": True,
        }  # fmt: skip

    def book_ticker_event(self, book: MarketBook, now_ms: int) -> dict[str, Any]:
        rest = self.book_ticker_rest(book)
        return {
            "e": "bookTicker", "u": book.last_update_id, "E": now_ms, "s": self.symbol,
            "b": rest["bidPrice"], "B": rest["bidQty"], "a": rest["askPrice"],
            "A": rest["askQty"],
        }  # fmt: skip

    def ticker_event(
        self, t: Ticker, book: MarketBook | None, last_qty: int, now_ms: int
    ) -> dict[str, Any]:
        r = self.ticker_rest(t, book, last_qty)
        return {
            "e": "24hrTicker", "E": now_ms, "s": self.symbol, "p": r["priceChange"],
            "P": r["priceChangePercent"], "w": r["weightedAvgPrice"], "c": r["lastPrice"],
            "Q": r["lastQty"], "b": r["bidPrice"], "B": r["bidQty"], "a": r["askPrice"],
            "A": r["askQty"], "o": r["openPrice"], "h": r["highPrice"], "l": r["lowPrice"],
            "v": r["volume"], "q": r["quoteVolume"], "O": r["openTime"], "C": r["closeTime"],
            "F": r["firstId"], "L": r["lastId"], "n": r["count"],
        }  # fmt: skip

    def kline_event(self, c: Candle, now_ms: int, closed: bool) -> dict[str, Any]:
        return {
            "e": "kline", "E": now_ms, "s": self.symbol,
            "k": {
                "t": _ms(c.open_time), "T": _ms(c.close_time), "s": self.symbol,
                "i": c.interval, "f": c.first_trade_id, "L": c.last_trade_id,
                "o": self.price(c.open), "c": self.price(c.close), "h": self.price(c.high),
                "l": self.price(c.low), "v": self.qty(c.volume), "n": c.count, "x": closed,
                "q": self.quote(c.quote_volume), "V": self.qty(c.taker_buy_volume),
                "Q": self.quote(c.taker_buy_quote), "B": "0",
            },
        }  # fmt: skip
