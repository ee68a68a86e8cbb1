"""Property-based API tests: schemathesis generates requests from the users OpenAPI
document and checks that no answer is a 5xx or strays from the documented schema,
status codes and content types. Requests carry a valid admin identity header whose
profile exists, so own and staff operations are exercised beyond their 401/404."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from users_testing.served import ServedUsers

from burency_users.settings import UsersSettings

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


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


def _exercise(operation: Any, served: ServedUsers) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case: Any) -> None:
        kwargs = case.as_transport_kwargs(
            base_url="http://users", headers=served.identity_headers()
        )
        response = served.request(kwargs)
        case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    run()


def test_no_server_errors_and_responses_match_the_schema(served: ServedUsers) -> None:
    schema = schemathesis.openapi.from_dict(served.harness.component.app.openapi())
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14
    for operation in operations:
        try:
            _exercise(operation, served)
        except Exception as exc:  # collect every failing operation, not just the first
            failures[operation.label] = f"{type(exc).__name__}: {exc}"[:2000]
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
    assert sum(n for (_, code), n in served.statuses.items() if code < 300) >= 10
