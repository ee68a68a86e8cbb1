"""API keys: the owner's endpoints (create, list, revoke, limits, 2FA for the withdraw
scope) and the key lifecycle on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pyotp
import pytest
from sqlalchemy import select

from burency_auth.adapters.apikeys_repo import api_keys
from burency_auth.adapters.orm import audit_log
from burency_auth.service import apikeys as service
from burency_auth.service.context import RequestMeta
from burency_auth.settings import AuthSettings
from burency_common.apikeys import SignedRequest, sign
from burency_common.identity import Identity
from burency_common.timeutil import ManualClock

from .auth_testing.apikeys import (
    IP,
    call_verify,
    clock_ms,
    create_key,
    create_key_response,
    enable_2fa,
    make_user,
    problem,
    verify_body,
)
from .auth_testing.harness import Harness, running_harness


@pytest.fixture
def h(harness: Harness) -> Harness:
    return harness


# --- the owner's endpoints -------------------------------------------------------------


async def test_secret_is_shown_once_stored_sealed_and_never_listed(h: Harness) -> None:
    user = await make_user(h, "ann@example.com")
    created = await create_key_response(h, user, ipAllowList=["203.0.113.7", "198.51.100.0/24"])
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
    user = await make_user(h, "bea@example.com")
    response = await create_key_response(h, user, **body)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_a_key_cannot_manage_keys(h: Harness) -> None:
    user = await make_user(h, "cid@example.com")
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
        assert problem(response) == (403, "SESSION_REQUIRED")


async def test_withdraw_scope_needs_two_factor_and_a_current_code(h: Harness) -> None:
    user = await make_user(h, "dan@example.com")
    withdraw = {"scopes": ["read", "withdraw"], "totpCode": "123456"}
    assert problem(await create_key_response(h, user, **withdraw)) == (403, "TWO_FACTOR_REQUIRED")
    secret, recovery = await enable_2fa(h, user)
    current = pyotp.TOTP(secret).at(h.clock.now())
    wrong = f"{(int(current) + 1) % 1_000_000:06d}"
    if not pyotp.TOTP(secret).verify(wrong, for_time=h.clock.now(), valid_window=1):
        refused = await create_key_response(h, user, **{**withdraw, "totpCode": wrong})
        assert problem(refused) == (403, "TOTP_INVALID")
    no_code = {"scopes": ["withdraw"]}
    assert problem(await create_key_response(h, user, **no_code)) == (403, "TOTP_REQUIRED")
    by_recovery = {**withdraw, "totpCode": recovery[0]}
    assert problem(await create_key_response(h, user, **by_recovery)) == (403, "TOTP_INVALID")
    ok = await create_key_response(h, user, **{**withdraw, "totpCode": current})
    assert ok.status_code == 201, ok.text
    assert ok.json()["scopes"] == ["read", "withdraw"]
    again = await create_key_response(h, user, **{**withdraw, "totpCode": current})
    assert problem(again) == (403, "TOTP_REUSED")
    assert (await create_key_response(h, user)).status_code == 201  # read/trade never need a code


async def test_revoke_is_idempotent_and_only_for_the_owner(h: Harness) -> None:
    owner, other = await make_user(h, "eve@example.com"), await make_user(h, "fay@example.com")
    key_id, secret = await create_key(h, owner)
    stranger = await h.client.delete(f"/v1/api-keys/{key_id}", headers=other.headers)
    assert problem(stranger) == (404, "API_KEY_NOT_FOUND")
    missing = await h.client.delete("/v1/api-keys/nope", headers=owner.headers)
    assert problem(missing) == (404, "API_KEY_NOT_FOUND")
    assert (
        await call_verify(h, verify_body(key_id, secret, now_ms=clock_ms(h)))
    ).status_code == 200
    for _ in range(2):
        revoked = await h.client.delete(f"/v1/api-keys/{key_id}", headers=owner.headers)
        assert revoked.status_code == 204
    assert (await h.client.get("/v1/api-keys", headers=owner.headers)).json()["items"] == []
    assert len(await h.notifications("auth.api_key_revoked", owner.id)) == 1


async def test_at_most_thirty_active_keys(h: Harness) -> None:
    user = await make_user(h, "gus@example.com")
    ids = [(await create_key(h, user, label=f"bot {i}"))[0] for i in range(service.MAX_ACTIVE_KEYS)]
    assert problem(await create_key_response(h, user)) == (409, "TOO_MANY_API_KEYS")
    await h.client.delete(f"/v1/api-keys/{ids[0]}", headers=user.headers)
    assert (await create_key_response(h, user)).status_code == 201


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
        yield harness


async def test_the_lifecycle_on_each_database(db_h: Harness) -> None:
    user = await make_user(db_h, "ray@example.com")
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
    query = f"timestamp={clock_ms(db_h)}"
    signed = SignedRequest(query.encode(), sign(created.secret, query), clock_ms(db_h))
    owner = await service.verify_api_key_request(
        ctx, api_key=created.id, signed=signed, ip="2001:db8::1"
    )
    assert owner == (user.id, frozenset({"user"}), ("read", "trade"), False)  # not verified
    db_h.clock.advance(61)
    [view] = await service.list_api_keys(ctx, user_id=user.id)
    assert view.last_used_at is not None
    assert view.ip_allow_list == ("2001:db8::/32",)
    await service.revoke_api_key(ctx, user_id=user.id, key_id=created.id)
    await service.revoke_api_key(ctx, user_id=user.id, key_id=created.id)
    assert await service.list_api_keys(ctx, user_id=user.id) == []
