"""API keys: the owner's endpoints and the gateway's internal verification call.

The routers are included on the harness app here (until app.py wires them); the
migration 0002 runs with the others (the component migrates to head). The internal
endpoint is checked against the gateway's reference implementation
(services/gateway/tests/upstreams/fake_auth.py) case by case, and end to end with the
gateway's real ``RemoteApiKeyVerifier``.
"""

from __future__ import annotations

import base64
import importlib.util
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from auth_testing.harness import Harness, running_harness
from sqlalchemy import select, update

from burency_auth.adapters import users_repo
from burency_auth.adapters.apikeys_repo import api_keys
from burency_auth.adapters.orm import audit_log
from burency_auth.entrypoints.http.apikeys import VERIFY_PATH, internal_router, router
from burency_auth.service import apikeys as service
from burency_auth.service.context import RequestMeta
from burency_auth.settings import AuthSettings
from burency_common.apikeys import SignedRequest, sign
from burency_common.errors import BurencyError, PermissionDenied, ServiceUnavailable
from burency_common.identity import Identity
from burency_common.timeutil import ManualClock, to_epoch_ms
from burency_gateway.security.apikey import VERIFY_PATH as GATEWAY_VERIFY_PATH
from burency_gateway.security.apikey import RemoteApiKeyVerifier, path_scopes
from burency_gateway.security.authn import AuthRequest

GATEWAY = Identity(user_id="service:gateway", roles=frozenset({"service"}))
IP = "203.0.113.7"
BODY = b'{"symbol":"BTC-USDT","side":"BUY","quantity":"0.25"}'


def _with_api_key_routes(harness: Harness) -> Harness:
    app = harness.component.app
    if not any(getattr(route, "path", None) == VERIFY_PATH for route in app.routes):
        app.include_router(router)
        app.include_router(internal_router)
    return harness


@pytest.fixture
def h(harness: Harness) -> Harness:
    return _with_api_key_routes(harness)


@dataclass
class User:
    id: str
    headers: dict[str, str]


async def _user(h: Harness, email: str) -> User:
    user_id = await h.register(email)
    return User(user_id, h.headers_for(await h.signed_in(email)))


async def _create(h: Harness, user: User, **body: Any) -> httpx.Response:
    body = {"label": "bot", "scopes": ["read", "trade"], **body}
    return await h.client.post("/v1/api-keys", json=body, headers=user.headers)


async def _key(h: Harness, user: User, **body: Any) -> tuple[str, str]:
    response = await _create(h, user, **body)
    assert response.status_code == 201, response.text
    return response.json()["id"], response.json()["secret"]


def _verify_body(
    key_id: str, secret: str, *, now_ms: int, ip: str | None = IP, sent_query: str | None = None
) -> dict[str, Any]:
    """What the gateway sends for a signed POST; ``sent_query`` replaces the signed query."""
    query = f"symbol=BTC-USDT&recvWindow=5000&timestamp={now_ms}"
    return {
        "apiKey": key_id,
        "payload": base64.b64encode((sent_query or query).encode() + BODY).decode(),
        "signature": sign(secret, query, BODY),
        "timestamp": now_ms,
        "recvWindow": 5000,
        "ip": ip,
        "method": "POST",
        "path": "/api/trading/v1/orders",
    }


async def _verify(
    h: Harness, body: dict[str, Any], caller: Identity | None = GATEWAY
) -> httpx.Response:
    headers = h.identity_headers(caller) if caller else {}
    return await h.client.post(VERIFY_PATH, json=body, headers=headers)


def _now_ms(h: Harness) -> int:
    return to_epoch_ms(h.clock.now())


def _problem(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["code"]


async def _enable_2fa(h: Harness, user: User) -> tuple[str, list[str]]:
    secret = (await h.client.post("/v1/2fa/enroll", headers=user.headers)).json()["secret"]
    code = pyotp.TOTP(secret).at(h.clock.now())
    confirm = await h.client.post("/v1/2fa/confirm", json={"code": code}, headers=user.headers)
    assert confirm.status_code == 200, confirm.text
    h.clock.advance(30)
    return secret, confirm.json()["recoveryCodes"]


# --- the owner's endpoints -------------------------------------------------------------


async def test_secret_is_shown_once_stored_sealed_and_never_listed(h: Harness) -> None:
    user = await _user(h, "ann@example.com")
    created = await _create(h, user, ipAllowList=["203.0.113.7", "198.51.100.0/24"])
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["cache-control"] == "no-store"
    assert set(body) == {"id", "label", "scopes", "ipAllowList", "createdAt", "secret"}
    assert body["scopes"] == ["read", "trade"]
    assert body["ipAllowList"] == ["203.0.113.7/32", "198.51.100.0/24"]
    listed = await h.client.get("/v1/api-keys", headers=user.headers)
    assert listed.status_code == 200
    [item] = listed.json()["items"]
    assert item["id"] == body["id"]
    assert body["secret"] not in listed.text
    assert "secret" not in item
    async with h.component.engine.connect() as conn:
        stored = (await conn.execute(select(api_keys))).mappings().one()
        audit = (await conn.execute(select(audit_log.c.action, audit_log.c.details))).all()
    assert body["secret"].encode() not in stored["sealed_secret"]
    assert body["secret"] not in str(dict(stored))
    assert ("api_key.created", body["id"]) in [(a, d["keyId"]) for a, d in audit]
    [note] = await h.notifications("auth.api_key_created", user.id)
    assert body["secret"] not in str(note)
    assert body["id"] not in str(note)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scopes": []}, "scopes"),
        ({"scopes": ["admin"]}, "scopes.0"),
        ({"label": ""}, "label"),
        ({"label": "x" * 65}, "label"),
        ({"label": "   "}, "label"),
        ({"label": "bad\u202elabel"}, "label"),
        ({"ipAllowList": ["10.0.0.1/8"]}, "ipAllowList.0"),
        ({"ipAllowList": ["10.0.0.0/8", "example.com"]}, "ipAllowList.1"),
        ({"ipAllowList": [f"10.0.{i}.0/24" for i in range(33)]}, "ipAllowList"),
    ],
)
async def test_invalid_keys_are_refused(h: Harness, body: dict[str, Any], field: str) -> None:
    user = await _user(h, "bea@example.com")
    response = await _create(h, user, **body)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_a_key_cannot_manage_keys(h: Harness) -> None:
    user = await _user(h, "cid@example.com")
    as_key = Identity(
        user.id, frozenset({"user"}), auth_method="api_key", scopes=frozenset({"trade"})
    )
    for method, path in (("POST", "/v1/api-keys"), ("GET", "/v1/api-keys")):
        response = await h.client.request(
            method,
            path,
            json={"label": "x", "scopes": ["read"]},
            headers=h.identity_headers(as_key),
        )
        assert _problem(response) == (403, "SESSION_REQUIRED")


async def test_withdraw_scope_needs_two_factor_and_a_current_code(h: Harness) -> None:
    user = await _user(h, "dan@example.com")
    withdraw = {"scopes": ["read", "withdraw"], "totpCode": "123456"}
    assert _problem(await _create(h, user, **withdraw)) == (403, "TWO_FACTOR_REQUIRED")
    secret, recovery = await _enable_2fa(h, user)
    current = pyotp.TOTP(secret).at(h.clock.now())
    wrong = f"{(int(current) + 1) % 1_000_000:06d}"
    if not pyotp.TOTP(secret).verify(wrong, for_time=h.clock.now(), valid_window=1):
        refused = await _create(h, user, **{**withdraw, "totpCode": wrong})
        assert _problem(refused) == (401, "TOTP_INVALID")
    no_code = {"scopes": ["withdraw"]}
    assert _problem(await _create(h, user, **no_code)) == (401, "TOTP_REQUIRED")
    by_recovery = {**withdraw, "totpCode": recovery[0]}
    assert _problem(await _create(h, user, **by_recovery)) == (401, "TOTP_INVALID")
    ok = await _create(h, user, **{**withdraw, "totpCode": current})
    assert ok.status_code == 201, ok.text
    assert ok.json()["scopes"] == ["read", "withdraw"]
    again = await _create(h, user, **{**withdraw, "totpCode": current})
    assert _problem(again) == (401, "TOTP_REUSED")
    assert (await _create(h, user)).status_code == 201  # read/trade never need a code


async def test_revoke_is_idempotent_and_only_for_the_owner(h: Harness) -> None:
    owner, other = await _user(h, "eve@example.com"), await _user(h, "fay@example.com")
    key_id, secret = await _key(h, owner)
    stranger = await h.client.delete(f"/v1/api-keys/{key_id}", headers=other.headers)
    assert _problem(stranger) == (404, "API_KEY_NOT_FOUND")
    missing = await h.client.delete("/v1/api-keys/nope", headers=owner.headers)
    assert _problem(missing) == (404, "API_KEY_NOT_FOUND")
    assert (await _verify(h, _verify_body(key_id, secret, now_ms=_now_ms(h)))).status_code == 200
    for _ in range(2):
        revoked = await h.client.delete(f"/v1/api-keys/{key_id}", headers=owner.headers)
        assert revoked.status_code == 204
    assert (await h.client.get("/v1/api-keys", headers=owner.headers)).json()["items"] == []
    assert len(await h.notifications("auth.api_key_revoked", owner.id)) == 1


async def test_at_most_thirty_active_keys(h: Harness) -> None:
    user = await _user(h, "gus@example.com")
    ids = [(await _key(h, user, label=f"bot {i}"))[0] for i in range(service.MAX_ACTIVE_KEYS)]
    assert _problem(await _create(h, user)) == (409, "TOO_MANY_API_KEYS")
    await h.client.delete(f"/v1/api-keys/{ids[0]}", headers=user.headers)
    assert (await _create(h, user)).status_code == 201


# --- the internal verification endpoint --------------------------------------------------


async def test_a_signed_request_answers_the_owner(h: Harness) -> None:
    user = await _user(h, "hal@example.com")
    key_id, secret = await _key(h, user)
    response = await _verify(h, _verify_body(key_id, secret, now_ms=_now_ms(h)))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "userId": user.id,
        "roles": ["user"],
        "scopes": ["read", "trade"],
        "keyId": key_id,
    }
    [item] = (await h.client.get("/v1/api-keys", headers=user.headers)).json()["items"]
    assert item["lastUsedAt"] is not None


async def test_a_changed_parameter_breaks_the_signature(h: Harness) -> None:
    user = await _user(h, "ida@example.com")
    key_id, secret = await _key(h, user)
    now_ms = _now_ms(h)
    tampered = f"symbol=ETH-USDT&recvWindow=5000&timestamp={now_ms}"
    response = await _verify(h, _verify_body(key_id, secret, now_ms=now_ms, sent_query=tampered))
    assert _problem(response) == (401, "API_KEY_SIGNATURE_INVALID")
    assert secret not in response.text


async def test_revoked_keys_and_disabled_owners_are_unknown(h: Harness) -> None:
    user = await _user(h, "jay@example.com")
    (revoked, revoked_secret), (live, live_secret) = await _key(h, user), await _key(h, user)
    await h.client.delete(f"/v1/api-keys/{revoked}", headers=user.headers)
    response = await _verify(h, _verify_body(revoked, revoked_secret, now_ms=_now_ms(h)))
    assert _problem(response) == (401, "API_KEY_UNKNOWN")
    async with h.component.context.transaction() as db:
        await users_repo.update_user(db, user.id, disabled_at=h.clock.now())
    response = await _verify(h, _verify_body(live, live_secret, now_ms=_now_ms(h)))
    assert _problem(response) == (401, "API_KEY_UNKNOWN")


async def test_the_allow_list_is_checked_after_the_signature(h: Harness) -> None:
    user = await _user(h, "kai@example.com")
    key_id, secret = await _key(h, user, ipAllowList=["198.51.100.0/24"])
    now_ms = _now_ms(h)
    for ip in (IP, None, "not-an-ip"):
        response = await _verify(h, _verify_body(key_id, secret, now_ms=now_ms, ip=ip))
        assert _problem(response) == (403, "API_KEY_IP_NOT_ALLOWED")
    for ip in ("198.51.100.9", "::ffff:198.51.100.9"):
        response = await _verify(h, _verify_body(key_id, secret, now_ms=now_ms, ip=ip))
        assert response.status_code == 200, response.text
    forged = _verify_body(key_id, "x" * 43, now_ms=now_ms, ip=IP)
    assert _problem(await _verify(h, forged)) == (401, "API_KEY_SIGNATURE_INVALID")


async def test_only_the_gateway_may_ask(h: Harness) -> None:
    user = await _user(h, "lou@example.com")
    key_id, secret = await _key(h, user)
    body = _verify_body(key_id, secret, now_ms=_now_ms(h))
    as_user = Identity(user.id, frozenset({"user", "admin"}))
    not_service = Identity("service:gateway", frozenset({"admin"}))
    other_service = Identity("service:trading", frozenset({"service"}))
    for caller in (as_user, not_service, other_service):
        assert _problem(await _verify(h, body, caller)) == (403, "NOT_THE_GATEWAY")
    assert (await _verify(h, body, None)).status_code == 401
    forged = await h.client.post(VERIFY_PATH, json=body, headers={"X-Burency-Identity": "x.y"})
    assert _problem(forged) == (401, "INVALID_IDENTITY_HEADER")


async def test_a_tampered_row_stops_working(h: Harness) -> None:
    """Widening scopes or moving the key in the database breaks its seal: no escalation."""
    user, other = await _user(h, "max@example.com"), await _user(h, "ned@example.com")
    key_id, secret = await _key(h, user, scopes=["read"])
    for change in ({"scopes": "read,trade,withdraw"}, {"user_id": other.id}):
        async with h.component.context.transaction() as db:
            await db.execute(update(api_keys).where(api_keys.c.id == key_id).values(**change))
        response = await _verify(h, _verify_body(key_id, secret, now_ms=_now_ms(h)))
        assert _problem(response) == (401, "API_KEY_UNKNOWN")


async def test_malformed_internal_calls_are_not_blamed_on_the_client(h: Harness) -> None:
    user = await _user(h, "oli@example.com")
    key_id, secret = await _key(h, user)
    body = _verify_body(key_id, secret, now_ms=_now_ms(h))
    not_base64 = await _verify(h, {**body, "payload": "not base64!"})
    assert _problem(not_base64) == (400, "PAYLOAD_NOT_BASE64")
    for broken in ({**body, "timestamp": "1"}, {"apiKey": key_id}, [1]):
        assert _problem(await _verify(h, broken)) == (400, "INVALID_VERIFY_REQUEST")  # type: ignore[arg-type]
    assert (await _verify(h, {**body, "futureField": 1})).status_code == 200


def _load_reference() -> Any:
    path = Path(__file__).parents[2] / "gateway" / "tests" / "upstreams" / "fake_auth.py"
    spec = importlib.util.spec_from_file_location("burency_auth_tests_fake_auth", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


Case = Callable[[dict[str, Any], int], dict[str, Any]]
CASES: dict[str, Case] = {
    "valid": lambda b, now: b,
    "tampered payload": lambda b, now: {**b, "payload": base64.b64encode(b"x=1").decode()},
    "stale": lambda b, now: {**b, "timestamp": now - 6000},
    "future": lambda b, now: {**b, "timestamp": now + 1000},
    "window too big": lambda b, now: {**b, "recvWindow": 60001},
    "window zero": lambda b, now: {**b, "recvWindow": 0},
    "signature shape": lambda b, now: {**b, "signature": b["signature"].upper()},
    "negative timestamp": lambda b, now: {**b, "timestamp": -1},
    "unknown key": lambda b, now: {**b, "apiKey": "A" * 43},
    "wrong ip": lambda b, now: {**b, "ip": "192.0.2.1"},
    "unknown ip": lambda b, now: {**b, "ip": None},
}


async def test_answers_match_the_reference_implementation(h: Harness) -> None:
    """Same status and code as the gateway's reference auth app, case by case."""
    reference = _load_reference()
    user = await _user(h, "pia@example.com")
    key_id, secret = await _key(h, user, ipAllowList=[IP])
    keys = {key_id: reference.Key(secret, user.id, ("read", "trade"), (IP,))}
    app = reference.auth_app(
        keys, identity_secret=h.component.app.state.identity_secret, now=h.clock.now()
    )
    now_ms = _now_ms(h)
    headers = h.identity_headers(GATEWAY)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as ref:
        for name, case in CASES.items():
            body = case(_verify_body(key_id, secret, now_ms=now_ms), now_ms)
            expected = await ref.post(f"http://ref{VERIFY_PATH}", json=body, headers=headers)
            got = await _verify(h, body)
            assert got.status_code == expected.status_code, name
            if got.status_code == 200:
                assert {**got.json(), "roles": []} == {**expected.json(), "roles": []}, name
            else:
                assert got.json()["code"] == expected.json()["code"], name


# --- end to end with the gateway's verifier ----------------------------------------------


async def test_the_gateways_verifier_end_to_end(h: Harness) -> None:
    assert VERIFY_PATH == GATEWAY_VERIFY_PATH
    user = await _user(h, "quy@example.com")
    key_id, secret = await _key(h, user, ipAllowList=[IP])
    verifier = RemoteApiKeyVerifier(
        identity_secret=h.component.app.state.identity_secret,
        http=h.client,
        base_url="http://auth",
        client_ip=lambda request: request.client_ip,
        required_scope=path_scopes({"/api/banking/v1/withdrawals*": "withdraw"}),
        clock=h.clock.now,
    )

    def request(path: str = "/api/trading/v1/orders", **changes: Any) -> AuthRequest:
        query = f"symbol=BTC-USDT&timestamp={_now_ms(h)}"
        sent = query.replace("BTC", "ETH") if changes.pop("tamper", False) else query
        return AuthRequest(
            method="POST",
            path=path,
            query=f"{sent}&signature={sign(secret, query, BODY)}",
            headers={"x-burency-apikey": key_id},
            body=BODY,
            client_ip=changes.pop("client_ip", IP),
        )

    identity = await verifier.verify(request())
    assert (identity.user_id, identity.auth_method) == (user.id, "api_key")
    assert identity.scopes == {"read", "trade"}
    assert identity.roles == {"user"}
    refusals: list[tuple[AuthRequest, type[BurencyError], str]] = [
        (request(tamper=True), BurencyError, "API_KEY_SIGNATURE_INVALID"),
        (request(client_ip="192.0.2.1"), PermissionDenied, "API_KEY_IP_NOT_ALLOWED"),
        (request("/api/banking/v1/withdrawals"), PermissionDenied, "API_KEY_SCOPE_MISSING"),
    ]
    for refused, cls, code in refusals:
        with pytest.raises(cls) as caught:
            await verifier.verify(refused)
        assert caught.value.code == code
    wrong_secret = RemoteApiKeyVerifier(
        identity_secret=b"w" * 32,
        http=h.client,
        base_url="http://auth",
        client_ip=lambda r: r.client_ip,
        clock=h.clock.now,
    )
    with pytest.raises(ServiceUnavailable):
        await wrong_secret.verify(request())


# --- SQLite and PostgreSQL ---------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_h(
    request: pytest.FixtureRequest,
    make_settings: Callable[..., AuthSettings],
    postgres_database_factory: Callable[..., str],
    clock: ManualClock,
) -> AsyncIterator[Harness]:
    overrides: dict[str, Any] = {}
    if request.param == "postgres":
        overrides["database_url"] = postgres_database_factory()
    async with running_harness(make_settings(**overrides), clock) as harness:
        yield _with_api_key_routes(harness)


async def test_the_lifecycle_on_each_database(db_h: Harness) -> None:
    user = await _user(db_h, "ray@example.com")
    ctx = db_h.component.context
    created = await service.create_api_key(
        ctx,
        user_id=user.id,
        label="bot",
        scopes=["trade", "read"],
        ip_allow_list=["2001:db8::/32"],
        totp_code=None,
        meta=RequestMeta(ip=IP),
    )
    query = f"timestamp={_now_ms(db_h)}"
    signed = SignedRequest(query.encode(), sign(created.secret, query), _now_ms(db_h))
    owner = await service.verify_api_key_request(
        ctx, api_key=created.id, signed=signed, ip="2001:db8::1"
    )
    assert owner == (user.id, frozenset({"user"}), ("read", "trade"))
    db_h.clock.advance(61)
    [view] = await service.list_api_keys(ctx, user_id=user.id)
    assert view.last_used_at is not None
    assert view.ip_allow_list == ("2001:db8::/32",)
    await service.revoke_api_key(ctx, user_id=user.id, key_id=created.id)
    await service.revoke_api_key(ctx, user_id=user.id, key_id=created.id)
    assert await service.list_api_keys(ctx, user_id=user.id) == []
