"""Emitting a service's events and notification requests into its outbox.

Every service that announces things had the same two methods on its context: ``emit``
(build an envelope with the service as producer, write it to the outbox in the caller's
transaction) and ``notify`` (a ``SEND_NOTIFICATION`` command for one user, its template
data checked here so a mistake fails in the emitting service's tests). :class:`Outbox`
is that pair, bound once to the service's producer name, event registry and outbox table.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import Table, select

from burency_common.events import SEND_NOTIFICATION, EventRegistry, SendNotification
from burency_common.events.notification_types import check_notification
from burency_common.ids import canonical_uuid, new_id
from burency_common.outbox.writer import UnitOfWork, add_to_outbox

__all__ = ["Outbox", "stable_event_id"]

_NAMESPACE = uuid.UUID("5b1f3c0e-7a4d-4c1e-9f0a-62616e6b696e")
"""The namespace banking's ``stable_uuid`` has always used: ids derived before stay equal."""


_NAMESPACE_BYTES = _NAMESPACE.bytes
_VERSION_5 = 0x5 << 76
_VARIANT_RFC = 0b10 << 62
_KEEP = ~((0xF << 76) | (0b11 << 62)) & ((1 << 128) - 1)


def stable_event_id(*parts: str) -> str:
    """A UUID derived from ``parts``: the same business fact always gets the same event id.

    ``str(uuid.uuid5(namespace, "\\x1f".join(parts)))``, computed without the ``UUID``
    object (the projection derives one per fill notification; a property test checks
    the two agree)."""
    digest = hashlib.sha1(_NAMESPACE_BYTES + "\x1f".join(parts).encode(), usedforsecurity=False)
    value = int.from_bytes(digest.digest()[:16], "big") & _KEEP
    return canonical_uuid(value | _VERSION_5 | _VARIANT_RFC)


@dataclass(frozen=True)
class Outbox:
    """A service's outbox writer: ``await ctx.outbox.emit(db, payload, event_type=...)``."""

    producer: str
    registry: EventRegistry
    table: Table

    async def emit(
        self,
        db: UnitOfWork,
        payload: BaseModel,
        *,
        event_type: str,
        event_id: str | None = None,
    ) -> None:
        """Queue an event; it is published only if the transaction commits.

        ``event_id``: a derived, stable id for an event a handler may emit again for the
        same request (a redelivery): when a row with that id is already queued nothing is
        written, and had it been published already, the receiver's inbox drops the copy.
        """
        if event_id is not None:
            queued = await db.execute(
                select(self.table.c.seq).where(self.table.c.event_id == event_id)
            )
            if queued.first() is not None:
                return
            envelope = self.registry.build(
                payload, event_type=event_type, producer=self.producer, id=event_id
            )
        else:
            envelope = self.registry.build(payload, event_type=event_type, producer=self.producer)
        await add_to_outbox(db, self.table, envelope)

    async def notify(
        self,
        db: UnitOfWork,
        *,
        user_id: str,
        event: str,
        data: dict[str, object],
        notification_id: str | None = None,
    ) -> None:
        """Queue a ``SEND_NOTIFICATION`` command for one user.

        ``data`` must hold what the type's templates need (checked here). A
        ``notification_id`` derived from the business object makes a repeated request
        one notification (the notification service's idempotency key, and a stable
        event id here); without one every call is a new notification.
        """
        check_notification(event, data)
        command = SendNotification(
            notification_id=notification_id or new_id(),
            event=event,
            user_ids=[user_id],
            data=data,
        )
        event_id = (
            None if notification_id is None else stable_event_id(SEND_NOTIFICATION, notification_id)
        )
        await self.emit(db, command, event_type=SEND_NOTIFICATION, event_id=event_id)
