"""What a Burency service hands to the composition root (``burency_platform``).

Every service package exposes ``build_component(settings) -> ServiceComponent``. The
platform then, in this order: calls :meth:`~ServiceComponent.subscribe` on every
component (consumers are registered before the bus starts), starts the bus, calls
:meth:`~ServiceComponent.start` (migrations, outbox relay), serves ``app``, and on
shutdown calls :meth:`~ServiceComponent.stop`. Embedded mode does this for all services
in one process; ``burency serve <name>`` does it for one.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from fastapi import FastAPI

from burency_common.bus.port import EventBus

__all__ = ["ServiceComponent"]


@runtime_checkable
class ServiceComponent(Protocol):
    """One service, built but not started."""

    name: str
    app: FastAPI

    def subscribe(self, bus: EventBus) -> None:
        """Register this service's event handlers (before the bus starts)."""

    async def start(self, bus: EventBus) -> None:
        """Migrate the database, start background work (the outbox relay publishing to ``bus``)."""

    async def stop(self) -> None:
        """Stop background work and release connections."""
