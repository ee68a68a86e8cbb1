"""``burency serve <service>`` for the services: one component alone, on its bus.

A restarted process should be ready quickly (an orchestrator restarting a killed
service waits for it), so this module imports nothing of any service at import time:
:func:`build_served_component` imports only the package of the service it serves. The
gateway, which needs the gateway package and the bus subscriptions, is in
:mod:`burency_platform.distributed`.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from starlette.types import Receive, Scope, Send

from burency_common.bus import EventBus, KafkaBus, KafkaConsumerSettings
from burency_common.component import ServiceComponent
from burency_common.config import BurencySettings, load_settings
from burency_common.errors import ConfigurationError
from burency_common.realtime_redis import RedisRealtimePublisher
from burency_platform.lifespan import serve_lifespan

__all__ = [
    "REALTIME_PUBLISHERS",
    "SERVED_SERVICES",
    "ServedComponent",
    "build_served_component",
    "kafka_bus",
]

SERVED_SERVICES = {
    # service: the settings class in burency_<service>.settings
    "auth": "AuthSettings",
    "users": "UsersSettings",
    "files": "FilesSettings",
    "notifications": "NotificationsSettings",
    "banking": "BankingSettings",
    "trading": "TradingSettings",
}


REALTIME_PUBLISHERS = frozenset({"trading"})
"""Services whose ``build_component`` takes ``realtime=`` (a ``RealtimePublisher``)."""


def build_served_component(service: str) -> ServiceComponent:
    """Build ``service`` from its own settings, importing that service's package only.

    A service that publishes to Socket.IO rooms does so through Redis
    (``BURENCY_REDIS_URL``), which every gateway process listens to; without Redis it
    publishes nothing (its clients still have the REST API). The publisher's
    connection lives as long as the process.
    """
    settings_class: type[BurencySettings] = getattr(
        importlib.import_module(f"burency_{service}.settings"), SERVED_SERVICES[service]
    )
    build = importlib.import_module(f"burency_{service}.component").build_component
    settings = load_settings(settings_class)
    options: dict[str, Any] = {}
    if service in REALTIME_PUBLISHERS and settings.redis_url:
        options["realtime"] = RedisRealtimePublisher(settings.redis_url)
    component: ServiceComponent = build(settings, **options)
    return component


def kafka_bus(
    bootstrap: str | None, *, client_id: str, topic_prefix: str = "", instance_id: str | None = None
) -> EventBus:
    """The distributed bus; a missing ``BURENCY_KAFKA_BOOTSTRAP`` stops start-up loudly.
    ``instance_id`` (``BURENCY_KAFKA_INSTANCE_ID``) makes its consumers static members."""
    if not bootstrap:
        raise ConfigurationError(
            "distributed mode needs BURENCY_KAFKA_BOOTSTRAP (the Kafka bootstrap servers)"
        )
    consumers = KafkaConsumerSettings(instance_id=instance_id)
    return KafkaBus(
        bootstrap, client_id=client_id, topic_prefix=topic_prefix, consumer_settings=consumers
    )


@dataclass
class ServedComponent:
    """An ASGI app running one component: its lifespan starts the bus and the component."""

    component: ServiceComponent
    bus: EventBus

    def __post_init__(self) -> None:
        self.component.subscribe(self.bus)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await serve_lifespan(self.component.app, self.running, scope, receive, send)
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
