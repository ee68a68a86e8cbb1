"""Property-based API tests: schemathesis generates requests from the trading OpenAPI
document and checks that no answer is a 5xx or strays from the documented schema,
status codes and content types. Requests carry a verified admin's identity, funded in
every asset, with resting orders in the book, so placements, cancels and the admin
routes are exercised beyond their 401/403."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from burency_testing.api_fuzz import fuzz_operations
from burency_testing.served import ServedOnThread
from burency_trading.settings import TradingSettings

from .conftest import make_settings, start_api
from .support import Api

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


@pytest.mark.timeout(300)
def test_no_server_errors_and_responses_match_the_schema(served: ServedTrading) -> None:
    api: Api = served.api
    count, failures = fuzz_operations(
        api.client._transport.app.openapi(),  # type: ignore[attr-defined]
        served.request,
        base_url="http://trading",
        headers=lambda _path: served.identity_headers(),  # fresh: identities expire in 60 s
        max_examples=25,
    )
    assert count >= 18
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
    assert sum(n for (_, code), n in served.statuses.items() if code < 300) >= 10
