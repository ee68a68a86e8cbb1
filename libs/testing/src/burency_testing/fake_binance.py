"""A local server speaking Binance's spot REST wire format, for the real ccxt library.

Endpoints (``/api/v3/...``, as ``api.binance.com`` answers them): ``ping``, ``time``,
``exchangeInfo``, ``ticker/24hr``, ``depth``, ``klines``, ``trades``, ``aggTrades`` and
``POST order``. A signed request is checked like Binance does: the ``X-MBX-APIKEY``
header names the key, ``signature`` is the hex HMAC-SHA256 of the query string followed
by the body (without the signature itself) under the key's secret, and ``timestamp``
must be within ``recvWindow`` (default 5,000 ms) of the server's clock; a failure answers
Binance's error body (``{"code": -1022, "msg": ...}``). Accepted orders are recorded in
:attr:`FakeBinance.orders` (their parameters as received) and filled at once.

Prices are whatever the test sets (:meth:`FakeBinance.set_price`); the book, the
trades and the candles are built around it. :meth:`outage` simulates the venue going
down: ``"5xx"`` answers 503 to everything, ``"refused"`` closes the listening socket
(connection refused); :meth:`recover` brings it back on the same port.

Point ccxt at it with ``urls={"public": fake.api_url, "private": fake.api_url}``.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from burency_testing.infra import free_port

__all__ = ["FakeBinance", "FakeMarket"]


@dataclass
class FakeMarket:
    """One spot market: ccxt symbol ``BASE/QUOTE`` is Binance's ``BASEQUOTE``."""

    base: str
    quote: str
    price: Decimal
    tick_size: str = "0.01"
    step_size: str = "0.00001"
    min_notional: str = "5"

    @property
    def symbol(self) -> str:
        return f"{self.base}{self.quote}"


_INTERVALS = {"1m": 60_000, "5m": 300_000, "15m": 900_000, "1h": 3_600_000,
              "4h": 14_400_000, "1d": 86_400_000}  # fmt: skip


def _error(status: int, code: int, msg: str) -> web.Response:
    return web.json_response({"code": code, "msg": msg}, status=status)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass
class FakeBinance:
    """The fake venue (an async context manager: ``async with FakeBinance(...) as fake``)."""

    markets: list[FakeMarket]
    api_key: str = "test-api-key"
    secret: str = "test-api-secret"  # noqa: S105 - a test venue's made-up key
    host: str = "127.0.0.1"
    port: int = 0
    orders: list[dict[str, str]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # paths, in order
    mode: str = "up"  # "up", "5xx", "refused"
    url: str = ""
    _runner: web.AppRunner | None = None
    _order_id: int = 1000

    # -- life cycle -------------------------------------------------------------------

    async def __aenter__(self) -> FakeBinance:
        self.port = self.port or free_port()
        await self._start()
        self.url = f"http://{self.host}:{self.port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _start(self) -> None:
        app = web.Application(middlewares=[self._outage_middleware])
        routes = {
            "ping": self._ping, "time": self._time, "exchangeInfo": self._exchange_info,
            "ticker/24hr": self._ticker, "depth": self._depth, "klines": self._klines,
            "trades": self._trades, "aggTrades": self._agg_trades,
        }  # fmt: skip
        for path, handler in routes.items():
            app.router.add_get(f"/api/v3/{path}", handler)
        app.router.add_post("/api/v3/order", self._order)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/v3"

    # -- test controls ----------------------------------------------------------------

    def market(self, symbol: str) -> FakeMarket:
        """By Binance id (``BTCUSDT``) or ccxt symbol (``BTC/USDT``)."""
        wanted = symbol.replace("/", "")
        return next(m for m in self.markets if m.symbol == wanted)

    def set_price(self, symbol: str, price: str) -> None:
        self.market(symbol).price = Decimal(price)

    async def outage(self, mode: str = "5xx") -> None:
        """``"5xx"``: every request answers 503; ``"refused"``: nothing listens."""
        if mode not in ("5xx", "refused"):
            raise ValueError(mode)
        if mode == "refused" and self._runner is not None:
            await self._runner.cleanup()  # closes the listener and every open connection
            self._runner = None
        self.mode = mode

    async def recover(self) -> None:
        """Answer again (listening again on the same port after ``"refused"``)."""
        if self._runner is None:
            await self._start()
        self.mode = "up"

    # -- helpers ------------------------------------------------------------------------

    @web.middleware
    async def _outage_middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests.append(request.path)
        if self.mode == "5xx":
            return web.Response(status=503, text="Service Unavailable")
        response: web.StreamResponse = await handler(request)
        return response

    def _find(self, request: web.Request) -> FakeMarket | None:
        symbol = request.query.get("symbol", "")
        return next((m for m in self.markets if m.symbol == symbol), None)

    @staticmethod
    def _quantize(value: Decimal, step: str) -> str:
        return str(value.quantize(Decimal(step)))

    # -- public endpoints ---------------------------------------------------------------

    async def _ping(self, request: web.Request) -> web.Response:
        return web.json_response({})

    async def _time(self, request: web.Request) -> web.Response:
        return web.json_response({"serverTime": _now_ms()})

    async def _exchange_info(self, request: web.Request) -> web.Response:
        symbols = [
            {
                "symbol": m.symbol, "status": "TRADING", "baseAsset": m.base,
                "baseAssetPrecision": 8, "quoteAsset": m.quote, "quotePrecision": 8,
                "quoteAssetPrecision": 8, "baseCommissionPrecision": 8,
                "quoteCommissionPrecision": 8,
                "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT"],
                "icebergAllowed": True, "ocoAllowed": True, "isSpotTradingAllowed": True,
                "isMarginTradingAllowed": False, "permissions": [], "permissionSets": [["SPOT"]],
                "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
                "allowedSelfTradePreventionModes": ["EXPIRE_TAKER", "EXPIRE_MAKER"],
                "filters": [
                    {"filterType": "PRICE_FILTER", "minPrice": m.tick_size,
                     "maxPrice": "1000000.00", "tickSize": m.tick_size},
                    {"filterType": "LOT_SIZE", "minQty": m.step_size, "maxQty": "9000",
                     "stepSize": m.step_size},
                    {"filterType": "NOTIONAL", "minNotional": m.min_notional,
                     "applyMinToMarket": True, "maxNotional": "9000000",
                     "applyMaxToMarket": False, "avgPriceMins": 5},
                ],
            }
            for m in self.markets
        ]  # fmt: skip
        return web.json_response({"timezone": "UTC", "serverTime": _now_ms(), "rateLimits": [],
                                  "exchangeFilters": [], "symbols": symbols})  # fmt: skip

    async def _ticker(self, request: web.Request) -> web.Response:
        m = self._find(request)
        if m is None:
            return _error(400, -1121, "Invalid symbol.")
        now, p, tick = _now_ms(), m.price, Decimal(m.tick_size)
        q = self._quantize
        return web.json_response({
            "symbol": m.symbol, "priceChange": "0.00", "priceChangePercent": "0.000",
            "weightedAvgPrice": q(p, m.tick_size), "prevClosePrice": q(p, m.tick_size),
            "lastPrice": q(p, m.tick_size), "lastQty": "0.01000000",
            "bidPrice": q(p - tick, m.tick_size), "bidQty": "1.00000000",
            "askPrice": q(p + tick, m.tick_size), "askQty": "1.00000000",
            "openPrice": q(p, m.tick_size), "highPrice": q(p * Decimal("1.01"), m.tick_size),
            "lowPrice": q(p * Decimal("0.99"), m.tick_size), "volume": "1234.50000000",
            "quoteVolume": q(p * Decimal("1234.5"), m.tick_size), "openTime": now - 86_400_000,
            "closeTime": now, "firstId": 1, "lastId": 100, "count": 100,
        })  # fmt: skip

    async def _depth(self, request: web.Request) -> web.Response:
        m = self._find(request)
        if m is None:
            return _error(400, -1121, "Invalid symbol.")
        limit = int(request.query.get("limit", "100"))
        tick = Decimal(m.tick_size)
        rows = range(1, min(limit, 100) + 1)
        return web.json_response({
            "lastUpdateId": _now_ms(),
            "bids": [[self._quantize(m.price - tick * i, m.tick_size), "0.50000000"] for i in rows],
            "asks": [[self._quantize(m.price + tick * i, m.tick_size), "0.50000000"] for i in rows],
        })  # fmt: skip

    async def _klines(self, request: web.Request) -> web.Response:
        m = self._find(request)
        if m is None:
            return _error(400, -1121, "Invalid symbol.")
        step = _INTERVALS.get(request.query.get("interval", ""))
        if step is None:
            return _error(400, -1120, "Invalid interval.")
        limit = min(int(request.query.get("limit", "500")), 1000)
        now = _now_ms()
        start = int(request.query.get("startTime", now - step * (limit - 1)))
        first = start - start % step
        price = self._quantize(m.price, m.tick_size)
        rows = [
            [t, price, price, price, price, "1.00000000", t + step - 1, price, 10,
             "0.5", price, "0"]
            for t in range(first, now + 1, step)
        ][:limit]  # fmt: skip
        return web.json_response(rows)

    async def _trades(self, request: web.Request) -> web.Response:
        m = self._find(request)
        if m is None:
            return _error(400, -1121, "Invalid symbol.")
        now, price = _now_ms(), self._quantize(m.price, m.tick_size)
        return web.json_response([
            {"id": 100 + i, "price": price, "qty": "0.01000000", "quoteQty": price,
             "time": now - (5 - i) * 1000, "isBuyerMaker": i % 2 == 0, "isBestMatch": True}
            for i in range(5)
        ])  # fmt: skip

    async def _agg_trades(self, request: web.Request) -> web.Response:
        m = self._find(request)
        if m is None:
            return _error(400, -1121, "Invalid symbol.")
        now, price = _now_ms(), self._quantize(m.price, m.tick_size)
        return web.json_response([
            {"a": 100 + i, "p": price, "q": "0.01000000", "f": 100 + i, "l": 100 + i,
             "T": now - (5 - i) * 1000, "m": i % 2 == 0, "M": True}
            for i in range(5)
        ])  # fmt: skip

    # -- signed endpoint ----------------------------------------------------------------

    def _verify(
        self, request: web.Request, body: str
    ) -> tuple[dict[str, str], web.Response | None]:
        """Binance's SIGNED check; the parameters, or the error to answer."""
        if request.headers.get("X-MBX-APIKEY") != self.api_key:
            return {}, _error(401, -2015, "Invalid API-key, IP, or permissions for action.")
        query = request.query_string
        total = f"{query}{body}"  # Binance signs the query string followed by the body
        if "signature=" not in total:
            return {}, _error(400, -1102, "Mandatory parameter 'signature' was not sent.")
        signed, _, signature = total.rpartition("&signature=")
        expected = hmac.new(self.secret.encode(), signed.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(signature, expected):
            return {}, _error(400, -1022, "Signature for this request is not valid.")
        params = dict(parse_qsl(signed, keep_blank_values=True))
        window = int(params.get("recvWindow", "5000"))
        stamp = int(params.get("timestamp", "0"))
        if abs(_now_ms() - stamp) > window:
            return {}, _error(
                400, -1021, "Timestamp for this request is outside of the recvWindow."
            )
        return params, None

    async def _order(self, request: web.Request) -> web.Response:
        params, failed = self._verify(request, await request.text())
        if failed is not None:
            return failed
        m = next((m for m in self.markets if m.symbol == params.get("symbol")), None)
        if m is None:
            return _error(400, -1121, "Invalid symbol.")
        if params.get("side") not in ("BUY", "SELL") or "quantity" not in params:
            return _error(400, -1102, "Mandatory parameter was not sent or is malformed.")
        self.orders.append(params)
        self._order_id += 1
        qty = params["quantity"]
        price = self._quantize(m.price, m.tick_size)
        quote = self._quantize(Decimal(qty) * m.price, m.tick_size)
        now = _now_ms()
        return web.json_response({
            "symbol": m.symbol, "orderId": self._order_id, "orderListId": -1,
            "clientOrderId": params.get("newClientOrderId", f"fake{self._order_id}"),
            "transactTime": now, "price": params.get("price", "0.00000000"),
            "origQty": qty, "executedQty": qty, "origQuoteOrderQty": "0.00000000",
            "cummulativeQuoteQty": quote, "status": "FILLED",
            "timeInForce": params.get("timeInForce", "GTC"), "type": params.get("type"),
            "side": params["side"], "workingTime": now, "selfTradePreventionMode": "NONE",
            "fills": [{"price": price, "qty": qty, "commission": "0", "commissionAsset": m.quote,
                       "tradeId": self._order_id}],
        })  # fmt: skip
