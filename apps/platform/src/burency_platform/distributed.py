"""``burency serve <service>``: one service alone, on PostgreSQL and Kafka (distributed mode)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from starlette.types import Receive, Scope, Send

from burency_common.bus import EventBus, KafkaBus
from burency_common.component import ServiceComponent
from burency_common.errors import ConfigurationError

__all__ = ["ServedComponent", "kafka_bus"]


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
