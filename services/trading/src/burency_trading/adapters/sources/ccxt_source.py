"""The CCXT adapter of the ``MarketDataSource`` port (and of ``HedgeVenue``).

Any exchange CCXT knows (``ccxt.async_support.<exchange_id>``), with ``enableRateLimit``
on (CCXT spaces requests by the venue's documented weights). Symbols are mapped from
Burency's to the venue's by a table (``{"BTC/AED": "BTC/USDT"}``; unmapped symbols are
asked as they are); no price conversion is made.

``urls`` replaces entries of the exchange's ``urls["api"]`` (e.g. Binance's ``public``
and ``private`` base URLs): that is how tests point a real ccxt exchange at a local
server speaking the venue's wire format.

Every ccxt float is converted with ``Decimal(str(x))`` (see ``port.decimal_of``).
Errors: ccxt's ``NetworkError`` family (timeouts, DDoS protection / rate limits,
``ExchangeNotAvailable`` for 5xx, connection refused) becomes
:class:`SourceNetworkError`, retried here a few times with exponential backoff and
jitter; any other ``ccxt.BaseError`` becomes :class:`SourceExchangeError` at once. The
markets are (re)loaded lazily: after a failure the next call loads them again, so a
venue that comes back is picked up without a restart.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

import ccxt.async_support as ccxt_async
from ccxt.base.errors import BaseError, NetworkError

from burency_common.logging import get_logger
from burency_trading.service.sources.port import (
    TIMEFRAME_SECONDS,
    BookLevel,
    Candle,
    HedgeOrder,
    OrderBookSnapshot,
    PublicTrade,
    SourceError,
    SourceExchangeError,
    SourceNetworkError,
    Ticker,
    decimal_of,
)

__all__ = ["CcxtSource"]

T = TypeVar("T")
_log = get_logger("burency.trading.sources")


def _required(value: object, what: str) -> Decimal:
    number = decimal_of(value)
    if number is None:
        raise SourceExchangeError(f"the venue answered no {what}")
    return number


class CcxtSource:
    """A venue through ccxt. ``api_key``/``secret`` only for hedging (``create_order``);
    they are handed to ccxt and never logged. ``retries`` network retries per call,
    ``backoff`` the first delay (doubling, capped at ``backoff_max``)."""

    def __init__(
        self,
        exchange_id: str,
        *,
        symbols: Mapping[str, str] | None = None,
        urls: Mapping[str, str] | None = None,
        options: Mapping[str, Any] | None = None,
        api_key: str | None = None,
        secret: str | None = None,
        timeout_ms: int = 10_000,
        retries: int = 2,
        backoff: float = 0.25,
        backoff_max: float = 5.0,
    ) -> None:
        exchange_class = getattr(ccxt_async, exchange_id, None)
        if exchange_class is None or exchange_id not in ccxt_async.exchanges:
            raise ValueError(f"ccxt knows no exchange {exchange_id!r}")
        config: dict[str, Any] = {
            "enableRateLimit": True,
            "timeout": timeout_ms,
            # only what a spot reference needs; no wallet endpoints (they need keys)
            "options": {
                "fetchMarkets": {"types": ["spot"]},
                "fetchCurrencies": False,
                "fetchMargins": False,
                **dict(options or {}),
            },
        }
        if api_key and secret:
            config |= {"apiKey": api_key, "secret": secret}
        self.exchange: Any = exchange_class(config)
        if urls:
            api = self.exchange.urls.get("api")
            if isinstance(api, dict):
                self.exchange.urls["api"] = {**api, **urls}
            else:
                self.exchange.urls["api"] = dict(urls)
        self.name = f"ccxt:{exchange_id}"
        self.symbols = dict(symbols or {})
        self.can_trade = bool(api_key and secret)
        self._retries = retries
        self._backoff = backoff
        self._backoff_max = backoff_max
        self._loaded = False

    def venue_symbol(self, symbol: str) -> str:
        return self.symbols.get(symbol, symbol)

    # -- calls with classification and backoff --------------------------------------

    async def _call(self, what: str, fn: Callable[[], Awaitable[T]]) -> T:
        delay = self._backoff
        for attempt in range(self._retries + 1):
            try:
                if not self._loaded:
                    await self.exchange.load_markets(reload=True)
                    self._loaded = True
                return await fn()
            except NetworkError as exc:
                if attempt == self._retries:
                    raise SourceNetworkError(f"{self.name} {what}: {type(exc).__name__}") from exc
                _log.info("trading.source_retry", source=self.name, call=what,
                          error=type(exc).__name__, delay=round(delay, 3))  # fmt: skip
                await asyncio.sleep(delay * (0.5 + random.random()))  # noqa: S311 (jitter)
                delay = min(delay * 2, self._backoff_max)
            except BaseError as exc:
                raise SourceExchangeError(f"{self.name} {what}: {type(exc).__name__}") from exc
        raise SourceError(f"{self.name} {what}: no attempt made")  # retries < 0

    # -- the port ---------------------------------------------------------------------

    async def load_markets(self) -> list[str]:
        """The venue's symbols (loads them; raises SourceError when it cannot)."""
        await self._call("load_markets", self._noop)
        return sorted(self.exchange.symbols or [])

    @staticmethod
    async def _noop() -> None:
        return None

    async def fetch_ticker(self, symbol: str) -> Ticker:
        raw = await self._call(
            "fetch_ticker", lambda: self.exchange.fetch_ticker(self.venue_symbol(symbol))
        )
        return Ticker(
            symbol=symbol,
            last=_required(raw.get("last") or raw.get("close"), "last price"),
            bid=decimal_of(raw.get("bid")),
            ask=decimal_of(raw.get("ask")),
            high=decimal_of(raw.get("high")),
            low=decimal_of(raw.get("low")),
            base_volume=decimal_of(raw.get("baseVolume")),
            quote_volume=decimal_of(raw.get("quoteVolume")),
            timestamp_ms=int(raw.get("timestamp") or 0),
        )

    async def fetch_order_book(self, symbol: str, limit: int = 20) -> OrderBookSnapshot:
        raw = await self._call(
            "fetch_order_book",
            lambda: self.exchange.fetch_order_book(self.venue_symbol(symbol), limit),
        )

        def levels(rows: list[list[Any]]) -> tuple[BookLevel, ...]:
            return tuple(
                BookLevel(_required(row[0], "price"), _required(row[1], "amount"))
                for row in rows[:limit]
            )

        return OrderBookSnapshot(
            symbol, levels(raw.get("bids", [])), levels(raw.get("asks", [])),
            int(raw.get("timestamp") or 0),
        )  # fmt: skip

    async def fetch_ohlcv(
        self, symbol: str, timeframe: str = "1m", since_ms: int | None = None, limit: int = 100
    ) -> list[Candle]:
        if timeframe not in TIMEFRAME_SECONDS:
            raise SourceExchangeError(f"unknown timeframe {timeframe!r}")
        rows = await self._call(
            "fetch_ohlcv",
            lambda: self.exchange.fetch_ohlcv(
                self.venue_symbol(symbol), timeframe, since_ms, limit
            ),
        )
        return [
            Candle(
                open_time_ms=int(row[0]),
                open=_required(row[1], "open"),
                high=_required(row[2], "high"),
                low=_required(row[3], "low"),
                close=_required(row[4], "close"),
                volume=decimal_of(row[5]) or Decimal(0),
            )
            for row in rows
        ]

    async def fetch_trades(
        self, symbol: str, since_ms: int | None = None, limit: int = 100
    ) -> list[PublicTrade]:
        rows = await self._call(
            "fetch_trades",
            lambda: self.exchange.fetch_trades(self.venue_symbol(symbol), since_ms, limit),
        )
        return [
            PublicTrade(
                trade_id=str(row.get("id") or ""),
                timestamp_ms=int(row.get("timestamp") or 0),
                price=_required(row.get("price"), "price"),
                amount=_required(row.get("amount"), "amount"),
                side=str(row.get("side") or ""),
            )
            for row in rows
        ]

    async def create_order(
        self, symbol: str, side: str, amount: Decimal, price: Decimal | None = None
    ) -> HedgeOrder:
        """Place a hedge order (market when ``price`` is None). Not retried on a network
        error: the order may have reached the venue, and placing it twice would double
        the hedge; the bot counts it as failed and logs it for a person to check."""
        if not self.can_trade:
            raise SourceExchangeError(f"{self.name}: no API credentials configured")
        venue = self.venue_symbol(symbol)
        kind = "market" if price is None else "limit"
        # decimal strings: ccxt formats them to the market's precision with Decimal(str(x)),
        # so the amount reaches the venue exactly (a float could not hold 0.1)
        text_price = None if price is None else str(price)
        try:
            if not self._loaded:
                await self.exchange.load_markets(reload=True)
                self._loaded = True
            raw = await self.exchange.create_order(venue, kind, side, str(amount), text_price)
        except NetworkError as exc:
            raise SourceNetworkError(f"{self.name} create_order: {type(exc).__name__}") from exc
        except BaseError as exc:
            raise SourceExchangeError(f"{self.name} create_order: {type(exc).__name__}") from exc
        return HedgeOrder(
            venue_order_id=str(raw.get("id") or ""),
            symbol=symbol,
            side=side,
            amount=amount,
            price=price,
            status=str(raw.get("status") or ""),
        )

    async def close(self) -> None:
        await self.exchange.close()
