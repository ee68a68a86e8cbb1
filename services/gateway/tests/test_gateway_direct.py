"""Direct routes (embedded mode's in-process order path), end to end through the gateway.

A service app sits behind the gateway as in embedded mode, and offers direct routes
(:mod:`burency_common.direct`). Each test checks what a client would notice: the same
gateway checks before the handler runs (401, 429), the gateway's headers on its answer
(request id, security headers, rate-limit headers, ``no-store``), errors as the
service's own problem+json, and a declined request reaching the service's app with its
body intact.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, Request

from burency_common.direct import DirectRequest, DirectResponse, DirectRoute, DirectRoutes
from burency_common.errors import BadRequest
from burency_common.identity import identity_from_request
from burency_common.timeutil import utc_now
from burency_common.tokens import KeyRing, SigningKey, TokenType, issue_token
from burency_common.web import create_service_app
from burency_gateway.app import Gateway, build_gateway
from burency_gateway.routes import Access, RouteTable, Rule, ServiceRoute
from burency_gateway.security import LocalKeySource
from burency_gateway.settings import GatewaySettings

KEYS = KeyRing(SigningKey.generate())
BODY = b'{"symbol":"BTC/AED","side":"BUY"}'


def token(subject: str = "user-1") -> str:
    return issue_token(
        KEYS,
        subject=subject,
        token_type=TokenType.ACCESS,
        issuer="burency-auth",
        audience="burency",
        ttl=timedelta(minutes=15),
        now=utc_now(),
        claims={"roles": ["user"], "sid": f"sid-{subject}", "email_verified": True},
    )


@dataclass
class Seen:
    direct: list[DirectRequest] = field(default_factory=list)
    app: list[dict[str, Any]] = field(default_factory=list)


def service(seen: Seen) -> Any:
    router = APIRouter()

    @router.post("/v1/orders")
    async def place(request: Request) -> dict[str, Any]:
        who = identity_from_request(request)
        answer = {
            "via": "app",
            "body": (await request.body()).decode(),
            "user": who and who.user_id,
        }
        seen.app.append(answer)
        return answer

    return create_service_app(name="svc", version="test", routers=[router])


def direct_routes(seen: Seen) -> DirectRoutes:
    async def place(request: DirectRequest) -> DirectResponse | None:
        seen.direct.append(request)
        if request.header(b"x-test") == "decline":
            return None
        if request.header(b"x-test") == "bad":
            raise BadRequest("the price is not on the tick grid", code="ORDER_PRICE_TICK")
        if request.header(b"x-test") == "crash":
            raise RuntimeError("secret internals")
        if request.header(b"x-test") == "slow":
            await asyncio.Event().wait()
        if request.header(b"x-test") == "own-headers":
            own = (("Cache-Control", "max-age=5"), ("X-RateLimit-Limit", "7"))
            return DirectResponse(200, b"{}", headers=own)
        user = request.identity.user_id if request.identity else None
        body = b'{"via":"direct","user":"%s","orderId":"%s"}' % (
            (user or "").encode(),
            request.params.get("orderId", "").encode(),
        )
        return DirectResponse(201, body, headers=(("X-Extra", "yes"),))

    route = re.compile(r"/v1/orders(?:/(?P<orderId>[0-9]+))?")
    return DirectRoutes([DirectRoute("POST", route, place)])


TABLE = RouteTable((ServiceRoute("svc", rules=(Rule("/v1/orders*", Access.USER, timeout=0.5),)),))


@pytest.fixture
async def gateway(
    settings_factory: Any,
) -> AsyncIterator[tuple[Gateway, httpx.AsyncClient, Seen]]:
    seen = Seen()
    settings = settings_factory(GatewaySettings, rate_limits="default=20/minute")
    app = service(seen)
    built = build_gateway(
        settings,
        services={"svc": app},
        key_source=LocalKeySource(KEYS.resolve),
        table=TABLE,
        direct={"svc": direct_routes(seen)},
    )
    app.state.identity_secret = built.core.identity_secret
    async with LifespanManager(built.app) as manager:
        transport = httpx.ASGITransport(app=manager.app, client=("203.0.113.9", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            yield built, client, seen


def auth(test: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token()}", "Content-Type": "application/json"}
    if test:
        headers["X-Test"] = test
    return headers


async def test_the_handler_answers_with_the_verified_identity_and_the_gateways_headers(
    gateway: Any,
) -> None:
    _, client, seen = gateway
    response = await client.post("/api/svc/v1/orders/42", content=BODY, headers=auth())
    assert response.status_code == 201
    assert response.json() == {"via": "direct", "user": "user-1", "orderId": "42"}
    assert seen.app == []
    (request,) = seen.direct
    assert request.path == "/v1/orders/42"  # the service's own path
    assert request.body == BODY
    assert request.identity is not None
    assert request.identity.email_verified
    assert response.headers["x-extra"] == "yes"
    assert response.headers["x-request-id"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"  # private: a token was sent
    assert response.headers["x-ratelimit-limit"] == "20"
    assert response.headers["x-ratelimit-remaining"] == "19"


async def test_the_gateways_checks_come_first(gateway: Any) -> None:
    _, client, seen = gateway
    anonymous = await client.post(
        "/api/svc/v1/orders", content=BODY, headers={"Content-Type": "application/json"}
    )
    assert anonymous.status_code == 401
    forged = await client.post(
        "/api/svc/v1/orders", content=BODY, headers={"Authorization": "Bearer x.y.z"}
    )
    assert forged.status_code == 401
    statuses = [
        (await client.post("/api/svc/v1/orders", content=BODY, headers=auth())).status_code
        for _ in range(22)
    ]
    assert statuses.count(429) >= 1  # 20 a minute
    assert len(seen.direct) == statuses.count(201)


async def test_a_declined_request_reaches_the_services_app_with_its_body(gateway: Any) -> None:
    _, client, seen = gateway
    response = await client.post("/api/svc/v1/orders", content=BODY, headers=auth("decline"))
    assert response.status_code == 200
    assert response.json() == {"via": "app", "body": BODY.decode(), "user": "user-1"}
    assert len(seen.direct) == 1


async def test_a_body_without_a_declared_length_goes_through_the_app(gateway: Any) -> None:
    _, client, seen = gateway

    async def chunks() -> AsyncIterator[bytes]:
        yield BODY[:10]
        yield BODY[10:]

    response = await client.post("/api/svc/v1/orders", content=chunks(), headers=auth())
    assert response.status_code == 200
    assert response.json()["via"] == "app"
    assert response.json()["body"] == BODY.decode()
    assert seen.direct == []


async def test_errors_are_the_services_problem_json(gateway: Any) -> None:
    _, client, _ = gateway
    bad = await client.post("/api/svc/v1/orders", content=BODY, headers=auth("bad"))
    assert bad.status_code == 400
    assert bad.headers["content-type"] == "application/problem+json"
    problem = bad.json()
    assert problem["code"] == "ORDER_PRICE_TICK"
    assert problem["instance"] == "/v1/orders"  # as the service's app says it
    assert problem["requestId"] == bad.headers["x-request-id"]
    assert bad.headers["cache-control"] == "no-store"

    crash = await client.post("/api/svc/v1/orders", content=BODY, headers=auth("crash"))
    assert crash.status_code == 500
    assert crash.json()["code"] == "INTERNAL_ERROR"
    assert "secret" not in crash.text


async def test_a_handler_that_does_not_answer_in_time_is_a_504(gateway: Any) -> None:
    _, client, _ = gateway
    response = await client.post("/api/svc/v1/orders", content=BODY, headers=auth("slow"))
    assert response.status_code == 504
    assert response.json()["code"] == "UPSTREAM_TIMEOUT"


GATEWAY_HEADERS = (
    "x-request-id",
    "x-content-type-options",
    "content-security-policy",
    "cache-control",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
)


@pytest.mark.parametrize(
    ("test", "status"), [(None, 201), ("bad", 400), ("crash", 500), ("slow", 504)]
)
async def test_every_direct_answer_carries_each_gateway_header_once(
    gateway: Any, test: str | None, status: int
) -> None:
    _, client, _ = gateway
    response = await client.post("/api/svc/v1/orders", content=BODY, headers=auth(test))
    assert response.status_code == status
    for name in GATEWAY_HEADERS:
        assert len(response.headers.get_list(name)) == 1, name
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-ratelimit-remaining"] == "19"


async def test_the_handlers_own_headers_are_not_overridden(gateway: Any) -> None:
    _, client, _ = gateway
    response = await client.post("/api/svc/v1/orders", content=BODY, headers=auth("own-headers"))
    assert response.status_code == 200
    assert response.headers.get_list("cache-control") == ["max-age=5"]
    assert response.headers.get_list("x-ratelimit-limit") == ["7"]
    assert response.headers.get_list("x-ratelimit-remaining") == ["19"]


async def test_a_refused_order_leaves_no_deadline_behind_to_cancel_the_caller(
    gateway: Any,
) -> None:
    """httpx's ASGI transport runs the gateway in the caller's task (as any in-process
    client does): a refused direct call's deadline (0.5 s) must not cancel that task
    later, in the middle of another request."""
    _, client, _ = gateway
    for test in ("bad", "crash"):
        refused = await client.post("/api/svc/v1/orders", content=BODY, headers=auth(test))
        assert refused.status_code in (400, 500)
    slow = await client.post("/api/svc/v1/orders", content=BODY, headers=auth("slow"))
    assert slow.status_code == 504  # its own deadline, reached after the refused ones'
    placed = await client.post("/api/svc/v1/orders", content=BODY, headers=auth())
    assert placed.status_code == 201
