"""Property-based API tests: schemathesis generates requests from the service's OpenAPI
document and checks that no answer is a 5xx or strays from the documented status
codes. Requests carry a valid identity of a user who has in-app notifications."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from notifications_testing.served import ServedNotifications
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from burency_notifications.settings import NotificationsSettings

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedNotifications]:
    db = Path(tmp_path_factory.mktemp("schemathesis")) / "notifications.db"
    notifications_settings = NotificationsSettings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{db}",
    )
    server = ServedNotifications(notifications_settings)
    server.start()
    yield server
    server.close()


def _exercise(operation: Any, served: ServedNotifications) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case: Any) -> None:
        kwargs = case.as_transport_kwargs(
            base_url="http://notifications", headers=served.identity_headers()
        )
        response = served.request(kwargs)
        case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    run()


def test_no_server_errors(served: ServedNotifications) -> None:
    schema = schemathesis.openapi.from_dict(served.harness.component.app.openapi())
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6
    for operation in operations:
        try:
            _exercise(operation, served)
        except Exception as exc:  # collect every failing operation, not just the first
            failures[operation.label] = f"{type(exc).__name__}: {exc}"[:2000]
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
    assert sum(n for (_, code), n in served.statuses.items() if code < 300) >= 5
