"""Preferences, the in-app feed and the dev outbox over HTTP."""

from __future__ import annotations

from collections.abc import Callable

from burency_notifications.settings import NotificationsSettings

from .notifications_testing.harness import Harness, command, running_harness


async def test_preferences_defaults_and_security_rule(harness: Harness) -> None:
    user = "u-prefs"
    prefs = (await harness.call("GET", "/v1/preferences", user)).json()["items"]
    by_key = {(p["event"], p["channel"]): p for p in prefs}
    assert by_key[("marketing.announcement", "sms")]["enabled"] is False
    fills = {c: by_key[("order.filled", c)]["enabled"] for c in ("in_app", "push", "email", "sms")}
    assert fills == {"in_app": True, "push": True, "email": False, "sms": False}
    assert by_key[("auth.new_login", "email")] == {
        "event": "auth.new_login", "channel": "email", "enabled": True, "required": True,
    }  # fmt: skip
    off = {"items": [{"event": "auth.new_login", "channel": "email", "enabled": False}]}
    response = await harness.call("PUT", "/v1/preferences", user, json=off)
    assert (response.status_code, response.json()["code"]) == (422, "CHANNEL_REQUIRED")
    push_off = {"items": [{"event": "auth.new_login", "channel": "push", "enabled": False}]}
    response = await harness.call("PUT", "/v1/preferences", user, json=push_off)
    assert response.status_code == 200
    assert (await harness.client.get("/v1/preferences")).status_code == 401


async def test_feed_pages_and_read(harness: Harness) -> None:
    user = await harness.register()
    ids = []
    for _ in range(3):
        note = command("auth.welcome", [user], channels=["in_app"])
        await harness.bus.publish(note)
        ids.append(note.payload["notification_id"])
    for notification_id in ids:
        await harness.settled(notification_id, 1)
    first = (await harness.call("GET", "/v1/notifications?limit=2", user)).json()
    assert (len(first["items"]), first["unreadCount"]) == (2, 3)
    cursor = first["nextCursor"]
    second = (await harness.call("GET", f"/v1/notifications?cursor={cursor}", user)).json()
    assert len(second["items"]) == 1
    assert second["nextCursor"] is None
    item = first["items"][0]["id"]
    assert (await harness.call("POST", f"/v1/notifications/{item}/read", user)).status_code == 204
    assert (
        await harness.call("POST", f"/v1/notifications/{item}/read", "other")
    ).status_code == 404
    done = (await harness.call("POST", "/v1/notifications/read-all", user)).json()
    assert done == {"updated": 2}
    after = (await harness.call("GET", "/v1/notifications", user)).json()
    assert after["unreadCount"] == 0


async def test_dev_outbox_embedded_only(
    harness: Harness, make_settings: Callable[..., NotificationsSettings]
) -> None:
    user = await harness.register("dev@example.com")
    note = command("auth.welcome", [user], channels=["email"])
    await harness.bus.publish(note)
    await harness.settled(note.payload["notification_id"], 1)
    refused = await harness.call("GET", "/v1/dev/outbox", user)
    assert refused.status_code == 403, "other users' mails carry their one-time tokens"
    operator = harness.headers("ops", frozenset({"admin"}))
    outbox = (await harness.client.get("/v1/dev/outbox", headers=operator)).json()["items"]
    assert [m["subject"] for m in outbox] == ["Welcome to Burency"]
    distributed = make_settings(
        mode="distributed", identity_secret="s" * 32, email_channel="record"
    )
    async with running_harness(distributed) as other:
        operator = other.headers("ops", frozenset({"admin"}))
        assert (await other.client.get("/v1/dev/outbox", headers=operator)).status_code == 404
