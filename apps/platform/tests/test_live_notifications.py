"""Live in-app notifications over the gateway's Socket.IO edge.

Embedded: the whole platform served by uvicorn; a user signs in over HTTP, opens a
Socket.IO connection with their access token, and a ``SEND_NOTIFICATION`` on the
platform's bus reaches their socket as a ``notification`` event (and nobody else's).
Distributed: a gateway process subscribed to real Kafka (``subscribe_gateway``, a
consumer group of its own) pushes a ``notification.in_app.created`` published there.
"""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import socketio

from burency_common.bus import KafkaBus
from burency_common.bus.kafka import KafkaConsumerSettings
from burency_common.events import SEND_NOTIFICATION, SendNotification, default_registry
from burency_common.events.notifications import (
    NOTIFICATION_IN_APP_CREATED,
    NotificationInAppCreated,
)
from burency_common.ids import new_id
from burency_common.timeutil import utc_now
from burency_common.tokens import KeyRing, SigningKey, TokenType, issue_token
from burency_gateway.app import build_gateway
from burency_gateway.component import subscribe_gateway
from burency_gateway.security import LocalKeySource
from burency_gateway.settings import GatewaySettings
from burency_platform.embedded import Platform, build_platform
from burency_platform.settings import PlatformSettings
from burency_testing.uvicorn_task import serving

PASSWORD = "a perfectly long pass phrase"


async def socket_for(url: str, token: str) -> tuple[socketio.AsyncClient, asyncio.Queue[Any]]:
    client = socketio.AsyncClient()
    received: asyncio.Queue[Any] = asyncio.Queue()

    async def on_notification(data: Any) -> None:
        await received.put(data)

    client.on("notification", on_notification)
    await client.connect(url, auth={"token": token}, wait_timeout=10)
    return client, received


async def sign_in(http: httpx.AsyncClient, email: str) -> tuple[str, str]:
    """Register and log in through the gateway; returns (user id, access token)."""
    registered = await http.post(
        "/api/auth/v1/register", json={"email": email, "password": PASSWORD}
    )
    assert registered.status_code == 202, registered.text
    login = await http.post("/api/auth/v1/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    token = str(login.json()["accessToken"])
    claims = token.split(".")[1]
    subject = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["sub"]
    return str(subject), token


async def notify(platform: Platform, user: str, symbol: str) -> str:
    """A price alert for ``user`` as another service would send it; returns its id."""
    command = SendNotification(
        notification_id=new_id(),
        event="price.alert",
        user_ids=[user],
        data={"symbol": symbol, "price": "70000"},
        channels=["in_app"],
    )
    registry = default_registry()
    await platform.bus.publish(
        registry.build(command, event_type=SEND_NOTIFICATION, producer="trading")
    )
    return command.notification_id


async def next_item(inbox: asyncio.Queue[Any], notification_id: str, refuse: str = "") -> Any:
    """The pushed item of ``notification_id`` (others, e.g. the welcome, are passed over)."""
    async with asyncio.timeout(15):
        while True:
            pushed = await inbox.get()
            assert pushed["notificationId"] != refuse, "another user's item was pushed here"
            if pushed["notificationId"] == notification_id:
                return pushed


async def test_a_new_in_app_notification_reaches_the_users_socket(
    tmp_path: Path, settings_factory: Any
) -> None:
    platform = build_platform(settings_factory(PlatformSettings, data_dir=tmp_path / "var"))
    async with serving(platform) as url, httpx.AsyncClient(base_url=url) as http:
        layla, layla_token = await sign_in(http, "layla@example.com")
        omar, omar_token = await sign_in(http, "omar@example.com")
        layla_socket, layla_inbox = await socket_for(url, layla_token)
        omar_socket, omar_inbox = await socket_for(url, omar_token)
        try:
            alert = await notify(platform, layla, "BTC-USDT")
            pushed = await next_item(layla_inbox, alert)
            feed = await http.get(
                "/api/notifications/v1/notifications",
                headers={"Authorization": f"Bearer {layla_token}"},
            )
            [item] = [i for i in feed.json()["items"] if i["id"] == pushed["id"]]
            # the socket carries the conventional milliseconds; the feed API (not ours)
            # currently prints microseconds: compare the instant to the millisecond
            assert pushed["createdAt"][:23] == item["createdAt"][:23]
            assert pushed["link"] == item["link"] == "/trade/BTC-USDT"  # what the item opens
            assert pushed == {**item, "notificationId": alert,
                              "createdAt": pushed["createdAt"]}  # fmt: skip
            assert "BTC-USDT" in pushed["title"] + pushed["body"]
            # Omar's socket only ever gets Omar's items: his own alert arrives, Layla's never
            omars = await notify(platform, omar, "ETH-USDT")
            await next_item(omar_inbox, omars, refuse=alert)
        finally:
            await layla_socket.disconnect()
            await omar_socket.disconnect()


@pytest.mark.kafka
async def test_a_gateway_process_pushes_items_from_kafka(
    kafka_bootstrap: str, kafka_topic_prefix: str, settings_factory: Any
) -> None:
    keys = KeyRing(SigningKey.generate())
    gateway = build_gateway(
        settings_factory(GatewaySettings), services={}, key_source=LocalKeySource(keys.resolve)
    )
    fast = KafkaConsumerSettings(session_timeout_ms=6000, heartbeat_interval_ms=1000)
    bus = KafkaBus(
        kafka_bootstrap,
        client_id="gateway-live-it",
        consumer_settings=fast,
        topic_prefix=kafka_topic_prefix,
    )
    # per-process groups, as without Redis; a name of this run's own, so runs sharing the
    # broker never join one group (a real gateway's name is stable across its restarts)
    subscribe_gateway(bus, gateway, shared_store=False, instance_id=f"it-{new_id()}")
    user = f"user-{new_id()}"
    token = issue_token(
        keys, subject=user, token_type=TokenType.ACCESS, issuer="burency-auth",
        audience="burency", ttl=timedelta(minutes=5), now=utc_now(),
        claims={"roles": ["user"], "sid": "s1"},
    )  # fmt: skip
    await bus.start()
    try:
        await bus.wait_until_assigned(timeout=60)
        async with serving(gateway.app) as url:
            client, inbox = await socket_for(url, token)
            try:
                item = NotificationInAppCreated(
                    user_id=user, id=new_id(), notification_id=new_id(), event="kyc.approved",
                    title="Verification approved", body="You are now at level 2",
                    created_at=datetime(2026, 11, 26, 12, 0, 0, 123456, tzinfo=UTC), link="/kyc",
                )  # fmt: skip
                await bus.publish(
                    default_registry().build(
                        item, event_type=NOTIFICATION_IN_APP_CREATED, producer="notifications"
                    )
                )
                pushed = await asyncio.wait_for(inbox.get(), timeout=30)
            finally:
                await client.disconnect()
    finally:
        await bus.stop()
    assert pushed == {
        "id": item.id, "notificationId": item.notification_id, "event": "kyc.approved",
        "title": "Verification approved", "body": "You are now at level 2",
        "createdAt": "2026-11-26T12:00:00.123Z", "readAt": None, "link": "/kyc",
    }  # fmt: skip
