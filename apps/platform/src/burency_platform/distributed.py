"""``burency serve <service>``: one service alone, on PostgreSQL and Kafka (distributed mode)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from starlette.types import Receive, Scope, Send

from burency_common.bus import EventBus, KafkaBus
from burency_common.component import ServiceComponent
from burency_common.errors import ConfigurationError
from burency_common.events import EventEnvelope
from burency_common.events.auth import AUTH_TOKENS_REVOKED
from burency_common.ids import new_id
from burency_gateway.app import Gateway
from burency_gateway.security import apply_revocation_event

__all__ = ["ServedComponent", "ServedGateway", "kafka_bus", "subscribe_gateway"]


def kafka_bus(bootstrap: str | None, *, client_id: str) -> EventBus:
    """The distributed bus; a missing ``BURENCY_KAFKA_BOOTSTRAP`` stops start-up loudly."""
    if not bootstrap:
        raise ConfigurationError(
            "distributed mode needs BURENCY_KAFKA_BOOTSTRAP (the Kafka bootstrap servers)"
        )
    return KafkaBus(bootstrap, client_id=client_id)


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
