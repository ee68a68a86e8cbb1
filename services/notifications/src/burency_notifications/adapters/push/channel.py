"""The push channel: one delivery (notification x user x push) fans out to the user's
devices.

Each device's outcome is recorded in ``push_sends`` (provider message id or error), so
a retried delivery sends only to the devices that have not been served yet. A token
FCM reports dead is pruned and recorded as ``failed`` for that device, once. The
delivery is ``sent`` when at least one device accepted it, retried when some device
failed transiently, and ``failed`` when no device can take it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from burency_notifications.adapters.channels import (
    Channel,
    DeliveryResult,
    DeliverySkipped,
    OutboundMessage,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from burency_notifications.adapters.orm import devices, push_sends
from burency_notifications.adapters.push.message import (
    PushMessage,
    PushPermanentError,
    PushSender,
    PushTokenInvalid,
    PushTransientError,
)
from burency_notifications.service.devices import prune

__all__ = ["PushChannel", "PushRetryLater"]


class PushRetryLater(TransientDeliveryError):
    """Some device failed transiently; ``retry_after`` is FCM's hint (seconds) if any."""

    def __init__(self, reason: str, retry_after: float | None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


@dataclass
class PushChannel(Channel):
    sessions: async_sessionmaker[AsyncSession]
    sender: PushSender
    now: Callable[[], datetime]

    async def _state(self, message: OutboundMessage) -> tuple[list[Any], dict[str, Any]]:
        async with self.sessions() as db:
            owned = list(
                await db.execute(select(devices).where(devices.c.user_id == message.user_id))
            )
            done = {
                row.device_id: row
                for row in await db.execute(
                    select(push_sends).where(push_sends.c.delivery_id == message.delivery_id)
                )
            }
        return owned, done

    def _push(self, message: OutboundMessage, token: str) -> PushMessage:
        return PushMessage(
            token=token,
            title=message.subject,
            body=message.push,
            collapse_id=message.notification_id,
            data={
                "notificationId": message.notification_id,
                "event": message.event,
                "userId": message.user_id,
            },
        )

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        owned, done = await self._state(message)
        pending = [d for d in owned if d.id not in done]
        if not owned and not done:
            raise DeliverySkipped("no_devices")
        outcomes = await asyncio.gather(
            *(self.sender.send(self._push(message, d.token)) for d in pending),
            return_exceptions=True,
        )
        retry_after = await self._record(message.delivery_id, pending, outcomes)
        sent = [r.provider_id for r in done.values() if r.status == "sent"]
        sent += [o for o in outcomes if isinstance(o, str)]
        if retry_after is not None:
            raise PushRetryLater("fcm transient failure", retry_after if retry_after > 0 else None)
        if not sent:
            raise PermanentDeliveryError("no device accepted the push")
        return DeliveryResult(
            provider_id=f"{sent[0]}" if len(sent) == 1 else f"{sent[0]} (+{len(sent) - 1})"
        )

    async def _record(
        self, delivery_id: str, pending: list[Any], outcomes: list[str | BaseException]
    ) -> float | None:
        """Record per-device outcomes and prune dead tokens (one transaction).

        Returns ``None`` when nothing failed transiently, else the longest Retry-After
        (0 when FCM gave none)."""
        rows: list[dict[str, Any]] = []
        dead: list[str] = []
        retry: float | None = None
        now = self.now()
        for device, outcome in zip(pending, outcomes, strict=True):
            row = {
                "delivery_id": delivery_id,
                "device_id": device.id,
                "updated_at": now,
                "status": "sent",
                "provider_id": None,
                "last_error": None,
            }
            if isinstance(outcome, str):
                row["provider_id"] = outcome[:255]
            elif isinstance(outcome, PushTransientError):
                retry = max(retry or 0.0, outcome.retry_after or 0.0)
                continue
            elif isinstance(outcome, PushPermanentError):
                row.update(status="failed", last_error=outcome.reason[:500])
                if isinstance(outcome, PushTokenInvalid):
                    dead.append(device.id)
            else:
                raise outcome
            rows.append(row)
        if rows:
            async with self.sessions() as db, db.begin():
                await db.execute(push_sends.insert(), rows)
                await prune(db, dead)
        return retry
