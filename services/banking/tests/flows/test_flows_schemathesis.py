"""schemathesis over the flows' operations only (deposits, withdrawals, their admin
routes, the dev chain): no 5xx, answers as documented. Requests carry an admin identity
whose account holds funds and KYC level 3, so the fuzzing gets past the 4xx; the whole
service's run (the ledger's suite) covers every operation again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from burency_testing.api_fuzz import fuzz_operations
from burency_testing.served import ServedOnThread

from .flows_harness import FlowsHarness, running, settings_for

FLOW_PREFIXES = ("/v1/deposits", "/v1/withdrawals", "/v1/admin/deposits", "/v1/admin/withdrawals",
                 "/v1/dev/chain")  # fmt: skip


class ServedFlows(ServedOnThread):
    def __init__(self, tmp: Path) -> None:
        super().__init__()
        self.tmp = tmp

    async def setup(self) -> None:
        self.running = running(*settings_for(self.tmp))
        self.h: FlowsHarness = await self.running.__aenter__()
        self.client = self.h.client
        self.admin = await self.h.user()
        await self.h.kyc_level(self.admin, 3)
        for asset, amount in (("AED", 10**9), ("BTC", 10**9), ("USDT", 10**12), ("ETH", 10**12)):
            await self.h.fund(self.admin, asset, amount)
        deposit = await self.h.call("POST", "/v1/deposits/fiat", self.admin, json={"amount": "50"})
        assert deposit.status_code == 201

    async def teardown(self) -> None:
        await self.running.__aexit__(None, None, None)

    def headers(self) -> dict[str, str]:
        return self.h.headers(self.admin, "admin")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedFlows]:
    server = ServedFlows(Path(tmp_path_factory.mktemp("flows-fuzz")))
    server.start()
    yield server
    server.close()


def _flows_only(openapi: dict[str, Any]) -> dict[str, Any]:
    paths = {p: v for p, v in openapi["paths"].items() if p.startswith(FLOW_PREFIXES)}
    return {**openapi, "paths": paths}


def test_no_server_errors_and_responses_match_the_schema(served: ServedFlows) -> None:
    count, failures = fuzz_operations(
        _flows_only(served.h.banking.app.openapi()),
        served.request,
        base_url="http://banking",
        headers=served.headers(),
        max_examples=15,
    )
    assert count >= 20
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
    assert sum(n for (_, code), n in served.statuses.items() if code < 300) >= 10
