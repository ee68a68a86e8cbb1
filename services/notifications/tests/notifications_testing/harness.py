"""Test harness: the real service (started: migrations + delivery worker) behind httpx's
ASGI transport, an in-memory bus (or a given KafkaBus), helpers to publish commands
and read the delivery log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import select
from starlette.types import ASGIApp

from burency_common.bus import EventBus, InMemoryBus
from burency_common.events import (
    SEND_NOTIFICATION,
    USER_REGISTERED,
    EventEnvelope,
    SendNotification,
    UserRegistered,
    default_registry,
)
from burency_common.identity import Identity
from burency_common.ids import new_id
from burency_notifications.adapters.orm import deliveries
from burency_notifications.component import NotificationsComponent, build_component
from burency_notifications.settings import NotificationsSettings
from burency_testing.service_harness import HarnessParts, RunningService, ServiceHarness
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
class Harness(ServiceHarness[NotificationsComponent]):
    def headers(  # type: ignore[override]
        self, user_id: str, roles: frozenset[str] = frozenset({"user"})
    ) -> dict[str, str]:
        return self.identity_headers(Identity(user_id=user_id, roles=roles))

    async def call(  # type: ignore[override]
        self, method: str, path: str, user_id: str, **kw: Any
    ) -> httpx.Response:
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


class running_harness(RunningService[NotificationsComponent, Harness]):  # noqa: N801 - used like a function
    """``async with running_harness(settings) as h``: build, subscribe, start, serve, stop.

    The component starts before the bus and stops after it; requests go through the
    lifespan manager's app.
    """

    base_url = "http://notifications"
    start_bus_first = False
    stop_bus_last = False

    def __init__(
        self,
        settings: NotificationsSettings,
        bus: EventBus | None = None,
        group: str = "notifications",
    ) -> None:
        super().__init__(bus or InMemoryBus(), group)
        self.settings = settings

    def build(self, identity_secret: bytes) -> NotificationsComponent:
        return build_component(self.settings, identity_secret=identity_secret)

    def make_harness(self, parts: HarnessParts[NotificationsComponent]) -> Harness:
        return Harness(**parts)

    def served_app(self) -> ASGIApp:
        app: ASGIApp = self.lifespan.app
        return app
