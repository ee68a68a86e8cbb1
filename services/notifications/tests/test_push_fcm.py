"""Push through our real FCM HTTP v1 client to a local server speaking FCM's wire format
(OAuth2 token exchange with a verified RS256 assertion included): per-device fan-out,
preferences, provider ids, transient retries honouring Retry-After, pruning of dead
tokens, access-token refresh, and the error mapping."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import select

from burency_notifications.adapters.orm import push_sends
from burency_notifications.adapters.push import (
    FcmClient,
    PushMessage,
    PushPermanentError,
    PushTokenInvalid,
    PushTransientError,
    ServiceAccount,
)
from burency_notifications.adapters.push.fcm import classify
from burency_notifications.settings import NotificationsSettings

from .notifications_testing.harness import Harness, command, running_harness
from .notifications_testing.push_env import Fcm, add_device, device_ids, fcm_token, local_fcm


@pytest.fixture
async def fcm() -> AsyncIterator[Fcm]:
    async with local_fcm() as server:
        yield server


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def push_harness(
    request: pytest.FixtureRequest,
    fcm: Fcm,
    make_settings: Callable[..., NotificationsSettings],
    postgres_database_factory: Callable[..., str],
) -> AsyncIterator[Harness]:
    overrides: dict[str, Any] = fcm.settings()
    if request.param == "postgres":
        overrides["database_url"] = postgres_database_factory()
    async with running_harness(make_settings(**overrides)) as h:
        yield h


async def _sends(h: Harness, delivery_id: str) -> dict[str, Any]:
    query = select(push_sends).where(push_sends.c.delivery_id == delivery_id)
    async with h.component.engine.connect() as conn:
        return {r.device_id: r for r in await conn.execute(query)}


async def test_command_pushes_to_each_device_per_preferences(
    push_harness: Harness, fcm: Fcm
) -> None:
    h = push_harness
    alice, bob = await h.register("alice@example.com"), await h.register("bob@example.com")
    a1, a2, b1 = fcm_token("a1"), fcm_token("a2"), fcm_token("b1")
    await add_device(h, alice, a1)
    await add_device(h, alice, a2, platform="ios")
    await add_device(h, bob, b1)
    off = {"items": [{"event": "deposit.credited", "channel": "push", "enabled": False}]}
    assert (await h.call("PUT", "/v1/preferences", bob, json=off)).status_code == 200

    note = command(
        "deposit.credited", [alice, bob], data={"amount": "1.5", "asset": "BTC"}, channels=["push"]
    )
    await h.bus.publish(note)
    notification_id = note.payload["notification_id"]
    rows = await h.settled(notification_id, 2)

    assert rows[(alice, "push")].status == "sent"
    assert rows[(bob, "push")].status == "skipped_by_preference"
    assert sorted(fcm.tokens_received()) == sorted([a1, a2])
    message = fcm.server.received[0]
    assert message["notification"]["title"]
    assert "1.5" in message["notification"]["body"]
    assert message["android"]["collapse_key"] == notification_id
    assert message["apns"]["headers"]["apns-collapse-id"] == notification_id
    assert len(message["webpush"]["headers"]["Topic"]) <= 32
    assert message["data"] == {
        "notificationId": notification_id,
        "event": "deposit.credited",
        "userId": alice,
    }
    sends = await _sends(h, rows[(alice, "push")].id)
    assert {s.status for s in sends.values()} == {"sent"}
    assert len(sends) == 2
    assert all(s.provider_id.startswith("projects/burency-test/messages/") for s in sends.values())
    assert fcm.server.token_requests == 1  # one exchange, cached for both sends


async def test_transient_failure_is_retried_after_retry_after(
    push_harness: Harness, fcm: Fcm
) -> None:
    h = push_harness
    user = await h.register("t@example.com")
    first, second = fcm_token("t1"), fcm_token("t2")
    await add_device(h, user, first)
    await add_device(h, user, second)
    fcm.server.fail_next.append((503, "UNAVAILABLE", "UNAVAILABLE", 1))

    note = command(
        "price.alert", [user], data={"symbol": "BTCUSDT", "price": "100"}, channels=["push"]
    )
    started = h.component.context.clock.now()
    await h.bus.publish(note)
    rows = await h.settled(note.payload["notification_id"], 1)

    row = rows[(user, "push")]
    assert row.status == "sent"
    assert row.attempts == 2
    # each device got it exactly once: the retry only went to the device that failed
    assert sorted(fcm.tokens_received()) == sorted([first, second])
    assert (row.updated_at - started).total_seconds() >= 1.0  # Retry-After: 1 honoured


async def test_unregistered_token_is_pruned_and_recorded_once(
    push_harness: Harness, fcm: Fcm
) -> None:
    h = push_harness
    user = await h.register("u@example.com")
    dead, alive = fcm_token("dead"), fcm_token("alive")
    dead_id = await add_device(h, user, dead)
    alive_id = await add_device(h, user, alive)
    fcm.server.unregistered.add(dead)

    first = command(
        "price.alert", [user], data={"symbol": "ETHUSDT", "price": "1"}, channels=["push"]
    )
    await h.bus.publish(first)
    rows = await h.settled(first.payload["notification_id"], 1)
    assert rows[(user, "push")].status == "sent"
    sends = await _sends(h, rows[(user, "push")].id)
    assert sends[dead_id].status == "failed"
    assert "UNREGISTERED" in sends[dead_id].last_error
    assert sends[alive_id].status == "sent"
    assert await device_ids(h, user) == [alive_id]
    listed = (await h.call("GET", "/v1/devices", user)).json()["items"]
    assert [d["id"] for d in listed] == [alive_id]

    second = command(
        "price.alert", [user], data={"symbol": "ETHUSDT", "price": "2"}, channels=["push"]
    )
    await h.bus.publish(second)
    await h.settled(second.payload["notification_id"], 1)
    assert fcm.server.send_requests == 3  # the dead token was tried once, never again
    assert fcm.tokens_received() == [alive, alive]


async def test_all_devices_dead_fails_the_delivery(push_harness: Harness, fcm: Fcm) -> None:
    h = push_harness
    user = await h.register("d@example.com")
    token = fcm_token("bad")
    await add_device(h, user, token)
    fcm.server.invalid.add(token)
    note = command("price.alert", [user], data={"symbol": "X", "price": "1"}, channels=["push"])
    await h.bus.publish(note)
    rows = await h.settled(note.payload["notification_id"], 1)
    assert rows[(user, "push")].status == "failed"
    assert rows[(user, "push")].attempts == 1
    assert await device_ids(h, user) == []


def _client(fcm: Fcm) -> FcmClient:
    return FcmClient(account=ServiceAccount.from_info(fcm.account), base_url=fcm.server.url)


def _message(token: str) -> PushMessage:
    return PushMessage(token=token, title="Hi", body="There", collapse_id="n-1")


async def test_access_token_refreshed_on_401_and_before_expiry(fcm: Fcm) -> None:
    client = _client(fcm)
    try:
        now = [time.time()]
        client.tokens.clock = lambda: now[0]
        assert (await client.send(_message(fcm_token(1)))).startswith("projects/burency-test/")
        assert fcm.server.token_requests == 1
        fcm.server.revoke_all()  # FCM answers 401 with the cached token
        await client.send(_message(fcm_token(2)))
        assert fcm.server.token_requests == 2
        now[0] += 3600 - 30  # within the refresh margin of expiry: exchanged again first
        # (the server checks the assertion's exp against its own clock: still valid)
        await client.send(_message(fcm_token(3)))
        assert fcm.server.token_requests == 3
        assert fcm.server.send_requests == 4  # the 401 cost one extra request, no more
    finally:
        await client.close()


async def test_assertion_signed_with_another_key_is_refused(fcm: Fcm) -> None:
    from burency_testing.fcm_server import make_service_account

    other, _ = make_service_account()
    account = ServiceAccount.from_info({**fcm.account, "private_key": other["private_key"]})
    client = FcmClient(account=account, base_url=fcm.server.url)
    try:
        with pytest.raises(PushTransientError) as caught:
            await client.send(_message(fcm_token(9)))
        assert "invalid_grant" in caught.value.reason
        assert "PRIVATE" not in str(caught.value)
        assert fcm.server.send_requests == 0
    finally:
        await client.close()


def _error(status: int, code: str | None, grpc: str, fields: list[str] | None = None) -> Any:
    details: list[dict[str, Any]] = []
    if code:
        details.append(
            {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code}
        )
    if fields:
        details.append(
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": f, "description": "bad"} for f in fields],
            }
        )
    return {"error": {"code": status, "message": "m", "status": grpc, "details": details}}


@pytest.mark.parametrize(
    ("status", "code", "grpc", "fields", "expected"),
    [
        (404, "UNREGISTERED", "NOT_FOUND", None, PushTokenInvalid),
        (400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", None, PushTokenInvalid),
        (400, None, "INVALID_ARGUMENT", ["message.token"], PushTokenInvalid),
        (400, None, "INVALID_ARGUMENT", ["message.data[0].value"], PushPermanentError),
        (403, "SENDER_ID_MISMATCH", "PERMISSION_DENIED", None, PushPermanentError),
        (401, "THIRD_PARTY_AUTH_ERROR", "UNAUTHENTICATED", None, PushPermanentError),
        (429, "QUOTA_EXCEEDED", "RESOURCE_EXHAUSTED", None, PushTransientError),
        (503, "UNAVAILABLE", "UNAVAILABLE", None, PushTransientError),
        (500, "INTERNAL", "INTERNAL", None, PushTransientError),
        (502, None, "", None, PushTransientError),
    ],
)
def test_error_mapping(
    status: int, code: str | None, grpc: str, fields: list[str] | None, expected: type[Exception]
) -> None:
    error = classify(status, _error(status, code, grpc, fields), {"Retry-After": "7"})
    assert type(error) is expected
    if isinstance(error, PushTransientError):
        assert error.retry_after == 7.0
