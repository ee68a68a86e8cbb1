"""Finding 5 of issue 13 on the auth side: every credential says whether the account's
address is verified, read from the account when the credential is issued or checked."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from .auth_testing.apikeys import call_verify, clock_ms, create_key, make_user, verify_body
from .auth_testing.harness import Harness


async def _verify_address(h: Harness, user_id: str) -> None:
    [note] = await h.notifications("auth.verify_email", user_id)
    [token] = parse_qs(urlsplit(note["data"]["url"]).query)["token"]  # the e-mailed link
    response = await h.client.post("/v1/email-verification", json={"token": token})
    assert response.status_code == 200, response.text


async def test_refresh_after_verifying_carries_the_new_state(harness: Harness) -> None:
    user_id = await harness.register("ivy@example.com")
    tokens = await harness.signed_in("ivy@example.com")
    assert harness.verify(tokens["accessToken"]).claims["email_verified"] is False
    await _verify_address(harness, user_id)
    refreshed = await harness.client.post(
        "/v1/token/refresh", json={"refreshToken": tokens["refreshToken"]}
    )
    assert refreshed.status_code == 200, refreshed.text
    assert harness.verify(refreshed.json()["accessToken"]).claims["email_verified"] is True
    again = await harness.signed_in("ivy@example.com")
    assert harness.verify(again["accessToken"]).claims["email_verified"] is True


async def test_api_key_owner_answer_follows_the_account(harness: Harness) -> None:
    user = await make_user(harness, "jon@example.com")
    key_id, secret = await create_key(harness, user)
    before = await call_verify(harness, verify_body(key_id, secret, now_ms=clock_ms(harness)))
    assert before.json()["emailVerified"] is False
    await _verify_address(harness, user.id)
    after = await call_verify(harness, verify_body(key_id, secret, now_ms=clock_ms(harness)))
    assert after.status_code == 200, after.text
    assert after.json()["emailVerified"] is True  # the same key, no re-issue needed
