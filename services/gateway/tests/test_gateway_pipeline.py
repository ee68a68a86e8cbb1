"""The assembled gateway, end to end over ASGI: auth, identity, roles, limits, headers, OpenAPI.

A real service app (built with the shared app factory, reading the signed identity
header like every Burency service) is mounted behind the gateway as in embedded mode.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated, Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, Depends, Request

from burency_common.events import EventEnvelope
from burency_common.events.auth import AUTH_TOKENS_REVOKED
from burency_common.identity import Identity, identity_from_request, require_identity, require_role
from burency_common.timeutil import utc_now
from burency_common.tokens import KeyRing, SigningKey, TokenType, issue_token
from burency_common.web import create_service_app
from burency_gateway.app import Gateway, build_gateway
from burency_gateway.security import LocalKeySource, apply_revocation_event
from burency_gateway.settings import GatewaySettings

ISSUER, AUDIENCE = "burency-auth", "burency"
CurrentIdentity = Annotated[Identity, Depends(require_identity())]
AdminIdentity = Annotated[Identity, Depends(require_role("admin"))]
KEYS = KeyRing(SigningKey.generate())


def token(subject: str = "user-1", *, roles: tuple[str, ...] = ("user",), **kwargs: Any) -> str:
    options: dict[str, Any] = {
        "subject": subject,
        "token_type": TokenType.ACCESS,
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "ttl": timedelta(minutes=15),
        "now": utc_now(),
        "claims": {"roles": list(roles), "sid": f"sid-{subject}"},
    }
    options.update(kwargs)
    return issue_token(KEYS, **options)


def users_service() -> Any:
    router = APIRouter()

    @router.get("/v1/me")
    async def me(request: Request, identity: CurrentIdentity) -> dict[str, Any]:
        return {
            "userId": identity.user_id,
            "roles": sorted(identity.roles),
            "requestId": request.headers.get("x-request-id"),
            "forwardedPrefix": request.headers.get("x-forwarded-prefix"),
        }

    @router.post("/v1/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    @router.get("/v1/whoami")
    async def whoami(request: Request) -> dict[str, Any]:
        identity = identity_from_request(request)
        return {"userId": identity.user_id if identity else None}

    @router.get("/v1/admin/users")
    async def admin_users(_: AdminIdentity) -> dict[str, Any]:
        return {"items": []}

    return create_service_app(name="users", version="test", routers=[router])


@pytest.fixture
async def gateway(settings_factory: Any) -> AsyncIterator[tuple[Gateway, httpx.AsyncClient]]:
    settings = settings_factory(GatewaySettings, rate_limits="default=20/minute")
    service = users_service()
    built = build_gateway(
        settings, services={"users": service}, key_source=LocalKeySource(KEYS.resolve)
    )
    service.state.identity_secret = built.core.identity_secret
    async with LifespanManager(built.app) as manager:
        transport = httpx.ASGITransport(app=manager.app, client=("203.0.113.7", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            yield built, client


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


async def test_valid_token_reaches_the_service_as_a_verified_identity(gateway: Any) -> None:
    _, client = gateway
    response = await client.get("/api/users/v1/me", headers=bearer(token(roles=("user",))))
    assert response.status_code == 200
    body = response.json()
    assert body["userId"] == "user-1"
    assert body["roles"] == ["user"]
    assert body["forwardedPrefix"] == "/api/users"
    assert body["requestId"] == response.headers["x-request-id"]


@pytest.mark.parametrize(
    ("make_token", "code"),
    [
        (lambda: token(now=utc_now() - timedelta(hours=1)), "TOKEN_EXPIRED"),
        (lambda: token(audience="someone-else"), "TOKEN_INVALID_AUDIENCE"),
        (lambda: token(token_type=TokenType.REFRESH), "TOKEN_WRONG_TYPE"),
        (lambda: token()[:-4] + "AAAA", "TOKEN_INVALID_SIGNATURE"),
        (lambda: "not-a-jwt", "TOKEN_MALFORMED"),
    ],
)
async def test_bad_tokens_get_401_problem_json(gateway: Any, make_token: Any, code: str) -> None:
    _, client = gateway
    response = await client.get("/api/users/v1/me", headers=bearer(make_token()))
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


async def test_missing_token_on_a_user_route_is_401(gateway: Any) -> None:
    _, client = gateway
    response = await client.get("/api/users/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"


async def test_revoked_token_is_refused_once_the_event_arrives(gateway: Any) -> None:
    built, client = gateway
    value = token("user-9")
    assert (await client.get("/api/users/v1/me", headers=bearer(value))).status_code == 200
    event = EventEnvelope(
        type=AUTH_TOKENS_REVOKED,
        producer="auth",
        key="user-9",
        payload={
            "user_id": "user-9",
            "session_id": "sid-user-9",
            "expires_at": (utc_now() + timedelta(minutes=15)).isoformat(),
        },
    )
    await apply_revocation_event(built.revocations, event)
    response = await client.get("/api/users/v1/me", headers=bearer(value))
    assert response.status_code == 401
    assert response.json()["code"] == "TOKEN_REVOKED"


async def test_client_supplied_identity_header_is_never_trusted(gateway: Any) -> None:
    built, client = gateway
    from burency_common.identity import IDENTITY_HEADER, sign_identity

    forged = sign_identity(
        Identity(user_id="admin-1", roles=frozenset({"admin"})),
        secret=b"x" * 32,
        now=utc_now(),
    )
    response = await client.get("/api/users/v1/whoami", headers={IDENTITY_HEADER: forged})
    assert response.status_code == 401, "public-ish route still needs a user by default"
    genuine = sign_identity(
        Identity(user_id="admin-1", roles=frozenset({"admin"})),
        secret=built.core.identity_secret,
        now=utc_now(),
    )
    response = await client.get(
        "/api/users/v1/whoami", headers={IDENTITY_HEADER: genuine, **bearer(token("user-2"))}
    )
    assert response.json() == {"userId": "user-2"}, "even a validly signed header is stripped"


async def test_role_protected_routes(gateway: Any) -> None:
    _, client = gateway
    as_user = await client.get("/api/users/v1/admin/users", headers=bearer(token()))
    assert as_user.status_code == 403
    assert as_user.json()["code"] == "PERMISSION_DENIED"
    as_admin = await client.get(
        "/api/users/v1/admin/users", headers=bearer(token("a-1", roles=("admin",)))
    )
    assert as_admin.status_code == 200


async def test_rate_limit_returns_429_with_retry_after(gateway: Any) -> None:
    _, client = gateway
    headers = bearer(token("user-rl"))
    statuses = [(await client.get("/api/users/v1/me", headers=headers)) for _ in range(21)]
    assert [r.status_code for r in statuses[:20]] == [200] * 20
    assert statuses[0].headers["x-ratelimit-limit"] == "20"
    refused = statuses[20]
    assert refused.status_code == 429
    assert refused.json()["code"] == "RATE_LIMITED"
    assert int(refused.headers["retry-after"]) >= 1


async def test_security_headers_and_request_id(gateway: Any) -> None:
    _, client = gateway
    response = await client.get("/healthz", headers={"X-Request-ID": "req-abc"})
    assert response.headers["x-request-id"] == "req-abc"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src" in response.headers["content-security-policy"]
    assert response.json() == {"status": "ok"}  # strangers learn nothing more
    admin = await client.get("/healthz", headers=bearer(token("a-1", roles=("admin",))))
    assert admin.json()["services"] == ["users"]


async def test_merged_openapi_lists_service_paths(gateway: Any) -> None:
    _, client = gateway
    document = (await client.get("/api/openapi.json")).json()
    assert "/api/users/v1/me" in document["paths"]
    assert (await client.get("/api/docs")).status_code == 200


async def test_unknown_and_missing_services(gateway: Any) -> None:
    _, client = gateway
    unknown = await client.get("/api/nothing/v1/x")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    missing = await client.get("/api/banking/v1/accounts", headers=bearer(token()))
    assert missing.status_code == 503
    assert missing.json()["code"] == "SERVICE_NOT_RUNNING"


async def test_internal_endpoints_are_unreachable_from_outside(gateway: Any) -> None:
    _, client = gateway
    response = await client.post(
        "/api/users/internal/v1/anything", headers=bearer(token("a-1", roles=("admin",)))
    )
    assert response.status_code == 403
    assert response.json()["code"] == "PERMISSION_DENIED"


async def test_oversized_bodies_get_413_declared_or_streamed(gateway: Any) -> None:
    _, client = gateway
    headers = bearer(token())
    declared = await client.post(
        "/api/users/v1/me", content=b"x" * (2 * 1024 * 1024), headers=headers
    )
    assert declared.status_code == 413
    assert declared.json()["code"] == "PAYLOAD_TOO_LARGE"

    async def chunks() -> Any:
        for _ in range(40):
            yield b"y" * 65536

    small = await client.post("/api/users/v1/echo", content=b"z" * 1000, headers=headers)
    assert small.json() == {"bytes": 1000}
    streamed = await client.post("/api/users/v1/echo", content=chunks(), headers=headers)
    assert streamed.status_code == 413
    assert streamed.json()["code"] == "PAYLOAD_TOO_LARGE"


SECURITY_HEADERS = (
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "cross-origin-opener-policy",
    "content-security-policy",
)


async def test_every_kind_of_answer_carries_the_security_headers_once(gateway: Any) -> None:
    """The edge middleware (headers and body limit in one) on each way a request can end:
    refused path, auth, role, unknown service, the SPA's 404, both 413s, 429, 503,
    a signed request's body limit and Socket.IO's polling transport."""
    _, client = gateway
    user = bearer(token())

    async def chunks() -> Any:
        for _ in range(40):
            yield b"y" * 65536

    answers = {
        "ambiguous": await client.get("/api/users/v1/a%2Fb"),
        "anonymous": await client.get("/api/users/v1/me"),
        "internal": await client.get("/api/users/internal/v1/x", headers=user),
        "unknown": await client.get("/api/nothing/v1/x"),
        "spa-missing": await client.get("/definitely/not/here.js"),
        "declared-413": await client.post("/api/users/v1/echo", content=b"x" * 2**21),
        "streamed-413": await client.post("/api/users/v1/echo", content=chunks(), headers=user),
        "signed-413": await client.post(
            "/api/users/v1/echo", content=b"x" * 70_000, headers={"X-Burency-APIKEY": "k"}
        ),
        "missing-service": await client.get("/api/banking/v1/accounts", headers=user),
        "socketio-polling": await client.get("/socket.io/?EIO=4&transport=polling"),
        "proxied": await client.get("/api/users/v1/me", headers=user),
    }
    statuses = {name: answer.status_code for name, answer in answers.items()}
    assert statuses["ambiguous"] == 400
    assert statuses["declared-413"] == statuses["streamed-413"] == statuses["signed-413"] == 413
    for name, answer in answers.items():
        for header in SECURITY_HEADERS:
            assert len(answer.headers.get_list(header)) == 1, (name, header)
    for _ in range(25):
        last = await client.get("/api/users/v1/whoami", headers=user)
    assert last.status_code == 429
    for header in SECURITY_HEADERS:
        assert len(last.headers.get_list(header)) == 1, ("429", header)
