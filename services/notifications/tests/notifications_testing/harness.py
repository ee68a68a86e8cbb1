"""Test harness: the real service (started: migrations + delivery worker) behind httpx's
ASGI transport, an in-memory bus (or a given KafkaBus), helpers to publish commands
and read the delivery log."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import select

from burency_common.bus import EventBus, InMemoryBus
from burency_common.events import (
    SEND_NOTIFICATION,
    USER_REGISTERED,
    EventEnvelope,
    SendNotification,
    UserRegistered,
    default_registry,
)
from burency_common.identity import IDENTITY_HEADER, Identity, sign_identity
from burency_common.ids import new_id
from burency_common.timeutil import utc_now
from burency_notifications.adapters.orm import deliveries
from burency_notifications.component import NotificationsComponent, build_component
from burency_notifications.settings import NotificationsSettings
from burency_testing.waiting import eventually


def registered_event(user_id: str, email: str) -> EventEnvelope:
    payload = UserRegistered(user_id=user_id, email=email, created_at=datetime.now(UTC))
    return default_registry().build(payload, event_type=USER_REGISTERED, producer="auth")


def command(event: str, user_ids: list[str], **kwargs: Any) -> EventEnvelope:
    payload = SendNotification(
        notification_id=kwargs.pop("notification_id", new_id()),
        event=event,
        user_ids=user_ids,
        **kwargs,
    )
    return default_registry().build(payload, event_type=SEND_NOTIFICATION, producer="test")


@dataclass
class Harness:
    component: NotificationsComponent
    client: httpx.AsyncClient
    bus: EventBus

    def headers(self, user_id: str, roles: frozenset[str] = frozenset({"user"})) -> dict[str, str]:
        identity = Identity(user_id=user_id, roles=roles)
        secret = self.component.app.state.identity_secret
        return {IDENTITY_HEADER: sign_identity(identity, secret=secret, now=utc_now())}

    async def call(self, method: str, path: str, user_id: str, **kw: Any) -> httpx.Response:
        return await self.client.request(method, path, headers=self.headers(user_id), **kw)

    async def register(self, email: str = "someone@example.com") -> str:
        user_id = new_id()
        await self.bus.publish(registered_event(user_id, email))
        return user_id

    async def deliveries(self, notification_id: str) -> dict[str, Any]:
        """The delivery log rows of one notification, by ``(user_id, channel)``."""
        query = select(deliveries).where(deliveries.c.notification_id == notification_id)
        async with self.component.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return {(r.user_id, r.channel): r for r in rows}

    async def settled(self, notification_id: str, count: int) -> dict[str, Any]:
        """Wait until ``count`` rows exist and none is queued any more."""

        async def done() -> bool:
            rows = await self.deliveries(notification_id)
            return len(rows) == count and all(r.status != "queued" for r in rows.values())

        await eventually(done, f"deliveries of {notification_id}")
        return await self.deliveries(notification_id)


class running_harness:  # noqa: N801 - used like a function
    """``async with running_harness(settings) as h``: build, subscribe, start, serve, stop."""

    def __init__(
        self,
        settings: NotificationsSettings,
        bus: EventBus | None = None,
        group: str = "notifications",
    ) -> None:
        self.settings = settings
        self.bus = bus or InMemoryBus()
        self.group = group

    async def __aenter__(self) -> Harness:
        self.component = build_component(self.settings, identity_secret=secrets.token_bytes(32))
        self.component.subscribe(self.bus, group=self.group)
        await self.component.start(self.bus)
        await self.bus.start()
        self.lifespan = LifespanManager(self.component.app)
        await self.lifespan.__aenter__()
        transport = httpx.ASGITransport(app=self.lifespan.app)
        self.client = httpx.AsyncClient(transport=transport, base_url="http://notifications")
        return Harness(component=self.component, client=self.client, bus=self.bus)

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()
        await self.lifespan.__aexit__(None, None, None)
        await self.bus.stop()
        await self.component.stop()
