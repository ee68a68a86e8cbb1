"""The gateway's bus subscriptions, as a component like the services' (subscribe, start, stop).

What the gateway consumes:

* ``auth.tokens_revoked``: the revocation is recorded in the store (revoked tokens are
  refused at once) and the sockets of revoked sessions are ended. Each gateway process
  holds its own sockets, so each must see every revocation: one consumer group per
  process, ``gateway-<instance id>``.
* ``notification.in_app.created``: the item is pushed to the user's Socket.IO room
  (:mod:`burency_gateway.notification_push`). Without Redis each process holds only its
  own sockets and needs every event (``gateway-live-<instance id>``); with Redis the
  Socket.IO manager fans one emit out to every process, so one group for all of them
  (``gateway-live``) sends each item once.

The instance id is stable across restarts (:func:`gateway_instance_id`): a random name
per start would leave one abandoned Kafka group behind per restart. The gateway's own
resources (HTTP pool, revocation store, sockets) live with its ASGI app's lifespan, so
:meth:`GatewayComponent.start` and :meth:`~GatewayComponent.stop` have nothing to do.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field

from burency_common.bus.port import EventBus
from burency_common.events import EventEnvelope, EventRegistry, default_registry
from burency_common.events.auth import AUTH_TOKENS_REVOKED
from burency_common.events.notifications import NOTIFICATION_IN_APP_CREATED
from burency_gateway.app import Gateway
from burency_gateway.notification_push import push_in_app_item
from burency_gateway.security import apply_revocation_event
from burency_gateway.security.revocation import parse_revocation_event

__all__ = ["GatewayComponent", "gateway_instance_id", "subscribe_gateway"]


def gateway_instance_id() -> str:
    """This gateway process's stable name: ``BURENCY_INSTANCE_ID``, else ``<host>-<port>``.

    It names the process's own consumer groups, so it must survive a restart and must
    differ between processes (two gateways in one group would split the events, and
    each would miss the revocations of the other's sockets). Set it explicitly when
    several gateways share a host name and port (containers): e.g. the pod name.
    """
    explicit = os.environ.get("BURENCY_INSTANCE_ID", "").strip()
    if explicit:
        return explicit
    return f"{socket.gethostname()}-{os.environ.get('BURENCY_PORT', '8000')}"


@dataclass
class GatewayComponent:
    """The gateway's event consumers. ``shared_store``: a shared Redis (revocations and
    the Socket.IO manager) is configured, so live pushes need one group for all."""

    gateway: Gateway
    instance_id: str
    shared_store: bool = True
    name: str = "gateway"
    registry: EventRegistry = field(default_factory=default_registry, repr=False)

    @property
    def revocation_group(self) -> str:
        return f"gateway-{self.instance_id}"

    @property
    def live_group(self) -> str:
        return "gateway-live" if self.shared_store else f"gateway-live-{self.instance_id}"

    async def on_revoked(self, envelope: EventEnvelope) -> None:
        """Record the revocation first (idempotent in a shared store), then end sockets."""
        event = parse_revocation_event(envelope)
        await apply_revocation_event(self.gateway.revocations, event)
        await self.gateway.realtime.revoke(event)

    async def on_in_app_created(self, envelope: EventEnvelope) -> None:
        await push_in_app_item(self.gateway.realtime, self.registry, envelope)

    def subscribe(self, bus: EventBus) -> None:
        """Register the consumers (before the bus starts)."""
        bus.subscribe(AUTH_TOKENS_REVOKED, group=self.revocation_group, handler=self.on_revoked)
        bus.subscribe(
            NOTIFICATION_IN_APP_CREATED, group=self.live_group, handler=self.on_in_app_created
        )

    async def start(self, bus: EventBus) -> None:
        """Nothing to start: the gateway's resources follow its app's lifespan."""

    async def stop(self) -> None:
        """Nothing to stop (see :meth:`start`)."""


def subscribe_gateway(
    bus: EventBus,
    gateway: Gateway,
    *,
    shared_store: bool = True,
    instance_id: str | None = None,
) -> GatewayComponent:
    """Build the gateway's component (instance id from :func:`gateway_instance_id` unless
    given) and register its consumers on ``bus``."""
    component = GatewayComponent(
        gateway, instance_id=instance_id or gateway_instance_id(), shared_store=shared_store
    )
    component.subscribe(bus)
    return component
