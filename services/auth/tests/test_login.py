"""Signing in: tokens, generic errors, disabled accounts, throttling, rehashing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from burency_auth.adapters.hasher import Argon2Hasher
from burency_auth.adapters.orm import sessions, users
from burency_common.identity import Identity

from .auth_testing.harness import PASSWORD, Harness


async def test_login_returns_a_verifiable_access_token_and_a_refresh_token(
    harness: Harness,
) -> None:
    user_id = await harness.register("ann@example.com")
    response = await harness.login("ann@example.com")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["tokenType"] == "Bearer"
    assert body["expiresIn"] == 900
    token = harness.verify(body["accessToken"])
    assert token.subject == user_id
    assert token.claims["roles"] == ["user"]
    assert token.claims["iss"] == "burency-auth"
    assert token.claims["aud"] == "burency"
    assert token.claims["exp"] - token.claims["iat"] == 900
    assert token.jti
    assert token.kid == harness.component.keyring.active.kid
    async with harness.component.engine.connect() as conn:
        row = (await conn.execute(select(sessions))).mappings().one()
    assert row["id"] == token.claims["sid"]
    assert row["ip"] == "198.51.100.7", "the LAST X-Forwarded-For entry is the client"
    assert row["device"] == "pytest-browser/1.0"
    notes = await harness.notifications("auth.new_login", user_id)
    assert notes[0]["data"]["ip"] == "198.51.100.7"


async def test_unknown_email_and_wrong_password_look_the_same(harness: Harness) -> None:
    await harness.register("ben@example.com")
    unknown = await harness.login("nobody@example.com")
    wrong = await harness.login("ben@example.com", "not the password at all")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json()["code"] == wrong.json()["code"] == "INVALID_CREDENTIALS"
    assert unknown.json()["detail"] == wrong.json()["detail"]


async def test_disabled_account_is_refused_only_after_the_right_password(
    harness: Harness,
) -> None:
    user_id = await harness.register("cid@example.com")
    async with harness.component.engine.begin() as conn:
        await conn.execute(
            users.update().where(users.c.id == user_id).values(disabled_at=harness.clock.now())
        )
    wrong = await harness.login("cid@example.com", "not the password at all")
    assert (wrong.status_code, wrong.json()["code"]) == (401, "INVALID_CREDENTIALS")
    right = await harness.login("cid@example.com")
    assert (right.status_code, right.json()["code"]) == (403, "ACCOUNT_DISABLED")


async def test_sixth_wrong_password_from_one_ip_is_throttled_but_not_another_ip(
    harness: Harness,
) -> None:
    await harness.register("dan@example.com")
    for _ in range(5):
        response = await harness.login("dan@example.com", "wrong password!", ip="203.0.113.1")
        assert response.status_code == 401
    sixth = await harness.login("dan@example.com", "wrong password!", ip="203.0.113.1")
    assert sixth.status_code == 429
    assert sixth.json()["code"] == "LOGIN_THROTTLED"
    assert 1 <= int(sixth.headers["retry-after"]) <= 900
    right_same_ip = await harness.login("dan@example.com", ip="203.0.113.1")
    assert right_same_ip.status_code == 429
    right_other_ip = await harness.login("dan@example.com", ip="192.0.2.50")
    assert right_other_ip.status_code == 200
    harness.clock.advance(minutes=15, seconds=1)
    assert (await harness.login("dan@example.com", ip="203.0.113.1")).status_code == 200


async def test_account_wide_limit_spares_known_addresses(
    make_settings: object, clock: object
) -> None:
    from .auth_testing.harness import running_harness

    settings = make_settings(login_max_failures_per_account=3)  # type: ignore[operator]
    async with running_harness(settings, clock) as h:  # type: ignore[arg-type]
        await h.register("eli@example.com")
        assert (await h.login("eli@example.com", ip="192.0.2.1")).status_code == 200
        for n in range(3):
            await h.login("eli@example.com", "wrong password!", ip=f"203.0.113.{n}")
        stranger = await h.login("eli@example.com", ip="203.0.113.99")
        assert (stranger.status_code, stranger.json()["code"]) == (429, "LOGIN_THROTTLED")
        assert (await h.login("eli@example.com", ip="192.0.2.1")).status_code == 200


async def test_login_rehashes_when_argon2_parameters_change(harness: Harness) -> None:
    user_id = await harness.register("fay@example.com")
    stronger = Argon2Hasher(time_cost=2, memory_cost_kib=128, parallelism=1)
    harness.component.context.hasher = stronger
    assert (await harness.login("fay@example.com")).status_code == 200
    async with harness.component.engine.connect() as conn:
        stored = await conn.scalar(select(users.c.password_hash).where(users.c.id == user_id))
    assert stored.startswith("$argon2id$v=19$m=128,t=2,p=1$")
    assert not stronger.needs_rehash(stored)


async def test_default_hasher_uses_owasp_minimum_parameters() -> None:
    hasher = Argon2Hasher(time_cost=2, memory_cost_kib=19456, parallelism=1)
    stored = await hasher.hash(PASSWORD)
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert await hasher.verify(stored, PASSWORD)
    assert not await hasher.verify(stored, PASSWORD + "!")


def test_settings_default_to_owasp_argon2_parameters(make_settings: object) -> None:
    from burency_auth.settings import AuthSettings

    fields = AuthSettings.model_fields
    assert fields["argon2_memory_cost_kib"].default == 19456
    assert fields["argon2_time_cost"].default == 2
    assert fields["argon2_parallelism"].default == 1


@pytest.mark.parametrize("path", ["/v1/sessions", "/v1/logout"])
async def test_user_endpoints_need_an_identity(harness: Harness, path: str) -> None:
    method = "GET" if path == "/v1/sessions" else "POST"
    response = await harness.client.request(method, path)
    assert response.status_code == 401
    forged = harness.identity_headers(Identity(user_id="x"))
    forged[next(iter(forged))] += "A"
    bad = await harness.client.request(method, path, headers=forged)
    assert (bad.status_code, bad.json()["code"]) == (401, "INVALID_IDENTITY_HEADER")
