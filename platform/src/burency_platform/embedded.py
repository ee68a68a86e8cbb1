"""The embedded platform: every service in one process behind the gateway (``burency up``).

Each service is a :class:`~burency_common.component.ServiceComponent` with its own
SQLite database under ``data_dir``; all join one in-process bus. Services are added to
:func:`embedded_components` as they are built. Nothing here runs at import time.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from starlette.types import Receive, Scope, Send

from burency_common.bus import EventBus, InMemoryBus
from burency_common.component import ServiceComponent
from burency_common.events import EventEnvelope
from burency_common.events.auth import AUTH_TOKENS_REVOKED
from burency_gateway.app import Gateway, build_gateway
from burency_gateway.security import apply_revocation_event
from burency_platform.settings import PlatformSettings

__all__ = ["Platform", "build_platform", "embedded_components", "subscribe_gateway"]


def subscribe_gateway(bus: EventBus, gateway: Gateway) -> None:
    """What the gateway consumes: revocations, so revoked tokens are refused at once."""

    async def on_revoked(envelope: EventEnvelope) -> None:
        await apply_revocation_event(gateway.revocations, envelope)

    bus.subscribe(AUTH_TOKENS_REVOKED, group="gateway", handler=on_revoked)


def embedded_components(
    settings: PlatformSettings, identity_secret: bytes
) -> list[ServiceComponent]:
    """Every service, configured for embedded mode (SQLite under ``settings.data_dir``)."""
    del settings, identity_secret  # used as services arrive
    return []


@dataclass
class Platform:
    """The running platform: an ASGI app whose lifespan also runs the bus and services."""

    gateway: Gateway
    bus: EventBus
    components: list[ServiceComponent] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            async with self.running():
                await self.gateway.app(scope, receive, send)
            return
        await self.gateway.app(scope, receive, send)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        await self.bus.start()
        started: list[ServiceComponent] = []
        try:
            for component in self.components:
                await component.start(self.bus)
                started.append(component)
            yield
        finally:
            for component in reversed(started):
                await component.stop()
            await self.bus.stop()

    @property
    def services(self) -> list[str]:
        return self.gateway.services


def build_platform(settings: PlatformSettings) -> Platform:
    """Build every embedded service and the gateway in front of them."""
    identity_secret = secrets.token_bytes(32)
    components = embedded_components(settings, identity_secret)
    bus = InMemoryBus()
    for component in components:
        component.app.state.identity_secret = identity_secret
        component.subscribe(bus)
    gateway = build_gateway(
        settings,
        services={c.name: c.app for c in components},
        identity_secret=identity_secret,
    )
    subscribe_gateway(bus, gateway)
    return Platform(gateway=gateway, bus=bus, components=components)
