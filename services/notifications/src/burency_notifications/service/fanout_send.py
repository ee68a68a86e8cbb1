"""Sending one batch of an announcement's targets, per channel (see :mod:`.fanout`).

Every sender follows the same shape: *claim* (renew the lease, mark up to N due
``queued`` targets ``sending`` with a fresh batch id; committed), *send*, *record*
(one transaction). In-app is special: nothing leaves the database, so it claims,
writes the feed items and records ``sent`` in a single transaction.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from burency_common.events.notification_types import NOTIFICATION_TYPES
from burency_common.ids import new_id
from burency_notifications.adapters.channels import (
    OutboundMessage,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from burency_notifications.adapters.orm import announcement_targets, devices, in_app, recipients
from burency_notifications.adapters.push.message import (
    PushError,
    PushMessage,
    PushSender,
    PushTokenInvalid,
    PushTransientError,
)
from burency_notifications.domain import feed_link
from burency_notifications.rendering import Rendered, TemplateDataError, render
from burency_notifications.service.context import NotificationsContext
from burency_notifications.service.devices import prune

__all__ = ["Batcher", "send_email_batch", "send_in_app_batch", "send_push_batch"]

T = announcement_targets
Renew = Callable[[AsyncSession, str], Awaitable[bool]]


@dataclass
class Batcher:
    """What the channel senders share for one announcement."""

    ctx: NotificationsContext
    announcement: Any
    renew: Renew
    push: PushSender | None
    lost: bool = False
    _rendered: dict[tuple[str, str], Rendered] = field(default_factory=dict)
    _after: dict[str, str] = field(default_factory=dict)

    def rendered(self, language: str | None, channel: str) -> Rendered:
        """``channel``'s variants in ``language`` (rendered once per announcement)."""
        key = (language or "en", channel)
        if key not in self._rendered:
            data = dict(self.announcement.data)
            self._rendered[key] = render(self.announcement.event, key[0], data, channel)
        return self._rendered[key]

    async def claim(self, db: AsyncSession, channel: str, limit: int) -> list[Any]:
        """Mark up to ``limit`` due targets ``sending`` (in ``db``); [] if none or lease lost."""
        ann_id = self.announcement.id
        if not await self.renew(db, ann_id):
            self.lost = True
            return []
        now = self.ctx.clock.now()
        due = (
            T.c.announcement_id == ann_id,
            T.c.channel == channel,
            T.c.status == "queued",
            or_(T.c.not_before.is_(None), T.c.not_before <= now),
        )
        # keyset over the (announcement, channel, status, target) index: each claim reads
        # only its own rows; a pass that finds nothing after the cursor starts over once
        # (targets put back by a retry)
        for after in (self._after.get(channel), None):
            query = select(T.c.target).where(*due).order_by(T.c.target).limit(limit)
            if after is not None:
                query = query.where(T.c.target > after)
            targets = list(await db.scalars(query))
            if targets or after is None:
                break
        if not targets:
            self._after.pop(channel, None)
            return []
        self._after[channel] = targets[-1]
        batch = new_id()
        await db.execute(
            update(T)
            .where(*due, T.c.target >= targets[0], T.c.target <= targets[-1])
            .values(status="sending", batch=batch, updated_at=now)
        )
        query = (
            select(T.c.target, T.c.user_id, T.c.attempts, T.c.batch)
            .add_columns(recipients.c.language, recipients.c.email)
            .select_from(T.outerjoin(recipients, recipients.c.user_id == T.c.user_id))
            .where(T.c.batch == batch)
        )
        if channel == "push":
            query = query.add_columns(devices.c.token).outerjoin(
                devices, devices.c.id == T.c.target
            )
        return list(await db.execute(query))

    async def mark(self, db: AsyncSession, channel: str, targets: list[str], **values: Any) -> None:
        if targets:
            await db.execute(
                update(T)
                .where(
                    T.c.announcement_id == self.announcement.id,
                    T.c.channel == channel,
                    T.c.target.in_(targets),
                )
                .values(updated_at=self.ctx.clock.now(), **values)
            )

    async def mark_rest_sent(self, db: AsyncSession, channel: str, batch: str) -> None:
        """Every target of ``batch`` still ``sending`` was accepted: one statement."""
        await db.execute(
            update(T)
            .where(T.c.batch == batch, T.c.status == "sending")
            .values(status="sent", attempts=T.c.attempts + 1, updated_at=self.ctx.clock.now())
        )

    async def retry_or_fail(
        self, db: AsyncSession, channel: str, rows: list[tuple[Any, str, float]]
    ) -> None:
        """Transient failures: ``queued`` again after a backoff, ``failed`` after the last try."""
        s = self.ctx.settings
        for row, reason, hint in rows:
            attempt = row.attempts + 1
            if attempt >= s.delivery_max_attempts:
                await self.mark(
                    db, channel, [row.target], status="failed", attempts=attempt, last_error=reason
                )
                continue
            ceiling = min(
                s.delivery_max_backoff_seconds,
                s.delivery_initial_backoff_seconds * 2 ** (attempt - 1),
            )
            delay = max(hint, random.uniform(ceiling / 2, ceiling))  # noqa: S311 - jitter
            await self.mark(
                db,
                channel,
                [row.target],
                status="queued",
                batch=None,
                attempts=attempt,
                last_error=reason,
                not_before=self.ctx.clock.now() + timedelta(seconds=delay),
            )


def _push(b: Batcher, row: Any) -> PushMessage:
    text = b.rendered(row.language, "push")
    ann_id = b.announcement.id
    return PushMessage(
        token=row.token,
        title=text.subject,
        body=text.push,
        collapse_id=ann_id,
        data={"notificationId": ann_id, "event": b.announcement.event, "userId": row.user_id},
    )


async def send_push_batch(b: Batcher) -> int:
    """One batch of at most ``broadcast_push_batch`` pushes; returns how many targets."""
    async with b.ctx.transaction() as db:
        rows = await b.claim(db, "push", b.ctx.settings.broadcast_push_batch)
    if not rows:
        return 0
    live = [r for r in rows if r.token is not None]
    gone = [r.target for r in rows if r.token is None]
    if b.push is None:
        outcomes: list[str | BaseException] = [
            PushTransientError("push channel not configured")
        ] * len(live)
    else:
        outcomes = await asyncio.gather(
            *(b.push.send(_push(b, r)) for r in live), return_exceptions=True
        )
    failed: list[tuple[str, str]] = []
    dead: list[str] = []
    retry: list[tuple[Any, str, float]] = []
    for row, outcome in zip(live, outcomes, strict=True):
        if isinstance(outcome, str):
            continue  # recorded below with the rest of the batch, in one statement
        if isinstance(outcome, PushTransientError):
            retry.append((row, outcome.reason, outcome.retry_after or 0.0))
        elif isinstance(outcome, PushError):
            failed.append((row.target, outcome.reason))
            if isinstance(outcome, PushTokenInvalid):
                dead.append(row.target)
        else:
            raise outcome
    async with b.ctx.transaction() as db:
        await b.mark(db, "push", gone, status="skipped", last_error="device_removed")
        for target, reason in failed:
            await b.mark(
                db, "push", [target], status="failed", attempts=T.c.attempts + 1, last_error=reason
            )
        await b.retry_or_fail(db, "push", retry)
        await b.mark_rest_sent(db, "push", rows[0].batch)
        await prune(db, dead)
    return len(rows)


async def send_in_app_batch(b: Batcher) -> int:
    """Feed items and their ``sent`` status in one transaction: exactly once."""
    announce = getattr(b.ctx.channels.get("in_app"), "announce", None)
    async with b.ctx.transaction() as db:
        rows = await b.claim(db, "in_app", b.ctx.settings.broadcast_push_batch)
        if not rows:
            return 0
        now = b.ctx.clock.now()
        items = []
        for row in rows:
            text = b.rendered(row.language, "in_app")
            items.append(
                {
                    "id": new_id(),
                    "user_id": row.user_id,
                    "notification_id": b.announcement.id,
                    "event": b.announcement.event,
                    "title": text.subject[:255],
                    "body": text.push[:2000],
                    "created_at": now,
                }
            )
        await db.execute(in_app.insert(), items)
        if announce is not None:
            kind = NOTIFICATION_TYPES[b.announcement.event]
            link = feed_link(b.announcement.event, kind.public(dict(b.announcement.data)))
            for item in items:
                await announce(db, {**item, "link": link})
        await b.mark_rest_sent(db, "in_app", rows[0].batch)
    return len(rows)


async def _email(b: Batcher, row: Any) -> str:
    channel = b.ctx.channels.get("email")
    if channel is None:
        raise PermanentDeliveryError("channel_not_configured")
    try:
        text = b.rendered(row.language, "email")
    except TemplateDataError as exc:
        raise PermanentDeliveryError(str(exc)) from None
    message = OutboundMessage(
        delivery_id=f"{b.announcement.id}.{row.user_id}",
        notification_id=b.announcement.id,
        event=b.announcement.event,
        channel="email",
        user_id=row.user_id,
        address=row.email,
        subject=text.subject,
        text=text.text,
        html=text.html,
        sms=text.sms,
        push=text.push,
    )
    return (await channel.send(message)).provider_id


async def send_email_batch(b: Batcher) -> int:
    """A paced batch of emails: at most ``broadcast_email_per_second`` on average."""
    s = b.ctx.settings
    started = asyncio.get_running_loop().time()
    async with b.ctx.transaction() as db:
        rows = await b.claim(db, "email", s.broadcast_email_batch)
    if not rows:
        return 0
    outcomes = await asyncio.gather(
        *(_email(b, r) for r in rows if r.email), return_exceptions=True
    )
    with_address = [r for r in rows if r.email]
    async with b.ctx.transaction() as db:
        await b.mark(
            db,
            "email",
            [r.target for r in rows if not r.email],
            status="skipped",
            last_error="no_email",
        )
        retry: list[tuple[Any, str, float]] = []
        for row, outcome in zip(with_address, outcomes, strict=True):
            if isinstance(outcome, str):
                await b.mark(
                    db,
                    "email",
                    [row.target],
                    status="sent",
                    provider_id=outcome[:255],
                    attempts=T.c.attempts + 1,
                )
            elif isinstance(outcome, TransientDeliveryError):
                retry.append((row, str(outcome)[:500], 0.0))
            elif isinstance(outcome, PermanentDeliveryError):
                await b.mark(
                    db,
                    "email",
                    [row.target],
                    status="failed",
                    last_error=str(outcome)[:500],
                    attempts=T.c.attempts + 1,
                )
            else:
                raise outcome
        await b.retry_or_fail(db, "email", retry)
    pause = len(rows) / s.broadcast_email_per_second - (asyncio.get_running_loop().time() - started)
    if pause > 0:
        await asyncio.sleep(pause)  # pacing the SMTP relay, not waiting for a result
    return len(rows)
