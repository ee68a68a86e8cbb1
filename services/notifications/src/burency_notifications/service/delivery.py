"""The delivery worker: sends queued deliveries with retries.

A delivery is leased by a compare-and-set on ``attempts`` (so two replicas never
send the same attempt) that also pushes ``next_attempt_at`` past a lease: a worker
that dies mid-send leaves the row to be retried later. Transient failures back off
exponentially with full jitter up to ``delivery_max_attempts``; permanent failures
(and template errors) are recorded once as ``failed`` and never retried. An unknown
recipient is transient: the directory (``user.registered``) may lag behind a command.

Due deliveries are leased by priority first (``high`` before ``normal`` before
``low``: ``deliveries.priority_rank``), then oldest due first. An SMS to a recipient
without a phone is recorded as ``skipped`` with ``last_error = no_phone``: nothing
failed, there is nowhere to send it.

Each channel's message is rendered for that channel only (:func:`render`): a secret
of the catalogue (a reset or verification link) reaches only its owner channel's
message, and once no owner delivery is queued any more it is dropped from the stored
notification too (:meth:`DeliveryWorker._forget_secrets`).
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from burency_common.events.notification_types import NOTIFICATION_TYPES, OWNER_CHANNELS
from burency_common.logging import get_logger
from burency_notifications.adapters.channels import (
    DeliveryResult,
    DeliverySkipped,
    InAppChannel,
    OutboundMessage,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from burency_notifications.adapters.orm import deliveries, notifications, recipients
from burency_notifications.domain import feed_link
from burency_notifications.rendering import TemplateDataError, render
from burency_notifications.service.context import NotificationsContext

__all__ = ["DeliveryWorker"]

_LEASE = timedelta(seconds=120)
_BATCH = 50
_log = get_logger("burency.notifications.delivery")


def _address(channel: str, who: Any) -> str | None:
    """Where a channel sends: the phone for SMS, the email address otherwise."""
    if who is None:
        return None
    address: str | None = who.phone if channel == "sms" else who.email
    return address


@dataclass
class DeliveryWorker:
    ctx: NotificationsContext
    _wake: asyncio.Event = field(default_factory=asyncio.Event)

    def wake(self) -> None:
        self._wake.set()

    def backoff(self, attempt: int) -> float:
        """Seconds before attempt ``attempt + 1``: exponential with full jitter."""
        s = self.ctx.settings
        ceiling = min(
            s.delivery_max_backoff_seconds,
            s.delivery_initial_backoff_seconds * 2 ** (attempt - 1),
        )
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not crypto

    async def run(self, stop: asyncio.Event) -> None:
        """Loop until ``stop``: process due deliveries, then sleep until woken or polled."""
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:  # the loop must survive a database hiccup
                _log.exception("delivery.loop_failed")
            self._wake.clear()
            waiters = [asyncio.ensure_future(e.wait()) for e in (stop, self._wake)]
            await asyncio.wait(
                waiters,
                timeout=self.ctx.settings.worker_poll_seconds,
                return_when=asyncio.FIRST_COMPLETED,
            )
            for waiter in waiters:
                waiter.cancel()

    async def run_once(self) -> int:
        """Process every delivery due now (one batch at a time); returns how many.

        Deliveries over local channels (the in-app feed, embedded mode's recorders) are
        leased, sent and recorded a batch per transaction; the in-app items commit in
        the same transaction as their ``sent`` status. Deliveries to a provider (SMTP,
        SMS, push) keep one lease and one record each, so a crash re-sends at most the
        one in flight.
        """
        done = 0
        while True:
            due = await self._due()
            if not due:
                return done
            local = [row for row in due if self._is_local(row.channel)]
            if local:
                done += await self._process_local(local)
            for row in due:
                if not self._is_local(row.channel):
                    done += await self._process(row)

    def _is_local(self, name: str) -> bool:
        channel = self.ctx.channels.get(name)
        return isinstance(channel, InAppChannel) or bool(getattr(channel, "local", False))

    async def _due(self) -> list[Any]:
        query = (
            select(deliveries)
            .where(deliveries.c.status == "queued")
            .where(deliveries.c.next_attempt_at <= self.ctx.clock.now())
            # priority first (0 high .. 2 low), then oldest due: high is never stuck
            # behind a backlog of normal/low deliveries
            .order_by(deliveries.c.priority_rank, deliveries.c.next_attempt_at)
            .limit(_BATCH)
        )
        async with self.ctx.transaction() as db:
            return list((await db.execute(query)).all())

    async def _lease_in(self, db: AsyncSession, row: Any) -> bool:
        """Compare-and-set on ``attempts``: two workers never send the same attempt."""
        result = await db.execute(
            update(deliveries)
            .where(deliveries.c.id == row.id)
            .where(deliveries.c.status == "queued")
            .where(deliveries.c.attempts == row.attempts)
            .values(attempts=row.attempts + 1, next_attempt_at=self.ctx.clock.now() + _LEASE)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def _lease(self, row: Any) -> bool:
        async with self.ctx.transaction() as db:
            return await self._lease_in(db, row)

    async def _messages(self, rows: list[Any]) -> dict[str, OutboundMessage | Exception]:
        """Each row's message, or why it cannot be sent (one read for the whole batch)."""
        note_ids = {row.notification_id for row in rows}
        user_ids = {row.user_id for row in rows}
        async with self.ctx.transaction() as db:
            notes = {
                n.id: n
                for n in await db.execute(
                    select(notifications).where(notifications.c.id.in_(note_ids))
                )
            }
            who = {
                r.user_id: r
                for r in await db.execute(
                    select(recipients).where(recipients.c.user_id.in_(user_ids))
                )
            }
        found: dict[str, OutboundMessage | Exception] = {}
        for row in rows:
            try:
                found[row.id] = _build(row, notes[row.notification_id], who.get(row.user_id))
            except (TransientDeliveryError, PermanentDeliveryError) as exc:
                found[row.id] = exc
        return found

    async def _message(self, row: Any) -> OutboundMessage:
        built = (await self._messages([row]))[row.id]
        if isinstance(built, Exception):
            raise built
        return built

    async def _process_local(self, rows: list[Any]) -> int:
        """A batch over local channels: one lease, one read, one record (see run_once)."""
        async with self.ctx.transaction() as db:
            leased = [row for row in rows if await self._lease_in(db, row)]
        if not leased:
            return 0
        messages = await self._messages(leased)
        outcomes: list[_Outcome] = []
        in_app: list[tuple[Any, OutboundMessage]] = []
        for row in leased:
            built = messages[row.id]
            channel = self.ctx.channels[row.channel]
            if isinstance(built, Exception):
                outcomes.append(self._outcome(row, built))
            elif isinstance(channel, InAppChannel):
                in_app.append((row, built))
            else:
                try:
                    outcomes.append(self._outcome(row, await channel.send(built)))
                except (TransientDeliveryError, PermanentDeliveryError) as exc:
                    outcomes.append(self._outcome(row, exc))
        async with self.ctx.transaction() as db:
            if in_app:
                feed = self.ctx.channels["in_app"]
                assert isinstance(feed, InAppChannel)
                item_ids = await feed.write(db, [message for _, message in in_app])
                outcomes += [
                    self._outcome(row, DeliveryResult(item_id))
                    for (row, _), item_id in zip(in_app, item_ids, strict=True)
                ]
            for outcome in outcomes:
                await self._record(db, outcome)
            for note_id in {o.notification_id for o in outcomes if o.channel in OWNER_CHANNELS}:
                await self._forget_secrets_in(db, note_id)
        for outcome in outcomes:
            outcome.log()
        return len(leased)

    def _outcome(self, row: Any, result: DeliveryResult | Exception) -> _Outcome:
        """What a send's result (or error) means for the delivery's row."""
        attempt = row.attempts + 1
        outcome = _Outcome(row.id, row.notification_id, row.channel, "sent")
        if isinstance(result, DeliveryResult):
            outcome.provider_id = result.provider_id
        elif isinstance(result, TransientDeliveryError):
            outcome.error = str(result)
            if attempt >= self.ctx.settings.delivery_max_attempts:
                outcome.status = "failed"
            else:
                # a provider's Retry-After hint (push: FCM 429/503) is a lower bound
                hint = float(getattr(result, "retry_after", None) or 0.0)
                delay = max(self.backoff(attempt), hint)
                outcome.status = "queued"
                outcome.retry_at = self.ctx.clock.now() + timedelta(seconds=delay)
        else:
            outcome.error = str(result)
            outcome.status = "skipped" if isinstance(result, DeliverySkipped) else "failed"
        return outcome

    async def _process(self, row: Any) -> int:
        """One delivery to a provider: leased, sent and recorded on its own."""
        if not await self._lease(row):
            return 0
        channel = self.ctx.channels.get(row.channel)
        result: DeliveryResult | Exception
        try:
            if channel is None:
                raise PermanentDeliveryError("channel_not_configured")
            result = await channel.send(await self._message(row))
        except (TransientDeliveryError, PermanentDeliveryError) as exc:
            result = exc
        outcome = self._outcome(row, result)
        async with self.ctx.transaction() as db:
            await self._record(db, outcome)
        outcome.log()
        if row.channel in OWNER_CHANNELS:
            await self._forget_secrets(row.notification_id)
        return 1

    async def _forget_secrets(self, notification_id: str) -> None:
        async with self.ctx.transaction() as db:
            await self._forget_secrets_in(db, notification_id)

    async def _forget_secrets_in(self, db: AsyncSession, notification_id: str) -> None:
        """Drop a notification's secrets (reset / verification link) from its stored
        data once no delivery to its owner channel is still queued: a retry is the only
        reason to keep them, and the database must not hold a usable link for longer."""
        note = (
            await db.execute(
                select(notifications.c.event, notifications.c.data).where(
                    notifications.c.id == notification_id
                )
            )
        ).one_or_none()
        kind = NOTIFICATION_TYPES.get(note.event) if note is not None else None
        if note is None or kind is None or not kind.secrets:
            return
        if not set(kind.secrets) & set(note.data):
            return
        pending = await db.scalar(
            select(func.count())
            .select_from(deliveries)
            .where(
                deliveries.c.notification_id == notification_id,
                deliveries.c.channel == kind.owner,
                deliveries.c.status == "queued",
            )
        )
        if not pending:
            await db.execute(
                update(notifications)
                .where(notifications.c.id == notification_id)
                .values(data=kind.public(note.data))
            )

    async def _record(self, db: AsyncSession, outcome: _Outcome) -> None:
        values: dict[str, Any] = {
            "status": outcome.status,
            "last_error": outcome.error[:500] if outcome.error else None,
            "updated_at": self.ctx.clock.now(),
        }
        if outcome.provider_id is not None:
            values["provider_id"] = outcome.provider_id
        if outcome.retry_at is not None:
            values["next_attempt_at"] = outcome.retry_at
        await db.execute(
            update(deliveries).where(deliveries.c.id == outcome.delivery_id).values(**values)
        )


@dataclass
class _Outcome:
    """What becomes of one delivery's row after an attempt."""

    delivery_id: str
    notification_id: str
    channel: str
    status: str
    error: str | None = None
    provider_id: str | None = None
    retry_at: datetime | None = None

    def log(self) -> None:
        _log.info(
            "delivery.finished", delivery_id=self.delivery_id, status=self.status, error=self.error
        )


def _build(row: Any, note: Any, who: Any) -> OutboundMessage:
    """The message for one delivery, rendered for its channel only (or why not)."""
    if (who is None or who.email is None) and row.channel == "email":
        # user.registered travels on another topic and may arrive after the command
        raise TransientDeliveryError("recipient_unknown")
    if row.channel == "sms":
        if who is None:  # user.profile_updated (the phone) may lag behind too
            raise TransientDeliveryError("recipient_unknown")
        if not who.phone:
            raise DeliverySkipped("no_phone")
    language = who.language if who is not None else "en"
    try:  # only this channel's variants, from the data this channel may see
        rendered = render(note.event, language, dict(note.data), row.channel)
    except TemplateDataError as exc:
        raise PermanentDeliveryError(str(exc)) from exc
    return OutboundMessage(
        delivery_id=row.id,
        notification_id=row.notification_id,
        event=note.event,
        channel=row.channel,
        user_id=row.user_id,
        address=_address(row.channel, who),
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        sms=rendered.sms,
        push=rendered.push,
        link=feed_link(note.event, NOTIFICATION_TYPES[note.event].public(dict(note.data))),
    )
