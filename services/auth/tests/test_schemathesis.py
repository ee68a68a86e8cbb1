"""Property-based API tests: schemathesis generates requests from the auth OpenAPI
document and checks that no answer is a 5xx or strays from the documented schema,
status codes and content types. Requests carry a valid admin identity header, so the
signed-in and admin operations are exercised beyond their 401."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from burency_auth.settings import AuthSettings
from burency_testing.api_fuzz import fuzz_operations

from .auth_testing.harness import CHEAP_ARGON2
from .auth_testing.served import ServedAuth


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedAuth]:
    db = Path(tmp_path_factory.mktemp("schemathesis")) / "auth.db"
    auth_settings = AuthSettings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{db}",
        data_key=secrets.token_hex(32),
        login_max_failures_per_ip=1000,
        **CHEAP_ARGON2,
    )
    server = ServedAuth(auth_settings)
    server.start()
    yield server
    server.close()


def test_no_server_errors_and_responses_match_the_schema(served: ServedAuth) -> None:
    count, failures = fuzz_operations(
        served.component.app.openapi(),
        served.request,
        base_url="http://auth",
        headers=served.identity_headers(),
        max_examples=25,
    )
    assert count >= 20
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
    assert sum(n for (_, code), n in served.statuses.items() if code < 300) >= 20
