"""Public market-data routes: depth, trades, klines, tickers, exchange info (Binance's).

Served from the market-data sink's memory (klines history from SQL), no sign-in: the
gateway routes ``/v1/depth*``, ``/v1/trades*``, ``/v1/klines*``, ``/v1/ticker*`` and
``/v1/exchangeInfo`` as public. Symbols are ``BTC/AED`` or ``BTCAED``; an unknown one is
422 ``MARKET_UNKNOWN``. ``/v1/trades`` is the market's public trades; a user's own fills
are ``/v1/my-trades``.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Query, Request, Response

from burency_common.errors import ServiceUnavailable, ValidationFailed
from burency_common.web.openapi import problem_responses
from burency_trading.domain.marketdata.candles import Candle
from burency_trading.entrypoints.http.deps import Ctx
from burency_trading.entrypoints.http.marketdata_schemas import (
    BookTickerOut,
    DepthOut,
    ExchangeInfoOut,
    Interval,
    KlineRow,
    PublicTradeOut,
    Ticker24hOut,
)
from burency_trading.entrypoints.http.schemas import OrderTypeIn
from burency_trading.service.errors import invalid
from burency_trading.service.marketdata.payloads import Formats
from burency_trading.service.marketdata.reference_klines import (
    KLINES_SOURCE_HEADER,
    reference_rows,
)
from burency_trading.service.marketdata.sink import MarketDataSink
from burency_trading.service.markets_reference import band_references
from burency_trading.service.sources.supervisor import ReferencePrices

__all__ = ["marketdata_router"]

_json = msgspec.json.Encoder()
SymbolParam = Annotated[str, Query(min_length=1, max_length=32, examples=["BTCAED"])]
OptionalSymbol = Annotated[str | None, Query(max_length=32, description="all when absent")]
Time = Annotated[int | None, Query(ge=0, le=10**13, description="epoch milliseconds")]


def _sink(request: Request) -> MarketDataSink:
    sink = getattr(request.app.state, "marketdata", None)
    if not isinstance(sink, MarketDataSink):
        raise ServiceUnavailable("market data is not available")
    return sink


def _reference_prices(request: Request) -> ReferencePrices | None:
    """The market-data supervisor when this process runs it (``app.state.market_sources``)."""
    prices = getattr(getattr(request.app.state, "market_sources", None), "prices", None)
    return prices if isinstance(prices, ReferencePrices) else None


def _market(sink: MarketDataSink, symbol: str) -> str:
    market = sink.data.market(symbol)
    if market is None:
        raise invalid("MARKET_UNKNOWN", f"unknown symbol {symbol[:40]!r}", "symbol")
    return market


def _answer(payload: Any) -> Response:
    return Response(_json.encode(payload), media_type="application/json")


def marketdata_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["market data"], responses=problem_responses(422, 503))

    @router.get("/depth", response_model=DepthOut, summary="Order book (L2 snapshot)")
    async def depth(
        request: Request,
        symbol: SymbolParam,
        limit: Annotated[int, Query(ge=5, le=5000)] = 100,
    ) -> Response:
        sink = _sink(request)
        return _answer(sink.data.depth(_market(sink, symbol), limit))

    @router.get("/trades", response_model=list[PublicTradeOut], summary="Recent trades")
    async def trades(
        request: Request,
        symbol: SymbolParam,
        limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    ) -> Response:
        sink = _sink(request)
        market = _market(sink, symbol)
        fmt = sink.data.formats[market]
        return _answer([fmt.trade_rest(t) for t in sink.data.recent.latest(market, limit)])

    @router.get("/klines", response_model=list[KlineRow], summary="Candles, oldest first")
    async def klines(  # noqa: PLR0917 - query parameters
        request: Request,
        symbol: SymbolParam,
        interval: Interval,
        start_time: Annotated[Time, Query(alias="startTime")] = None,
        end_time: Annotated[Time, Query(alias="endTime")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    ) -> Response:
        sink = _sink(request)
        market = _market(sink, symbol)
        if start_time is not None and end_time is not None and start_time > end_time:
            raise ValidationFailed("startTime is after endTime", code="VALIDATION_FAILED")
        rows = await _klines(sink, market, interval.value, (start_time, end_time), limit)
        prices = getattr(getattr(request.app.state, "market_sources", None), "prices", None)
        if not rows and prices is not None and not sink.data.recent.latest(market, 1):
            fmt = sink.data.formats[market]  # never traded: its reference source's chart
            reference = await reference_rows(prices, fmt, interval.value, start_time, limit)
            if reference is not None:
                answer = _answer(reference)
                answer.headers[KLINES_SOURCE_HEADER] = "reference"
                return answer
        return _answer(rows)

    @router.get(
        "/ticker/24hr",
        response_model=Ticker24hOut | list[Ticker24hOut],
        summary="24 h rolling tickers (one symbol, or every market as a list)",
    )
    async def ticker_24hr(request: Request, ctx: Ctx, symbol: OptionalSymbol = None) -> Response:
        sink = _sink(request)
        now = ctx.now_us()
        if symbol is not None:
            return _answer(sink.data.ticker_payload(_market(sink, symbol), now))
        return _answer([sink.data.ticker_payload(m, now) for m in sorted(sink.data.specs)])

    @router.get(
        "/ticker/bookTicker",
        response_model=BookTickerOut | list[BookTickerOut],
        summary="Best bid and ask (one symbol, or every market as a list)",
    )
    async def book_ticker(request: Request, ctx: Ctx, symbol: OptionalSymbol = None) -> Response:
        sink = _sink(request)
        data = sink.data
        markets = [_market(sink, symbol)] if symbol is not None else sorted(data.specs)
        references = await band_references(ctx, _reference_prices(request))

        def row(market: str) -> dict[str, Any]:
            fmt = data.formats[market]
            ticks = references.get(market)
            return {**fmt.book_ticker_rest(data.book(market)),
                    "referencePrice": None if ticks is None else fmt.price(ticks)}  # fmt: skip

        return _answer(row(markets[0]) if symbol is not None else [row(m) for m in markets])

    @router.get("/exchangeInfo", response_model=ExchangeInfoOut, summary="Markets and filters")
    async def exchange_info(request: Request, ctx: Ctx) -> Response:
        sink = _sink(request)
        data = sink.data
        symbols = [_symbol_info(data.formats[m]) for m in sorted(data.specs)]
        return _answer({"timezone": "UTC", "serverTime": ctx.now_us() // 1000, "symbols": symbols})

    return router


async def _klines(
    sink: MarketDataSink, market: str, interval: str, window: tuple[int | None, int | None],
    limit: int,
) -> list[list[Any]]:  # fmt: skip
    start, end = window
    fmt = sink.data.formats[market]
    start_us = start * 1000 if start is not None else None
    end_us = end * 1000 + 999 if end is not None else None
    candles: list[Candle] = []
    if sink.store is not None:
        candles = await sink.store.page(market, interval, start=start_us, end=end_us, limit=limit)
    current = sink.data.candles.current.get((market, interval))
    if (
        current is not None
        and (start_us is None or current.open_time >= start_us)
        and (end_us is None or current.open_time <= end_us)
    ):  # the live candle is newer than what was saved (saved about once a second)
        candles = [c for c in candles if c.open_time != current.open_time]
        if start_us is None or len(candles) < limit:
            candles.append(current)
        candles = candles[-limit:] if start_us is None else candles[:limit]
    return [fmt.kline_row(c) for c in candles]


def _symbol_info(fmt: Formats) -> dict[str, Any]:
    spec = fmt.spec
    return {
        "symbol": fmt.symbol,
        "status": spec.status.value,
        "baseAsset": spec.base,
        "baseAssetPrecision": spec.base_scale,
        "quoteAsset": spec.quote,
        "quoteAssetPrecision": spec.quote_scale,
        "orderTypes": [t.value for t in OrderTypeIn],
        "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": spec.tick_size, "maxPrice": "0",
             "tickSize": spec.tick_size},
            {"filterType": "LOT_SIZE", "minQty": fmt.qty(spec.min_qty),
             "maxQty": fmt.qty(spec.max_qty), "stepSize": spec.lot_size},
            {"filterType": "MIN_NOTIONAL", "minNotional": fmt.quote(spec.min_notional)},
        ],
    }  # fmt: skip
