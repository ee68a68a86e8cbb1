"""The service app factory, exercised through real HTTP requests (ASGI transport)."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
import structlog
from fastapi import APIRouter
from pydantic import BaseModel, Field

from burency_common.errors import Conflict
from burency_common.logging import configure_logging
from burency_common.logging_lines import flush_lines
from burency_common.web import ReadinessCheck, create_service_app


class OrderIn(BaseModel):
    symbol: str = Field(min_length=3)
    quantity: str


def build(ready: bool = True) -> httpx.AsyncClient:
    router = APIRouter()

    @router.post("/orders")
    async def place(order: OrderIn) -> dict[str, str]:
        return {"symbol": order.symbol}

    @router.get("/conflict")
    async def conflict() -> None:
        raise Conflict("balance too low", code="INSUFFICIENT_FUNDS")

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("database password is hunter2")

    async def probe() -> bool:
        return ready

    app = create_service_app(
        name="example",
        version="1.2.3",
        routers=[router],
        readiness=[ReadinessCheck("database", probe)],
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://svc")


async def test_healthz_and_readyz() -> None:
    async with build() as client:
        health = await client.get("/healthz")
        assert health.json() == {"status": "ok", "service": "example", "version": "1.2.3"}
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": "ok"}


async def test_readyz_reports_the_dependency_that_is_down() -> None:
    async with build(ready=False) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["checks"] == {"database": "down"}
    assert response.json()["code"] == "NOT_READY"


async def test_validation_errors_are_problem_json_with_fields() -> None:
    async with build() as client:
        response = await client.post("/orders", json={"symbol": "B"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "VALIDATION_FAILED"
    assert {e["field"] for e in body["errors"]} == {"symbol", "quantity"}
    assert body["requestId"] == response.headers["x-request-id"]


async def test_domain_error_keeps_its_code() -> None:
    async with build() as client:
        response = await client.get("/conflict")
    assert response.status_code == 409
    assert response.json()["code"] == "INSUFFICIENT_FUNDS"


async def test_unexpected_error_hides_details() -> None:
    async with build() as client:
        response = await client.get("/boom")
    assert response.status_code == 500
    assert response.json()["code"] == "INTERNAL_ERROR"
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text


async def test_unknown_route_is_problem_json_404() -> None:
    async with build() as client:
        response = await client.get("/nope")
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


async def test_request_id_is_propagated_or_created() -> None:
    async with build() as client:
        given = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
        made = await client.get("/healthz")
        hostile = await client.get("/healthz", headers={"X-Request-ID": "x\r\nSet-Cookie: a"})
    assert given.headers["x-request-id"] == "abc-123"
    assert len(made.headers["x-request-id"]) == 36
    assert hostile.headers["x-request-id"] != "x\r\nSet-Cookie: a"


async def test_metrics_count_requests_by_route() -> None:
    async with build() as client:
        for _ in range(3):  # the labelled children are kept: each request still counts
            await client.post("/orders", json={"symbol": "BTC", "quantity": "1"})
        metrics = await client.get("/metrics")
    counted = [
        line
        for line in metrics.text.splitlines()
        if line.startswith("burency_http_requests_total{") and 'route="/orders"' in line
    ]
    assert len(counted) == 1
    assert counted[0].endswith(" 3.0")
    timed = [
        line
        for line in metrics.text.splitlines()
        if line.startswith("burency_http_request_duration_seconds_count{")
        and 'route="/orders"' in line
    ]
    assert [line.rsplit(" ", 1)[1] for line in timed] == ["3.0"]


async def test_access_log_line_carries_request_id(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(level="INFO", json=True)
    async with build() as client:
        await client.post(
            "/orders", json={"symbol": "BTC", "quantity": "1"}, headers={"X-Request-ID": "trace-9"}
        )
    flush_lines()  # the loop's lines go out at the end of its iteration
    lines = [
        json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")
    ]
    access = [line for line in lines if line.get("event") == "http.request"]
    assert access, lines
    assert access[-1]["request_id"] == "trace-9"
    assert access[-1]["route"] == "/orders"
    assert access[-1]["status"] == 200
    logging.getLogger().handlers.clear()
    structlog.reset_defaults()
