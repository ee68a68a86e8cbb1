"""The merged ``/api/openapi.json`` is true: schemathesis over the embedded platform.

The web app's typed client is generated from the gateway's merged document, so every
answer the platform gives must be one the document promises: status code, content
type and body schema (and never a 5xx). The document is fetched from the gateway and
fuzzed through it, as a signed-in user and as an admin; failures are collected per
operation so one run shows them all.

Left out, because they end the run rather than test an answer: ``logout`` and
``logout-all`` (they revoke the very token the run uses). The upload's multipart form
is left out as in the files service's own run (schemathesis draws forms httpx cannot
encode, a number as the file; the raw-body upload is still fuzzed). Every other
operation runs.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from burency_auth.service import bootstrap
from burency_platform.embedded import Platform, build_platform
from burency_platform.settings import PlatformSettings
from burency_testing.api_fuzz import fuzz_operations
from burency_testing.served import ServedOnThread

pytestmark = pytest.mark.filterwarnings("ignore:Use .content=:DeprecationWarning")
PASSWORD = "a perfectly long pass phrase"
ADMIN_EMAIL = "conformance-admin@example.com"
USER_EMAIL = "conformance-user@example.com"
# Rate limits are the gateway's own subject (their 429 is documented everywhere); here
# they would only stop the fuzzing from reaching the services.
GENEROUS_LIMITS = (
    "default=100000/minute login=100000/minute register=100000/hour "
    "password_reset=100000/hour admin=100000/minute"
)
RUN_ENDING = {("post", "/api/auth/v1/logout"), ("post", "/api/auth/v1/logout-all")}
MAX_EXAMPLES = 6


class ServedPlatform(ServedOnThread):
    """The embedded platform on its own loop; requests enter through the gateway."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__()
        self.data_dir = data_dir
        self.tokens: dict[str, str] = {}

    async def setup(self) -> None:
        settings = PlatformSettings(
            _env_file=None,  # type: ignore[call-arg]
            data_dir=self.data_dir,
            rate_limits=GENEROUS_LIMITS,
        )
        self.platform: Platform = build_platform(settings)
        self.stack = AsyncExitStack()
        manager = await self.stack.enter_async_context(LifespanManager(self.platform))
        transport = httpx.ASGITransport(app=manager.app)
        self.client = await self.stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url="http://burency")
        )
        auth = self.platform.auth.context
        await bootstrap.create_admin(auth, email=ADMIN_EMAIL, password=PASSWORD)
        registered = await self.client.post(
            "/api/auth/v1/register", json={"email": USER_EMAIL, "password": PASSWORD}
        )
        assert registered.status_code == 202, registered.text
        for role, email in (("admin", ADMIN_EMAIL), ("user", USER_EMAIL)):
            login = await self.client.post(
                "/api/auth/v1/login", json={"email": email, "password": PASSWORD}
            )
            assert login.status_code == 200, login.text
            self.tokens[role] = login.json()["accessToken"]

    async def teardown(self) -> None:
        await self.stack.aclose()

    def document(self) -> dict[str, Any]:
        response = self.run(self.client.get("/api/openapi.json"))
        assert response.status_code == 200
        document: dict[str, Any] = response.json()
        return document


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedPlatform]:
    server = ServedPlatform(Path(tmp_path_factory.mktemp("merged-fuzz")) / "var")
    server.start()
    yield server
    server.close()


def _without_run_ending(document: dict[str, Any]) -> dict[str, Any]:
    trimmed = copy.deepcopy(document)
    for method, path in RUN_ENDING:
        trimmed["paths"].get(path, {}).pop(method, None)
    trimmed["paths"] = {p: item for p, item in trimmed["paths"].items() if item}
    upload = trimmed["paths"]["/api/files/v1/files"]["post"]["requestBody"]["content"]
    del upload["multipart/form-data"]
    return trimmed


@pytest.mark.timeout(900)
@pytest.mark.parametrize("role", ["user", "admin"])
def test_the_merged_document_is_true_for(served: ServedPlatform, role: str) -> None:
    document = served.document()
    assert "x-unavailable-services" not in document
    served.statuses.clear()
    started = time.monotonic()
    count, failures = fuzz_operations(
        _without_run_ending(document),
        served.request,
        base_url="http://burency",
        headers={"Authorization": f"Bearer {served.tokens[role]}"},
        max_examples=MAX_EXAMPLES,
    )
    elapsed = time.monotonic() - started
    assert count >= 80, f"only {count} operations in the merged document"
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
    succeeded = sum(n for (_, code), n in served.statuses.items() if code < 300)
    assert succeeded >= 40, f"the fuzzing rarely got past the 4xx: {served.statuses}"
    print(f"{role}: {count} operations, {sum(served.statuses.values())} requests, {elapsed:.0f} s")
