"""``burency serve gateway``: the gateway alone, its bus consumer running (distributed mode).

The gateway's subscriptions are its own component (:mod:`burency_gateway.component`);
the services' side (:class:`ServedComponent`, :func:`kafka_bus`) is in
:mod:`burency_platform.served`, which imports no gateway code.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.types import Receive, Scope, Send

from burency_common.bus import EventBus
from burency_gateway.app import Gateway
from burency_gateway.component import GatewayComponent
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
            await self.bus.start()
            if self.component is not None:
                await self.component.start(self.bus)
            try:
                await self.gateway.app(scope, receive, send)
            finally:
                if self.component is not None:
                    await self.component.stop()
                await self.bus.stop()
            return
        await self.gateway.app(scope, receive, send)
