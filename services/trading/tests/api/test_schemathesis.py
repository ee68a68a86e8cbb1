"""Property-based API tests: schemathesis generates requests from the trading OpenAPI
document and checks that no answer is a 5xx or strays from the documented schema,
status codes and content types. Requests carry a verified admin's identity, funded in
every asset, with resting orders in the book, so placements, cancels and the admin
routes are exercised beyond their 401/403."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from burency_testing.api_fuzz import fuzz_operations
from burency_testing.served import ServedOnThread
from burency_trading.settings import TradingSettings

from .conftest import make_settings, start_api

USER = "fuzz-admin"


class ServedTrading(ServedOnThread):
    def __init__(self, settings: TradingSettings) -> None:
        super().__init__()
        self.settings = settings

    async def setup(self) -> None:
        self.api, self.db = await start_api(self.settings)
        self.client = self.api.client
        for asset, amount in (("AED", "10000000"), ("BTC", "100"), ("ETH", "1000"),
                              ("USDT", "10000000")):  # fmt: skip
            await self.api.fund(USER, asset, amount)
        for price in ("10", "20", "30"):
            placed = await self.api.place(USER, symbol="BTC/AED", side="BUY", type="LIMIT",
                                          quantity="1", price=price)  # fmt: skip
            assert placed.status_code == 201, placed.text

    async def teardown(self) -> None:
        await self.client.aclose()
        await self.db.dispose()

    def identity_headers(self) -> dict[str, str]:
        return self.api.headers(USER, roles={"admin"})


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedTrading]:
    server = ServedTrading(make_settings(Path(tmp_path_factory.mktemp("schemathesis"))))
    server.start()
    yield server
    server.close()


def steered(document: dict[str, Any]) -> dict[str, Any]:
    """The document with order bodies narrowed to limit orders on real symbols with
    amounts on the grids (and no Idempotency-Key), so generated orders reach the engine
    (rest, fill, or a refusal of the moment) instead of stopping at the first check;
    answers are still checked against the real response schemas."""
    document = copy.deepcopy(document)
    schema = document["components"]["schemas"]["OrderIn"]
    order = schema["properties"]
    order["symbol"] = {"type": "string", "enum": ["BTC/AED", "ETHAED"]}
    order["type"] = {"type": "string", "enum": ["LIMIT", "LIMIT_MAKER"]}
    order["timeInForce"] = {"type": "string", "enum": ["GTC"]}
    order["quantity"] = {"type": "string", "pattern": r"^[1-9](\.[0-9])?$"}
    order["price"] = {"type": "string", "pattern": r"^[1-9][0-9]{3}$"}
    for name in ("quoteOrderQty", "stopPrice", "newClientOrderId"):
        del order[name]
    schema["required"] = ["symbol", "side", "type", "quantity", "price"]
    post = document["paths"]["/v1/orders"]["post"]
    post["parameters"] = [p for p in post.get("parameters", []) if p["in"] != "header"]
    for what in ("status", "fees"):
        for parameter in document["paths"][f"/v1/admin/markets/{{symbol}}/{what}"]["put"][
            "parameters"
        ]:
            parameter["schema"] = {"type": "string", "enum": ["ETHAED", "USDTAED"]}
    for path in ("/v1/depth", "/v1/trades", "/v1/klines", "/v1/ticker/24hr",
                 "/v1/ticker/bookTicker"):  # fmt: skip
        for parameter in document["paths"][path]["get"]["parameters"]:
            if parameter["name"] == "symbol":  # market data of real markets
                parameter["schema"] = {"type": "string", "enum": ["BTCAED", "ETH/AED"]}
    fees = document["components"]["schemas"]["FeesIn"]["properties"]
    for name in ("makerFee", "takerFee"):
        fees[name] = {"type": "string", "pattern": r"^0\.00[0-9]$"}
    return document


@pytest.mark.timeout(300)
def test_no_server_errors_and_responses_match_the_schema(served: ServedTrading) -> None:
    document = served.api.client._transport.app.openapi()  # type: ignore[attr-defined]
    found: dict[str, str] = {}
    counts = []
    for doc in (document, steered(document)):
        count, failures = fuzz_operations(
            doc,
            served.request,
            base_url="http://trading",
            headers=lambda _path: served.identity_headers(),  # fresh: identities expire in 60 s
            max_examples=25,
        )
        counts.append(count)
        found.update(failures)
    assert min(counts) >= 18
    assert not found, "\n\n".join(f"{k}:\n{v}" for k, v in found.items())
    assert served.statuses[("POST", 201)] >= 5  # orders reached the engine and were placed
    assert served.statuses[("PUT", 200)] >= 5  # market status and fee changes applied
    assert sum(n for (_, code), n in served.statuses.items() if code < 300) >= 10
