"""``burency serve gateway``: the gateway alone, its bus consumer running (distributed mode).

The gateway's subscriptions are its own component (:mod:`burency_gateway.component`);
the services' side (:class:`ServedComponent`, :func:`kafka_bus`) is in
:mod:`burency_platform.served`, which imports no gateway code.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from starlette.types import Receive, Scope, Send

from burency_common.bus import EventBus
from burency_gateway.app import Gateway
from burency_gateway.component import GatewayComponent
from burency_platform.lifespan import serve_lifespan
from burency_platform.served import ServedComponent, kafka_bus

__all__ = ["ServedComponent", "ServedGateway", "kafka_bus"]


@dataclass
class ServedGateway:
    """The gateway alone, with its bus consumer running for the process's lifetime."""

    gateway: Gateway
    bus: EventBus
    component: GatewayComponent | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await serve_lifespan(self.gateway.app, self.running, scope, receive, send)
            return
        await self.gateway.app(scope, receive, send)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        await self.bus.start()
        try:
            if self.component is not None:
                await self.component.start(self.bus)
            try:
                yield
            finally:
                if self.component is not None:
                    await self.component.stop()
        finally:
            await self.bus.stop()
