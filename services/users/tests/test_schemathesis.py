"""Property-based API tests: schemathesis generates requests from the users OpenAPI
document and checks that no answer is a 5xx or strays from the documented schema,
status codes and content types. Requests carry a valid admin identity header whose
profile exists, so own and staff operations are exercised beyond their 401/404."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from burency_testing.api_fuzz import fuzz_operations
from burency_users.settings import UsersSettings

from .users_testing.served import ServedUsers


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedUsers]:
    db = Path(tmp_path_factory.mktemp("schemathesis")) / "users.db"
    users_settings = UsersSettings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{db}",
    )
    server = ServedUsers(users_settings)
    server.start()
    yield server
    server.close()


def test_no_server_errors_and_responses_match_the_schema(served: ServedUsers) -> None:
    count, failures = fuzz_operations(
        served.harness.component.app.openapi(),
        served.request,
        base_url="http://users",
        headers=served.identity_headers(),
        max_examples=20,
    )
    assert count >= 14
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
    assert sum(n for (_, code), n in served.statuses.items() if code < 300) >= 10
