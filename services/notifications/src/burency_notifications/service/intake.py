"""Consumers: ``SEND_NOTIFICATION`` (queue deliveries) and ``user.registered`` (directory).

Both claim the envelope in the inbox first; intake also inserts the
``notification_id`` row in the same transaction as the deliveries, so the same id
never delivers twice, even when re-published in a new envelope. An invalid command
raises :class:`EventSchemaError`: the bus dead-letters it with the reason.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from burency_common.db import insert_ignore, upsert
from burency_common.errors import EventSchemaError
from burency_common.events import EventEnvelope, SendNotification, UserRegistered
from burency_common.events.notification_types import (
    NOTIFICATION_TYPES,
    UnknownNotification,
    check_notification,
)
from burency_common.ids import new_id
from burency_common.logging import get_logger
from burency_common.outbox import claim_in_inbox
from burency_notifications.adapters.orm import (
    deliveries,
    devices,
    inbox,
    notifications,
    preferences,
    recipients,
)
from burency_notifications.domain import CHANNELS, EVENT_TYPES, default_enabled, is_required
from burency_notifications.service import broadcast
from burency_notifications.service.context import NotificationsContext
from burency_notifications.service.segments import InvalidSegment, parse_segment

__all__ = [
    "PRIORITY_RANKS",
    "UNCONFIGURED",
    "on_send_notification",
    "on_user_registered",
    "parse_command",
]

INBOX_CONSUMER = "notifications"
_log = get_logger("burency.notifications")


def parse_command(envelope: EventEnvelope) -> SendNotification:
    """Validate the payload, the event type, recipients and channels (else EventSchemaError)."""
    try:
        command = SendNotification.model_validate(envelope.payload)
    except ValidationError as exc:
        # never the input values: the data may hold a reset link (the reason is logged)
        errors = exc.errors(include_url=False, include_input=False, include_context=False)[:3]
        raise EventSchemaError(f"SEND_NOTIFICATION payload invalid: {errors}") from None
    if command.event not in EVENT_TYPES:
        raise EventSchemaError(f"unknown notification event {command.event!r}")
    if command.segment is None:  # a broadcast's data is checked when it is created
        try:
            check_notification(command.event, command.data)
        except UnknownNotification as exc:
            raise EventSchemaError(str(exc)) from None
    kind = NOTIFICATION_TYPES[command.event]
    if kind.secrets and (command.segment is not None or len(set(command.user_ids)) != 1):
        raise EventSchemaError(f"{command.event} carries a secret: exactly one recipient")
    if command.segment is not None:
        if command.user_ids:
            raise EventSchemaError("address either user_ids or a segment, not both")
        try:
            parse_segment(command.segment)
        except InvalidSegment as exc:
            raise EventSchemaError(exc.detail or "unknown segment") from None
    elif not command.user_ids:
        raise EventSchemaError("no recipients: user_ids is empty")
    if command.priority not in PRIORITY_RANKS:
        raise EventSchemaError(f"unknown priority {command.priority[:20]!r}: high|normal|low")
    unknown = sorted(set(command.channels or ()) - set(CHANNELS))
    if unknown:
        raise EventSchemaError(f"unknown channels {unknown}")
    return command


async def on_user_registered(ctx: NotificationsContext, envelope: EventEnvelope) -> None:
    """Record the new user's address (first registration wins; redelivery has no effect)."""
    try:
        payload = UserRegistered.model_validate(envelope.payload)
    except ValidationError as exc:
        raise EventSchemaError("user.registered payload invalid") from exc
    async with ctx.transaction() as db:
        if not await claim_in_inbox(db, inbox, envelope, consumer=INBOX_CONSUMER):
            return
        # a user.profile_updated consumed first left a row without email: fill it in
        await upsert(
            db,
            recipients,
            {
                "user_id": payload.user_id,
                "email": payload.email,
                "phone": None,
                "language": "en",
                "created_at": ctx.clock.now(),
            },
            index_elements=["user_id"],
            update=["email"],
            where=recipients.c.email.is_(None),
        )
    _log.info("recipient.recorded", user_id=payload.user_id)


async def _disabled(db: AsyncSession, user_id: str, event: str) -> dict[str, bool]:
    rows = await db.execute(
        select(preferences.c.channel, preferences.c.enabled).where(
            preferences.c.user_id == user_id, preferences.c.event == event
        )
    )
    return {row.channel: bool(row.enabled) for row in rows}


UNCONFIGURED: frozenset[str] = frozenset()
# deliveries.priority_rank: the worker leases lower ranks first
PRIORITY_RANKS: dict[str, int] = {"high": 0, "normal": 1, "low": 2}


def _status(
    event: str, channel: str, stored: dict[str, bool], configured: Collection[str] = CHANNELS
) -> tuple[str, str | None]:
    """The initial status of one delivery (and why it is not queued)."""
    enabled = stored.get(channel, default_enabled(event, channel)) or is_required(event, channel)
    if not enabled:
        return "skipped_by_preference", None
    if channel in UNCONFIGURED or channel not in configured:
        return "skipped", "channel_not_configured"
    return "queued", None


async def _with_devices(db: AsyncSession, user_ids: Collection[str]) -> set[str]:
    """Those of ``user_ids`` with at least one registered push device."""
    query = select(devices.c.user_id).where(devices.c.user_id.in_(user_ids)).distinct()
    return set(await db.scalars(query))


_Statuses = dict[tuple[str, str], tuple[str, str | None]]


async def _push_unreachable(db: AsyncSession, statuses: _Statuses) -> None:
    """Push deliveries to users without a device are ``skipped`` / ``no_devices`` now,
    as the push channel would record them at send time: a fill notifies its two traders
    at every trade, and most users never register a device, so queueing each of those
    deliveries only to skip it cost the worker four transactions apiece."""
    queued = [user for (user, channel), (status, _) in statuses.items()
              if channel == "push" and status == "queued"]  # fmt: skip
    if not queued:
        return
    reachable = await _with_devices(db, queued)
    for user in queued:
        if user not in reachable:
            statuses[(user, "push")] = ("skipped", "no_devices")


async def _delivery_rows(
    db: AsyncSession, ctx: NotificationsContext, command: SendNotification, now: datetime
) -> list[dict[str, Any]]:
    """One row per recipient and channel, already decided by the user's preferences (and,
    for push, by whether the user has a device)."""
    statuses: _Statuses = {}
    for user_id in dict.fromkeys(command.user_ids):
        stored = await _disabled(db, user_id, command.event)
        for channel in command.channels or CHANNELS:
            statuses[(user_id, channel)] = _status(command.event, channel, stored, ctx.channels)
    await _push_unreachable(db, statuses)
    rank = PRIORITY_RANKS[command.priority]
    return [
        {
            "id": new_id(),
            "notification_id": command.notification_id,
            "user_id": user_id,
            "channel": channel,
            "status": status,
            "attempts": 0,
            "next_attempt_at": now,
            "provider_id": None,
            "last_error": reason,
            "created_at": now,
            "updated_at": now,
            "priority_rank": rank,
        }
        for (user_id, channel), (status, reason) in statuses.items()
    ]


def _kept_data(command: SendNotification, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """What the notification row keeps: the catalogue's keys only, and its secrets only
    while a delivery to the owner channel is queued (the worker drops them after)."""
    kind = NOTIFICATION_TYPES[command.event]
    if any(r["channel"] == kind.owner and r["status"] == "queued" for r in rows):
        return kind.view(command.data, kind.owner or "")
    return kind.public(command.data)


async def on_send_notification(ctx: NotificationsContext, envelope: EventEnvelope) -> None:
    """Queue one delivery per recipient and channel; a known notification_id is a no-op."""
    command = parse_command(envelope)
    now = ctx.clock.now()
    async with ctx.transaction() as db:
        if not await claim_in_inbox(db, inbox, envelope, consumer=INBOX_CONSUMER):
            return
        rows = [] if command.segment is not None else await _delivery_rows(db, ctx, command, now)
        claimed = await insert_ignore(
            db,
            notifications,
            {
                "id": command.notification_id,
                "event": command.event,
                "data": _kept_data(command, rows),
                "priority": command.priority,
                "created_at": now,
            },
        )
        if not claimed:
            _log.info("notification.duplicate", notification_id=command.notification_id)
            return
        if command.segment is not None:  # a mass notification: the fan-out worker sends it
            await broadcast.create_from_command(
                db,
                ctx,
                notification_id=command.notification_id,
                event=command.event,
                data=NOTIFICATION_TYPES[command.event].public(command.data),
                segment=command.segment,
                channels=command.channels,
            )
            _log.info("notification.broadcast", notification_id=command.notification_id)
            return
        await db.execute(deliveries.insert(), rows)
    _log.info("notification.queued", notification_id=command.notification_id, rows=len(rows))
