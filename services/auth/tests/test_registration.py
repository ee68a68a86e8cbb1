"""Registration and e-mail verification."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from burency_auth.adapters.orm import outbox, users
from burency_common.events import USER_REGISTERED

from .auth_testing.harness import Harness
from .auth_testing.links import link_token


async def test_register_creates_account_event_and_notifications(harness: Harness) -> None:
    user_id = await harness.register("Alice@Example.COM")
    registered = await harness.published(USER_REGISTERED, user_id=user_id)
    assert registered[0].payload["email"] == "Alice@example.com"
    assert registered[0].key == user_id
    welcome = await harness.notifications("auth.welcome", user_id)
    verify = await harness.notifications("auth.verify_email", user_id)
    assert len(welcome) == 1
    assert len(verify) == 1
    assert len(link_token(verify[0])) >= 40


async def test_existing_email_gets_the_same_answer_and_a_warning(harness: Harness) -> None:
    user_id = await harness.register("bob@example.com")
    first = await harness.client.post(
        "/v1/register", json={"email": "bob@example.com", "password": "another good passphrase"}
    )
    again = await harness.client.post(
        "/v1/register", json={"email": "BOB@example.com", "password": "another good passphrase"}
    )
    fresh = await harness.client.post(
        "/v1/register", json={"email": "carol@example.com", "password": "another good passphrase"}
    )
    assert first.status_code == again.status_code == fresh.status_code == 202
    assert first.json() == again.json() == fresh.json()
    assert len(await harness.published(USER_REGISTERED, email="bob@example.com")) == 1
    assert len(await harness.notifications("auth.register_attempt", user_id)) == 2


async def test_register_writes_state_and_events_in_one_transaction(harness: Harness) -> None:
    await harness.register("dora@example.com")
    async with harness.component.engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(users)) == 1
        topics = (await conn.execute(select(outbox.c.topic))).scalars().all()
    assert sorted(topics) == ["SEND_NOTIFICATION", "SEND_NOTIFICATION", "user.registered"]


async def test_weak_password_is_refused_with_its_code(harness: Harness) -> None:
    response = await harness.client.post(
        "/v1/register", json={"email": "eve@example.com", "password": "password"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "PASSWORD_TOO_COMMON"
    assert body["errors"][0]["field"] == "password"
    bad_email = await harness.client.post(
        "/v1/register", json={"email": "not-an-email", "password": "a fine passphrase"}
    )
    assert bad_email.status_code == 422
    assert bad_email.json()["code"] == "INVALID_EMAIL"


async def _verification_token(harness: Harness, email: str) -> str:
    user_id = await harness.register(email)
    notes = await harness.notifications("auth.verify_email", user_id)
    return link_token(notes[0])


async def test_email_verification_token_works_once(harness: Harness) -> None:
    token = await _verification_token(harness, "fred@example.com")
    ok = await harness.client.post("/v1/email-verification", json={"token": token})
    assert ok.status_code == 200
    again = await harness.client.post("/v1/email-verification", json={"token": token})
    assert again.status_code == 400
    assert again.json()["code"] == "TOKEN_ALREADY_USED"
    unknown = await harness.client.post("/v1/email-verification", json={"token": "x" * 43})
    assert unknown.json()["code"] == "INVALID_TOKEN"
    async with harness.component.engine.connect() as conn:
        verified = await conn.scalar(select(users.c.email_verified_at))
    assert verified is not None


async def test_email_verification_token_expires_after_24_hours(harness: Harness) -> None:
    token = await _verification_token(harness, "gina@example.com")
    harness.clock.advance(timedelta(hours=24, seconds=1))
    response = await harness.client.post("/v1/email-verification", json={"token": token})
    assert response.status_code == 400
    assert response.json()["code"] == "ONE_TIME_TOKEN_EXPIRED"


async def test_resend_verification_replaces_the_old_link(harness: Harness) -> None:
    old = await _verification_token(harness, "hal@example.com")
    unknown = await harness.client.post(
        "/v1/email-verification/resend", json={"email": "nobody@example.com"}
    )
    known = await harness.client.post(
        "/v1/email-verification/resend", json={"email": "hal@example.com"}
    )
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()
    notes = await harness.notifications("auth.verify_email")
    assert len(notes) == 2
    tokens = {link_token(n) for n in notes}
    assert old in tokens
    (new,) = tokens - {old}
    stale = await harness.client.post("/v1/email-verification", json={"token": old})
    assert stale.json()["code"] == "TOKEN_ALREADY_USED"
    fresh = await harness.client.post("/v1/email-verification", json={"token": new})
    assert fresh.status_code == 200
