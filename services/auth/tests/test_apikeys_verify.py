"""API keys: the gateway's internal verification call, case by case against the gateway's
reference implementation (services/gateway/tests/upstreams/fake_auth.py), and end to
end with the gateway's real ``RemoteApiKeyVerifier``."""

from __future__ import annotations

import base64
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from burency_auth.adapters import users_repo
from burency_auth.adapters.apikeys_repo import api_keys
from burency_auth.entrypoints.http.apikeys import VERIFY_PATH
from burency_common.apikeys import sign
from burency_common.errors import BurencyError, PermissionDenied, ServiceUnavailable
from burency_common.identity import Identity
from burency_gateway.security.apikey import VERIFY_PATH as GATEWAY_VERIFY_PATH
from burency_gateway.security.apikey import RemoteApiKeyVerifier, path_scopes
from burency_gateway.security.authn import AuthRequest

from .auth_testing.apikeys import (
    BODY,
    GATEWAY,
    IP,
    call_verify,
    clock_ms,
    create_key,
    make_user,
    problem,
    verify_body,
)
from .auth_testing.harness import Harness


@pytest.fixture
def h(harness: Harness) -> Harness:
    return harness


# --- the internal verification endpoint --------------------------------------------------


async def test_a_signed_request_answers_the_owner(h: Harness) -> None:
    user = await make_user(h, "hal@example.com")
    key_id, secret = await create_key(h, user)
    response = await call_verify(h, verify_body(key_id, secret, now_ms=clock_ms(h)))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "userId": user.id,
        "roles": ["user"],
        "scopes": ["read", "trade"],
        "keyId": key_id,
        "emailVerified": False,
    }
    [item] = (await h.client.get("/v1/api-keys", headers=user.headers)).json()["items"]
    assert item["lastUsedAt"] is not None


async def test_a_changed_parameter_breaks_the_signature(h: Harness) -> None:
    user = await make_user(h, "ida@example.com")
    key_id, secret = await create_key(h, user)
    now_ms = clock_ms(h)
    tampered = f"symbol=ETH-USDT&recvWindow=5000&timestamp={now_ms}"
    response = await call_verify(h, verify_body(key_id, secret, now_ms=now_ms, sent_query=tampered))
    assert problem(response) == (401, "API_KEY_SIGNATURE_INVALID")
    assert secret not in response.text


async def test_revoked_keys_and_disabled_owners_are_unknown(h: Harness) -> None:
    user = await make_user(h, "jay@example.com")
    (revoked, revoked_secret), (live, live_secret) = (
        await create_key(h, user),
        await create_key(h, user),
    )
    await h.client.delete(f"/v1/api-keys/{revoked}", headers=user.headers)
    response = await call_verify(h, verify_body(revoked, revoked_secret, now_ms=clock_ms(h)))
    assert problem(response) == (401, "API_KEY_UNKNOWN")
    async with h.component.context.transaction() as db:
        await users_repo.update_user(db, user.id, disabled_at=h.clock.now())
    response = await call_verify(h, verify_body(live, live_secret, now_ms=clock_ms(h)))
    assert problem(response) == (401, "API_KEY_UNKNOWN")


async def test_the_allow_list_is_checked_after_the_signature(h: Harness) -> None:
    user = await make_user(h, "kai@example.com")
    key_id, secret = await create_key(h, user, ipAllowList=["198.51.100.0/24"])
    now_ms = clock_ms(h)
    for ip in (IP, None, "not-an-ip"):
        response = await call_verify(h, verify_body(key_id, secret, now_ms=now_ms, ip=ip))
        assert problem(response) == (403, "API_KEY_IP_NOT_ALLOWED")
    for ip in ("198.51.100.9", "::ffff:198.51.100.9"):
        response = await call_verify(h, verify_body(key_id, secret, now_ms=now_ms, ip=ip))
        assert response.status_code == 200, response.text
    forged = verify_body(key_id, "x" * 43, now_ms=now_ms, ip=IP)
    assert problem(await call_verify(h, forged)) == (401, "API_KEY_SIGNATURE_INVALID")


async def test_only_the_gateway_may_ask(h: Harness) -> None:
    user = await make_user(h, "lou@example.com")
    key_id, secret = await create_key(h, user)
    body = verify_body(key_id, secret, now_ms=clock_ms(h))
    as_user = Identity(user.id, frozenset({"user", "admin"}))
    not_service = Identity("service:gateway", frozenset({"admin"}))
    other_service = Identity("service:trading", frozenset({"service"}))
    for caller in (as_user, not_service, other_service):
        assert problem(await call_verify(h, body, caller)) == (403, "NOT_THE_GATEWAY")
    assert (await call_verify(h, body, None)).status_code == 401
    forged = await h.client.post(VERIFY_PATH, json=body, headers={"X-Burency-Identity": "x.y"})
    assert problem(forged) == (401, "INVALID_IDENTITY_HEADER")


async def test_a_tampered_row_stops_working(h: Harness) -> None:
    """Widening scopes or moving the key in the database breaks its seal: no escalation."""
    user, other = await make_user(h, "max@example.com"), await make_user(h, "ned@example.com")
    key_id, secret = await create_key(h, user, scopes=["read"])
    for change in ({"scopes": "read,trade,withdraw"}, {"user_id": other.id}):
        async with h.component.context.transaction() as db:
            await db.execute(update(api_keys).where(api_keys.c.id == key_id).values(**change))
        response = await call_verify(h, verify_body(key_id, secret, now_ms=clock_ms(h)))
        assert problem(response) == (401, "API_KEY_UNKNOWN")


async def test_malformed_internal_calls_are_not_blamed_on_the_client(h: Harness) -> None:
    user = await make_user(h, "oli@example.com")
    key_id, secret = await create_key(h, user)
    body = verify_body(key_id, secret, now_ms=clock_ms(h))
    not_base64 = await call_verify(h, {**body, "payload": "not base64!"})
    assert problem(not_base64) == (400, "PAYLOAD_NOT_BASE64")
    for broken in ({**body, "timestamp": "1"}, {"apiKey": key_id}, [1]):
        assert problem(await call_verify(h, broken)) == (400, "INVALID_VERIFY_REQUEST")  # type: ignore[arg-type]
    assert (await call_verify(h, {**body, "futureField": 1})).status_code == 200


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
    user = await make_user(h, "pia@example.com")
    key_id, secret = await create_key(h, user, ipAllowList=[IP])
    keys = {key_id: reference.Key(secret, user.id, ("read", "trade"), (IP,))}
    app = reference.auth_app(
        keys, identity_secret=h.component.app.state.identity_secret, now=h.clock.now()
    )
    now_ms = clock_ms(h)
    headers = h.identity_headers(GATEWAY)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as ref:
        for name, case in CASES.items():
            body = case(verify_body(key_id, secret, now_ms=now_ms), now_ms)
            expected = await ref.post(f"http://ref{VERIFY_PATH}", json=body, headers=headers)
            got = await call_verify(h, body)
            assert got.status_code == expected.status_code, name
            if got.status_code == 200:
                assert {**got.json(), "roles": []} == {**expected.json(), "roles": []}, name
            else:
                assert got.json()["code"] == expected.json()["code"], name


# --- end to end with the gateway's verifier ----------------------------------------------


async def test_the_gateways_verifier_end_to_end(h: Harness) -> None:
    assert VERIFY_PATH == GATEWAY_VERIFY_PATH
    user = await make_user(h, "quy@example.com")
    key_id, secret = await create_key(h, user, ipAllowList=[IP])
    verifier = RemoteApiKeyVerifier(
        identity_secret=h.component.app.state.identity_secret,
        http=h.client,
        base_url="http://auth",
        client_ip=lambda request: request.client_ip,
        required_scope=path_scopes({"/api/banking/v1/withdrawals*": "withdraw"}),
        clock=h.clock.now,
    )

    def request(path: str = "/api/trading/v1/orders", **changes: Any) -> AuthRequest:
        query = f"symbol=BTC-USDT&timestamp={clock_ms(h)}"
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
