"""Security headers, request body limits (declared and streamed) and the CORS helper."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from burency_common.web import create_service_app
from burency_gateway.security import (
    DEFAULT_CONTENT_SECURITY_POLICY,
    BodySizeLimitMiddleware,
    SecurityHeadersMiddleware,
    cors_middleware_kwargs,
)

KB = 1024


class Recorder:
    """A raw ASGI app that streams the request body and reports how much it saw."""

    def __init__(self) -> None:
        self.received = 0
        self.calls = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        while True:
            message = await receive()
            self.received += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        response = JSONResponse({"received": self.received})
        await response(scope, receive, send)


def client(app: ASGIApp, base_url: str = "http://gw") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


async def chunks(count: int, size: int = KB) -> AsyncIterator[bytes]:
    for _ in range(count):
        yield b"x" * size


# --- security headers ----------------------------------------------------------------


def headers_app() -> FastAPI:
    app = create_service_app(name="example", version="0")

    @app.get("/page")
    async def page() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/docs-like")
    async def docs_like() -> PlainTextResponse:
        return PlainTextResponse("x", headers={"Content-Security-Policy": "default-src *"})

    app.add_middleware(SecurityHeadersMiddleware)
    return app


async def test_security_headers_on_every_response() -> None:
    async with client(headers_app()) as http:
        for path in ("/page", "/missing"):
            response = await http.get(path)
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["X-Frame-Options"] == "DENY"
            assert response.headers["Referrer-Policy"] == "no-referrer"
            assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
            assert response.headers["Content-Security-Policy"] == DEFAULT_CONTENT_SECURITY_POLICY
            assert "Strict-Transport-Security" not in response.headers


def test_csp_is_strict_for_a_same_origin_spa() -> None:
    directives = dict(d.split(" ", 1) for d in DEFAULT_CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["connect-src"] == "'self' ws: wss:"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe" not in DEFAULT_CONTENT_SECURITY_POLICY


async def test_hsts_only_over_https() -> None:
    async with client(headers_app(), base_url="https://gw") as http:
        direct = await http.get("/page")
    async with client(headers_app()) as http:
        proxied = await http.get("/page", headers={"X-Forwarded-Proto": "https"})
        plain = await http.get("/page", headers={"X-Forwarded-Proto": "http"})
    assert direct.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "includeSubDomains" in proxied.headers["Strict-Transport-Security"]
    assert "Strict-Transport-Security" not in plain.headers


async def test_route_set_headers_are_not_overwritten() -> None:
    async with client(headers_app()) as http:
        response = await http.get("/docs-like")
    assert response.headers["Content-Security-Policy"] == "default-src *"
    assert response.headers["X-Frame-Options"] == "DENY"


# --- body size limits ----------------------------------------------------------------


def limited(app: ASGIApp) -> ASGIApp:
    return BodySizeLimitMiddleware(app, max_bytes=4 * KB, overrides={"/api/files": 64 * KB})


async def test_small_body_passes() -> None:
    recorder = Recorder()
    async with client(limited(recorder)) as http:
        response = await http.post("/api/users/x", content=b"x" * 4 * KB)
    assert response.status_code == 200
    assert response.json() == {"received": 4 * KB}


async def test_declared_length_over_limit_is_refused_up_front() -> None:
    recorder = Recorder()
    async with client(limited(recorder)) as http:
        response = await http.post("/api/users/x", content=b"x" * (4 * KB + 1))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"
    assert recorder.calls == 0


async def test_streamed_body_is_cut_off_without_buffering() -> None:
    recorder = Recorder()
    async with client(limited(recorder)) as http:
        response = await http.post("/api/users/x", content=chunks(100))
    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"
    assert recorder.received <= 4 * KB  # the app never saw more than the limit


async def test_prefix_override_matches_whole_segments() -> None:
    recorder = Recorder()
    async with client(limited(recorder)) as http:
        files = await http.post("/api/files/v1/upload", content=chunks(60))
        too_big = await http.post("/api/files/v1/upload", content=chunks(65))
        other = await http.post("/api/filesystem", content=chunks(5))
    assert files.status_code == 200
    assert too_big.status_code == 413
    assert other.status_code == 413


@pytest.mark.parametrize("value", ["abc", "-1", "1e9"])
async def test_invalid_content_length_is_400(value: str) -> None:
    recorder = Recorder()
    scope_headers = [(b"content-length", value.encode())]
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/x", "headers": scope_headers}
    await limited(recorder)(scope, receive, send)
    assert sent[0]["status"] == 400
    assert recorder.calls == 0


class Order(BaseModel):
    note: str


async def test_fastapi_body_parsing_reports_413_not_400() -> None:
    app = create_service_app(name="example", version="0")

    @app.post("/orders")
    async def create(order: Order) -> dict[str, int]:
        return {"length": len(order.note)}

    @app.post("/raw")
    async def raw(request: Request) -> dict[str, int]:
        return {"length": len(await request.body())}

    wrapped = BodySizeLimitMiddleware(app, max_bytes=2 * KB)

    async def json_chunks() -> AsyncIterator[bytes]:
        yield b'{"note": "'
        for _ in range(10):
            yield b"y" * KB
        yield b'"}'

    async with client(wrapped) as http:
        parsed = await http.post(
            "/orders", content=json_chunks(), headers={"content-type": "application/json"}
        )
        raw_response = await http.post("/raw", content=chunks(10))
        fine = await http.post("/orders", json={"note": "hi"})
    assert parsed.status_code == 413
    assert parsed.json()["code"] == "PAYLOAD_TOO_LARGE"
    assert raw_response.status_code == 413
    assert fine.status_code == 200


async def test_non_http_scopes_pass_through() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    async def nothing() -> dict[str, object]:
        return {}

    async def ignore(message: object) -> None:
        return None

    for middleware in (limited(app), SecurityHeadersMiddleware(app)):
        await middleware({"type": "lifespan"}, nothing, ignore)
        await middleware({"type": "websocket", "path": "/ws", "headers": []}, nothing, ignore)
    assert seen == ["lifespan", "websocket", "lifespan", "websocket"]


# --- CORS ------------------------------------------------------------------------------


def cors_app(origins: list[str]) -> ASGIApp:
    async def hello(scope: Scope, receive: Receive, send: Send) -> None:
        await PlainTextResponse("hi")(scope, receive, send)

    return CORSMiddleware(hello, **cors_middleware_kwargs(origins))


async def test_cors_defaults_to_no_cross_origin() -> None:
    async with client(cors_app([])) as http:
        response = await http.get("/", headers={"Origin": "https://evil.example"})
        preflight = await http.options(
            "/",
            headers={
                "Origin": "https://evil.example",
                "Access-Control-Request-Method": "POST",
            },
        )
    assert "access-control-allow-origin" not in response.headers
    assert preflight.status_code == 400


async def test_cors_allows_configured_origins_only() -> None:
    async with client(cors_app(["https://app.burency.example"])) as http:
        allowed = await http.options(
            "/",
            headers={
                "Origin": "https://app.burency.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
        other = await http.get("/", headers={"Origin": "https://evil.example"})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.burency.example"
    assert "access-control-allow-credentials" not in allowed.headers
    assert "access-control-allow-origin" not in other.headers


@pytest.mark.parametrize(
    "origin", ["*", "https://*.burency.example", "https://a.example/path", "ftp://a", "a.example"]
)
def test_cors_refuses_wildcards_and_non_origins(origin: str) -> None:
    with pytest.raises(ValueError, match="invalid CORS origin"):
        cors_middleware_kwargs([origin])
