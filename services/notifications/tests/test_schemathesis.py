"""Property-based API tests: schemathesis generates requests from the service's OpenAPI
document and checks that no answer is a 5xx or strays from the documented status
codes. Requests carry a valid identity of a user who has in-app notifications."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from burency_notifications.settings import NotificationsSettings
from burency_testing.api_fuzz import fuzz_operations

from .notifications_testing.served import ServedNotifications


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


def test_no_server_errors(served: ServedNotifications) -> None:
    count, failures = fuzz_operations(
        served.harness.component.app.openapi(),
        served.request,
        base_url="http://notifications",
        headers=served.identity_headers(),
        max_examples=25,
    )
    assert count >= 6
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
    assert sum(n for (_, code), n in served.statuses.items() if code < 300) >= 5
