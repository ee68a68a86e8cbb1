"""The chart of a market that has not traded yet: its reference source's candles.

A new market (or a new install) has no trades, so its own klines are empty and a chart
would be blank. Until its first trade, ``GET /v1/klines`` answers with the candles of the
market's reference source (the simulated venue, or the CCXT exchange it follows), in the
same Binance row format, with ``X-Burency-Klines-Source: reference`` so a client can say
so; from the first trade on, only the market's own candles are served.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Protocol

from burency_trading.service.marketdata.payloads import Formats
from burency_trading.service.sources.port import TIMEFRAME_SECONDS, Candle, SourceError

__all__ = ["KLINES_SOURCE_HEADER", "ReferenceKlines", "reference_rows"]

KLINES_SOURCE_HEADER = "X-Burency-Klines-Source"


class ReferenceKlines(Protocol):
    async def reference_klines(
        self, symbol: str, interval: str = "1m", limit: int = 100, since_ms: int | None = None
    ) -> list[Candle]: ...


def _on(value: Decimal, step: str) -> str:
    return str(value.quantize(Decimal(step), rounding=ROUND_HALF_EVEN))


async def reference_rows(
    prices: ReferenceKlines, fmt: Formats, interval: str, start_ms: int | None, limit: int
) -> list[list[Any]] | None:
    """Binance kline rows from the reference source, or None when it cannot answer."""
    try:
        candles = await prices.reference_klines(fmt.spec.symbol, interval, limit, start_ms)
    except (KeyError, ValueError, SourceError, TimeoutError):
        return None
    span_ms = TIMEFRAME_SECONDS[interval] * 1000
    tick, lot = fmt.spec.tick_size, fmt.spec.lot_size
    quote_step = str(Decimal(1).scaleb(-fmt.spec.quote_scale))
    return [_row(c, span_ms, tick, lot, quote_step) for c in candles]


def _row(c: Candle, span_ms: int, tick: str, lot: str, quote_step: str) -> list[Any]:
    close_ms = c.open_time_ms + span_ms - 1
    quote_volume = _on(c.volume * c.close, quote_step)
    return [
        c.open_time_ms,
        _on(c.open, tick),
        _on(c.high, tick),
        _on(c.low, tick),
        _on(c.close, tick),
        _on(c.volume, lot),
        close_ms,
        quote_volume,
        0,
        "0",
        "0",
        "0",
    ]
