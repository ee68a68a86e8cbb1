"""The ``MarketDataSource`` port: prices from outside the engine, in our own types.

A source answers in :class:`~decimal.Decimal` values (never ``float``): the CCXT adapter
converts each float ccxt hands back with ``Decimal(str(x))`` (the shortest decimal that
reads back as the same float, e.g. ``0.1`` and not ``0.1000000000000000055...``), the
simulated source builds its values as decimals. They become integers on the market's
grid (ticks, lots) only at the boundary where they enter the engine
(:func:`price_to_ticks`, :func:`qty_to_lots`), with an explicit rounding.

Errors are classified so the supervisor can tell a venue that is down (network: retry
with backoff, mark the source stale) from one that refuses (exchange: a bad symbol, a
rejected order).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import Literal, Protocol

from burency_common.market_math import MarketGrid

__all__ = [
    "TIMEFRAME_SECONDS",
    "BookLevel",
    "Candle",
    "HedgeOrder",
    "HedgeVenue",
    "MarketDataSource",
    "OrderBookSnapshot",
    "PublicTrade",
    "SourceError",
    "SourceExchangeError",
    "SourceNetworkError",
    "Ticker",
    "decimal_of",
    "price_to_ticks",
    "qty_to_lots",
]

TIMEFRAME_SECONDS: dict[str, int] = {
    "1m": 60,
    "5m": 300,
    "15m": 900,
    "1h": 3600,
    "4h": 14_400,
    "1d": 86_400,
}
"""The candle intervals Burency serves (Binance's names)."""

Rounding = Literal["down", "up", "nearest"]
_MODES = {"down": ROUND_FLOOR, "up": ROUND_CEILING, "nearest": ROUND_HALF_EVEN}


class SourceError(Exception):
    """A source could not answer. ``kind`` is ``network`` or ``exchange``."""

    kind = "error"


class SourceNetworkError(SourceError):
    """The venue is unreachable, timed out, rate-limited us or answered 5xx: retry later."""

    kind = "network"


class SourceExchangeError(SourceError):
    """The venue answered and refused (unknown symbol, bad parameters, rejected order)."""

    kind = "exchange"


@dataclass(frozen=True, slots=True)
class Ticker:
    """The venue's 24 h ticker. ``last`` is required; the rest may be unknown (None)."""

    symbol: str  # Burency's symbol ("BTC/AED")
    last: Decimal
    bid: Decimal | None
    ask: Decimal | None
    high: Decimal | None
    low: Decimal | None
    base_volume: Decimal | None
    quote_volume: Decimal | None
    timestamp_ms: int


@dataclass(frozen=True, slots=True)
class BookLevel:
    price: Decimal
    amount: Decimal  # base units


@dataclass(frozen=True, slots=True)
class OrderBookSnapshot:
    symbol: str
    bids: tuple[BookLevel, ...]  # best (highest) first
    asks: tuple[BookLevel, ...]  # best (lowest) first
    timestamp_ms: int


@dataclass(frozen=True, slots=True)
class Candle:
    """One OHLCV bar; ``open_time_ms`` is the start of the interval (UTC, ms)."""

    open_time_ms: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal  # base units


@dataclass(frozen=True, slots=True)
class PublicTrade:
    trade_id: str
    timestamp_ms: int
    price: Decimal
    amount: Decimal
    side: str  # the taker's side: "buy" or "sell"


class MarketDataSource(Protocol):
    """Where a market's reference data comes from (a venue through CCXT, or simulated).

    Symbols are Burency's (``"BTC/AED"``); an adapter maps them to its venue's. Every
    method raises :class:`SourceError` (network or exchange), never a library's own."""

    name: str  # "simulated", "ccxt:binance"

    async def fetch_ticker(self, symbol: str) -> Ticker: ...

    async def fetch_order_book(self, symbol: str, limit: int = 20) -> OrderBookSnapshot: ...

    async def fetch_ohlcv(
        self, symbol: str, timeframe: str = "1m", since_ms: int | None = None, limit: int = 100
    ) -> list[Candle]: ...

    async def fetch_trades(
        self, symbol: str, since_ms: int | None = None, limit: int = 100
    ) -> list[PublicTrade]: ...

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class HedgeOrder:
    """An order the venue accepted (``venue_order_id`` is its id)."""

    venue_order_id: str
    symbol: str
    side: str
    amount: Decimal
    price: Decimal | None
    status: str


class HedgeVenue(Protocol):
    """Where the liquidity bot offsets its fills (a CCXT venue with API credentials)."""

    async def create_order(
        self, symbol: str, side: str, amount: Decimal, price: Decimal | None = None
    ) -> HedgeOrder:
        """A market order (``price`` None) or a limit order; raises :class:`SourceError`."""
        ...


def decimal_of(value: object) -> Decimal | None:
    """A number from a library (float, int, str) as a Decimal; None stays None.

    Floats go through ``str``: ``Decimal(0.1)`` would carry the binary float's full
    expansion (0.1000000000000000055511151231257827...), ``Decimal(str(0.1))`` is 0.1.
    """
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, int | float | str):
        result = Decimal(str(value))
        if not result.is_finite():
            raise ValueError(f"not a finite number: {value!r}")
        return result
    raise TypeError(f"not a number: {value!r}")


def price_to_ticks(grid: MarketGrid, price: Decimal, rounding: Rounding = "nearest") -> int:
    """``price`` in ticks of ``grid``, rounded as asked (a bid rounds down, an ask up)."""
    return int((price / Decimal(grid.tick_size)).to_integral_value(rounding=_MODES[rounding]))


def qty_to_lots(grid: MarketGrid, qty: Decimal, rounding: Rounding = "down") -> int:
    """``qty`` (base units) in lots of ``grid`` (down by default: never more than asked)."""
    return int((qty / Decimal(grid.lot_size)).to_integral_value(rounding=_MODES[rounding]))
