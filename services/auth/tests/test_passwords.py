"""Changing and resetting passwords."""

from __future__ import annotations

from datetime import timedelta

from .auth_testing.harness import PASSWORD, Harness
from .auth_testing.links import link_token

NEW = "a brand new passphrase"


async def _refresh_code(harness: Harness, token: str) -> tuple[int, str | None]:
    response = await harness.client.post("/v1/token/refresh", json={"refreshToken": token})
    return response.status_code, response.json().get("code")


async def test_change_password_keeps_this_session_and_ends_the_others(harness: Harness) -> None:
    await harness.register("pam@example.com")
    here = await harness.signed_in("pam@example.com")
    there = await harness.signed_in("pam@example.com")
    wrong = await harness.client.post(
        "/v1/password",
        json={"currentPassword": "not my password", "newPassword": NEW},
        headers=harness.headers_for(here),
    )
    assert (wrong.status_code, wrong.json()["code"]) == (403, "INVALID_PASSWORD")
    ok = await harness.client.post(
        "/v1/password",
        json={"currentPassword": PASSWORD, "newPassword": NEW},
        headers=harness.headers_for(here),
    )
    assert ok.status_code == 204
    assert (await _refresh_code(harness, here["refreshToken"]))[0] == 200
    assert await _refresh_code(harness, there["refreshToken"]) == (401, "REFRESH_TOKEN_REVOKED")
    assert (await harness.login("pam@example.com", NEW)).status_code == 200
    assert (await harness.login("pam@example.com")).status_code == 401


async def _reset_token(harness: Harness, email: str) -> str:
    user_id = await harness.register(email)
    response = await harness.client.post("/v1/password-reset", json={"email": email})
    assert response.status_code == 202
    notes = await harness.notifications("auth.password_reset", user_id)
    return link_token(notes[-1])


async def test_reset_request_answers_the_same_for_unknown_addresses(harness: Harness) -> None:
    await harness.register("quinn@example.com")
    known = await harness.client.post("/v1/password-reset", json={"email": "quinn@example.com"})
    unknown = await harness.client.post("/v1/password-reset", json={"email": "zed@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert len(await harness.notifications("auth.password_reset")) == 1


async def test_reset_token_works_once_and_ends_every_session(harness: Harness) -> None:
    token = await _reset_token(harness, "rob@example.com")
    session = await harness.signed_in("rob@example.com")
    ok = await harness.client.post(
        "/v1/password-reset/confirm", json={"token": token, "newPassword": NEW}
    )
    assert ok.status_code == 204
    reused = await harness.client.post(
        "/v1/password-reset/confirm", json={"token": token, "newPassword": NEW + "!"}
    )
    assert (reused.status_code, reused.json()["code"]) == (400, "TOKEN_ALREADY_USED")
    assert await _refresh_code(harness, session["refreshToken"]) == (401, "REFRESH_TOKEN_REVOKED")
    assert (await harness.login("rob@example.com", NEW)).status_code == 200


async def test_reset_token_expires_after_30_minutes(harness: Harness) -> None:
    token = await _reset_token(harness, "sam@example.com")
    harness.clock.advance(timedelta(minutes=30, seconds=1))
    response = await harness.client.post(
        "/v1/password-reset/confirm", json={"token": token, "newPassword": NEW}
    )
    assert (response.status_code, response.json()["code"]) == (400, "ONE_TIME_TOKEN_EXPIRED")


async def test_password_checks_of_signed_in_users_are_throttled(harness: Harness) -> None:
    await harness.register("tia@example.com")
    headers = harness.headers_for(await harness.signed_in("tia@example.com"))
    body = {"currentPassword": "guess guess guess", "newPassword": NEW}
    for _ in range(5):
        wrong = await harness.client.post("/v1/password", json=body, headers=headers)
        assert wrong.json()["code"] == "INVALID_PASSWORD"
    sixth = await harness.client.post("/v1/password", json=body, headers=headers)
    assert (sixth.status_code, sixth.json()["code"]) == (429, "LOGIN_THROTTLED")
