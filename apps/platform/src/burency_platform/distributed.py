"""``burency serve gateway``: the gateway alone, with its bus subscriptions (distributed mode).

The services' side (:class:`ServedComponent`, :func:`kafka_bus`) is in
:mod:`burency_platform.served`, which imports no gateway code.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

from starlette.types import Receive, Scope, Send

from burency_common.bus import EventBus
from burency_common.events import EventEnvelope, default_registry
from burency_common.events.auth import AUTH_TOKENS_REVOKED
from burency_common.events.notifications import NOTIFICATION_IN_APP_CREATED
from burency_gateway.app import Gateway
from burency_gateway.live import push_in_app_item
from burency_gateway.security import apply_revocation_event
from burency_gateway.security.revocation import parse_revocation_event
from burency_platform.served import ServedComponent, kafka_bus

__all__ = [
    "ServedComponent",
    "ServedGateway",
    "gateway_instance_id",
    "kafka_bus",
    "subscribe_gateway",
    "subscribe_live_notifications",
]


def gateway_instance_id() -> str:
    """This gateway process's stable name: ``BURENCY_INSTANCE_ID``, else ``<host>-<port>``.

    It names the process's own consumer groups, so it must survive a restart (a random
    name per start would leave one abandoned Kafka group behind per restart) and must
    differ between processes (two gateways in one group would split the events, and
    each would miss the revocations of the other's sockets). Set it explicitly when
    several gateways share a host name and port (containers): e.g. the pod name.
    """
    explicit = os.environ.get("BURENCY_INSTANCE_ID", "").strip()
    if explicit:
        return explicit
    return f"{socket.gethostname()}-{os.environ.get('BURENCY_PORT', '8000')}"


def subscribe_gateway(
    bus: EventBus,
    gateway: Gateway,
    *,
    shared_store: bool = True,
    instance_id: str | None = None,
) -> None:
    """What the gateway consumes: revocations, so revoked tokens are refused at once and
    the sockets of revoked sessions are ended; and in-app notifications for live sockets.

    Each gateway process holds its own sockets, so each must see every revocation: one
    consumer group per process, ``gateway-<instance id>`` (stable across restarts). The
    same handler records the revocation in the store first (with a shared Redis store
    every process writes the same idempotent entry), then ends the local sockets.
    """
    name = instance_id or gateway_instance_id()

    async def on_revoked(envelope: EventEnvelope) -> None:
        event = parse_revocation_event(envelope)
        await apply_revocation_event(gateway.revocations, event)
        await gateway.realtime.revoke(event)

    bus.subscribe(AUTH_TOKENS_REVOKED, group=f"gateway-{name}", handler=on_revoked)
    subscribe_live_notifications(bus, gateway, shared_store=shared_store, instance_id=name)


def subscribe_live_notifications(
    bus: EventBus, gateway: Gateway, *, shared_store: bool, instance_id: str | None = None
) -> None:
    """New in-app notifications pushed to the user's Socket.IO room (``notification``).

    Without Redis each gateway process holds only its own sockets, so each needs every
    event (a consumer group per process, named after its stable instance id). With
    Redis the Socket.IO manager fans one emit out to every process, so one group for
    all of them sends each item once.
    """
    registry = default_registry()

    async def on_in_app_created(envelope: EventEnvelope) -> None:
        await push_in_app_item(gateway.realtime, registry, envelope)

    name = instance_id or gateway_instance_id()
    group = "gateway-live" if shared_store else f"gateway-live-{name}"
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
