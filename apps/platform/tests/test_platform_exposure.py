"""What the platform tells a stranger: operational details, internal operations, docs.

Driven from outside through the embedded platform's gateway: over httpx (ASGI) and over
a raw socket to a real uvicorn, where a path is written byte for byte (``//metrics``,
``/%6Detrics``) instead of being cleaned up by a client library.
"""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from PIL import Image

from burency_auth.service import bootstrap
from burency_platform.embedded import Platform, build_platform
from burency_platform.settings import PlatformSettings
from burency_testing.raw_http import ServedApp, raw_request

PASSWORD = "a perfectly long pass phrase"
METRICS_TOKEN = "prometheus-scrapes-with-this-token-0123456789"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def sign_in(client: httpx.AsyncClient, email: str, *, register: bool = True) -> str:
    if register:
        response = await client.post(
            "/api/auth/v1/register", json={"email": email, "password": PASSWORD}
        )
        assert response.status_code == 202, response.text
    login = await client.post("/api/auth/v1/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return str(login.json()["accessToken"])


def _settings(tmp_path: Path, settings_factory: Any) -> PlatformSettings:
    settings: PlatformSettings = settings_factory(
        PlatformSettings, data_dir=tmp_path / "var", metrics_token=METRICS_TOKEN
    )
    return settings


@pytest.fixture
async def platform(
    tmp_path: Path, settings_factory: Any
) -> AsyncIterator[tuple[Platform, httpx.AsyncClient]]:
    built = build_platform(_settings(tmp_path, settings_factory))
    async with LifespanManager(built) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://burency") as client:
            yield built, client


async def _admin_and_user(built: Platform, client: httpx.AsyncClient) -> tuple[str, str]:
    await bootstrap.create_admin(built.auth.context, email="ops@example.com", password=PASSWORD)
    admin = await sign_in(client, "ops@example.com", register=False)
    user = await sign_in(client, "mallory@example.com")
    return admin, user


async def test_healthz_details_only_for_an_admin_or_the_metrics_token(platform: Any) -> None:
    built, client = platform
    admin, user = await _admin_and_user(built, client)

    anonymous = await client.get("/healthz")
    assert anonymous.status_code == 200
    assert anonymous.json() == {"status": "ok"}
    assert (await client.get("/healthz", headers=bearer(user))).json() == {"status": "ok"}
    forged = await client.get("/healthz", headers=bearer("not.a.token"))
    assert forged.status_code == 401
    assert "upstreams" not in forged.text

    for credential in (admin, METRICS_TOKEN):
        detailed = (await client.get("/healthz", headers=bearer(credential))).json()
        assert detailed["status"] == "ok"
        assert detailed["services"] == [
            "auth",
            "banking",
            "files",
            "notifications",
            "trading",
            "users",
        ]
        assert "in_flight" in detailed["upstreams"]["auth"]["instances"][0]


async def test_metrics_need_the_metrics_token_or_an_admin(platform: Any) -> None:
    built, client = platform
    admin, user = await _admin_and_user(built, client)

    anonymous = await client.get("/metrics")
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    assert "burency_http_requests_total" not in anonymous.text
    as_user = await client.get("/metrics", headers=bearer(user))
    assert as_user.status_code == 403
    assert as_user.json()["code"] == "OPERATORS_ONLY"
    wrong = await client.get("/metrics", headers=bearer(METRICS_TOKEN + "x"))
    assert wrong.status_code == 401  # not the token, and not a valid JWT either

    for credential in (admin, METRICS_TOKEN):
        scraped = await client.get("/metrics", headers=bearer(credential))
        assert scraped.status_code == 200
        assert "burency_http_requests_total" in scraped.text


@pytest.fixture
def served(tmp_path: Path, settings_factory: Any) -> Iterator[ServedApp]:
    with ServedApp(build_platform(_settings(tmp_path, settings_factory))) as served:
        yield served


@pytest.mark.parametrize(
    "target",
    [b"/metrics", b"//metrics", b"/%6Detrics", b"/%6detrics", b"/./metrics", b"/x/../metrics",
     b"/metrics?format=prometheus", b"/metrics/", b"/healthz/../metrics"],
)  # fmt: skip
def test_no_spelling_of_metrics_answers_a_stranger(served: ServedApp, target: bytes) -> None:
    answer = raw_request(served.port, "GET", target)
    assert b"burency_http_requests_total" not in answer.body
    assert answer.status in {307, 400, 401, 404}, answer
    if answer.status == 307:  # a redirect to the canonical path, which is guarded
        location = answer.headers["location"].encode()
        assert raw_request(served.port, "GET", location).status == 401


@pytest.mark.parametrize("target", [b"/healthz", b"//healthz", b"/%68ealthz", b"/./healthz"])
def test_no_spelling_of_healthz_shows_upstreams(served: ServedApp, target: bytes) -> None:
    answer = raw_request(served.port, "GET", target)
    assert b"upstreams" not in answer.body
    assert b"in_flight" not in answer.body
    assert b"auth" not in answer.body


def test_raw_metrics_with_the_token_is_served(served: ServedApp) -> None:
    answer = raw_request(served.port, "GET", b"/metrics", headers=bearer(METRICS_TOKEN))
    assert answer.status == 200
    assert b"burency_http_requests_total" in answer.body


async def test_internal_operations_are_not_in_the_public_document(platform: Any) -> None:
    _, client = platform
    document = (await client.get("/api/openapi.json")).json()
    internal = [path for path in document["paths"] if re.match(r"^/api/[^/]+/internal/", path)]
    assert internal == []
    assert not any("x-internal" in op for item in document["paths"].values()
                   for op in item.values())  # fmt: skip
    assert "/api/auth/v1/login" in document["paths"]  # the public ones are all there
    schemas = document["components"]["schemas"]
    assert not any("Verify" in name for name in schemas), "internal-only schemas leak"


async def test_the_docs_page_loads_nothing_from_elsewhere(platform: Any) -> None:
    _, client = platform
    page = await client.get("/api/docs")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "http" not in csp
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources
    assert all(src.startswith("/api/docs/") for src in sources), sources
    for src in sources:
        asset = await client.get(src)
        assert asset.status_code == 200, src
        assert len(asset.content) > 0
    bundle = await client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert bundle.headers["content-type"].startswith("text/javascript")
    assert "SwaggerUIBundle" in bundle.text
    init = (await client.get("/api/docs/init.js")).text
    assert "/api/openapi.json" in init
    assert "validatorUrl: null" in init
    assert (await client.get("/api/docs/assets/index.html")).status_code == 404
    # no other Swagger page (FastAPI's own loads its assets from a CDN)
    assert (await client.get("/docs")).status_code == 404
    climbing = await client.get("/api/docs/assets/..%2F__init__.py")
    assert climbing.status_code in {400, 404}
    assert "swagger_ui_path" not in climbing.text


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


async def test_avatars_are_served_as_the_images_they_are(platform: Any) -> None:
    _, client = platform
    token = await sign_in(client, "layla@example.com")
    upload = await client.post(
        "/api/files/v1/files?kind=avatar",
        content=_png(),
        headers={**bearer(token), "Content-Type": "application/octet-stream"},
    )
    assert upload.status_code == 201, upload.text
    avatar = upload.json()
    for url in (avatar["publicUrl"], avatar["thumbnailUrl"]):
        served = await client.get(httpx.URL(url).raw_path.decode())
        assert served.status_code == 200
        assert served.headers["content-type"] == avatar["contentType"]
        assert served.headers["content-type"].startswith("image/")
        assert served.headers["x-content-type-options"] == "nosniff"
        assert Image.open(io.BytesIO(served.content)).format in {"PNG", "JPEG", "WEBP"}
