"""Property-based API tests: schemathesis generates requests from the banking OpenAPI
document and checks that no answer is a 5xx or strays from the documented schema,
status codes and content types. Requests carry a valid admin identity of a funded
user, so money-moving operations are exercised beyond their 401/400."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from burency_banking.settings import BankingSettings
from burency_testing.api_fuzz import fuzz_operations

from .banking_testing.served import ServedBanking


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedBanking]:
    db = Path(tmp_path_factory.mktemp("schemathesis")) / "banking.db"
    settings = BankingSettings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{db}",
    )
    server = ServedBanking(settings)
    server.start()
    yield server
    server.close()


@pytest.mark.timeout(600)
def test_no_server_errors_and_responses_match_the_schema(served: ServedBanking) -> None:
    count, failures = fuzz_operations(
        served.harness.component.app.openapi(),
        served.request,
        base_url="http://banking",
        headers=lambda _path: served.identity_headers(),  # fresh: identities expire in 60 s
        max_examples=20,
    )
    assert count >= 8
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
    assert sum(n for (_, code), n in served.statuses.items() if code < 300) >= 10
