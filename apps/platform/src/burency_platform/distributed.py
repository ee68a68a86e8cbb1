"""``burency serve <service>``: one service alone, on PostgreSQL and Kafka (distributed mode)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from starlette.types import Receive, Scope, Send

from burency_common.bus import EventBus, KafkaBus
from burency_common.component import ServiceComponent
from burency_common.errors import ConfigurationError
from burency_common.events import EventEnvelope, default_registry
from burency_common.events.auth import AUTH_TOKENS_REVOKED
from burency_common.events.notifications import NOTIFICATION_IN_APP_CREATED
from burency_common.ids import new_id
from burency_gateway.app import Gateway
from burency_gateway.live import push_in_app_item
from burency_gateway.security import apply_revocation_event

__all__ = [
    "ServedComponent",
    "ServedGateway",
    "kafka_bus",
    "subscribe_gateway",
    "subscribe_live_notifications",
]


def kafka_bus(bootstrap: str | None, *, client_id: str, topic_prefix: str = "") -> EventBus:
    """The distributed bus; a missing ``BURENCY_KAFKA_BOOTSTRAP`` stops start-up loudly."""
    if not bootstrap:
        raise ConfigurationError(
            "distributed mode needs BURENCY_KAFKA_BOOTSTRAP (the Kafka bootstrap servers)"
        )
    return KafkaBus(bootstrap, client_id=client_id, topic_prefix=topic_prefix)


@dataclass
class ServedComponent:
    """An ASGI app running one component: its lifespan starts the bus and the component."""

    component: ServiceComponent
    bus: EventBus

    def __post_init__(self) -> None:
        self.component.subscribe(self.bus)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            async with self.running():
                await self.component.app(scope, receive, send)
            return
        await self.component.app(scope, receive, send)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        await self.bus.start()
        try:
            await self.component.start(self.bus)
            try:
                yield
            finally:
                await self.component.stop()
        finally:
            await self.bus.stop()


def subscribe_gateway(bus: EventBus, gateway: Gateway, *, shared_store: bool = True) -> None:
    """What the gateway consumes: revocations, so revoked tokens are refused at once.

    With a shared (Redis) revocation store one consumer group feeds every gateway; with
    per-process memory stores each gateway needs every event, so each gets its own group.
    """

    async def on_revoked(envelope: EventEnvelope) -> None:
        await apply_revocation_event(gateway.revocations, envelope)

    group = "gateway" if shared_store else f"gateway-{new_id()}"
    bus.subscribe(AUTH_TOKENS_REVOKED, group=group, handler=on_revoked)
    subscribe_live_notifications(bus, gateway, shared_store=shared_store)


def subscribe_live_notifications(bus: EventBus, gateway: Gateway, *, shared_store: bool) -> None:
    """New in-app notifications pushed to the user's Socket.IO room (``notification``).

    Without Redis each gateway process holds only its own sockets, so each needs every
    event (a consumer group per process). With Redis the Socket.IO manager fans one
    emit out to every process, so one group for all of them sends each item once.
    """
    registry = default_registry()

    async def on_in_app_created(envelope: EventEnvelope) -> None:
        await push_in_app_item(gateway.realtime, registry, envelope)

    group = "gateway-live" if shared_store else f"gateway-live-{new_id()}"
    bus.subscribe(NOTIFICATION_IN_APP_CREATED, group=group, handler=on_in_app_created)


@dataclass
class ServedGateway:
    """The gateway alone, with its bus consumer running for the process's lifetime."""

    gateway: Gateway
    bus: EventBus

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.bus.start()
            try:
                await self.gateway.app(scope, receive, send)
            finally:
                await self.bus.stop()
            return
        await self.gateway.app(scope, receive, send)
