"""``build_component``: the notification service as the platform runs it.

Building creates no connection and starts nothing; :meth:`NotificationsComponent.start`
migrates the database and starts the delivery worker. :meth:`subscribe` registers the
``SEND_NOTIFICATION`` intake (one attempt: an invalid command goes straight to
``SEND_NOTIFICATION.DLQ``; infrastructure errors are retried inside the handler a few
times before the bus dead-letters the command) and the ``user.registered`` directory.
``user.profile_updated`` fills recipients' phone and language; the outbox relay
publishes ``notification.in_app.created`` for the gateway's live push.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from sqlalchemy import Table

from burency_common.bus.port import EventBus, RetryPolicy
from burency_common.component import ComponentBase, LoopFn
from burency_common.db import create_engine, create_session_factory
from burency_common.errors import EventSchemaError
from burency_common.events import (
    SEND_NOTIFICATION,
    USER_REGISTERED,
    EventEnvelope,
    default_registry,
)
from burency_common.events.kyc import KYC_STATUS_CHANGED
from burency_common.events.users import USER_PROFILE_UPDATED
from burency_common.logging import get_logger
from burency_common.timeutil import Clock, SystemClock
from burency_common.unit_of_work import OnWrites
from burency_notifications.adapters.channels import (
    Channel,
    EmailChannel,
    InAppChannel,
    MailFileChannel,
    RecordingChannel,
)
from burency_notifications.adapters.console import echo_email
from burency_notifications.adapters.in_app_publisher import in_app_announcer
from burency_notifications.adapters.orm import announcements, deliveries, outbox
from burency_notifications.adapters.push.channel import PushChannel
from burency_notifications.adapters.push.wiring import push_sender
from burency_notifications.adapters.sms_twilio import TwilioSmsChannel, twilio_channel
from burency_notifications.app import create_app
from burency_notifications.rendering import check_catalogue
from burency_notifications.service import intake, kyc, recipients
from burency_notifications.service.context import NotificationsContext
from burency_notifications.service.delivery import DeliveryWorker
from burency_notifications.service.fanout import FanoutWorker
from burency_notifications.settings import NotificationsSettings

__all__ = ["CONSUMER_GROUP", "MIGRATIONS", "NotificationsComponent", "build_component"]

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
CONSUMER_GROUP = "notifications"
INTAKE_RETRY = RetryPolicy(max_attempts=1)
_INTAKE_ATTEMPTS = 4
_INTAKE_RETRY_POLICY = RetryPolicy(initial_backoff=0.2, max_backoff=2.0)
_log = get_logger("burency.notifications")


@dataclass
class NotificationsComponent(ComponentBase[NotificationsSettings, NotificationsContext]):
    """The notification service, built but not started (start/stop: :class:`ComponentBase`)."""

    worker: DeliveryWorker = field(kw_only=True)
    fanout: FanoutWorker | None = field(default=None, kw_only=True)
    name: str = field(default="notifications", kw_only=True)
    wakes: list[OnWrites] = field(default_factory=list, init=False, repr=False)
    migrations: ClassVar[Path | None] = MIGRATIONS
    outbox_table: ClassVar[Table | None] = outbox  # notification.in_app.created, live push

    async def on_kyc_status_changed(self, envelope: EventEnvelope) -> None:
        """``kyc.status_changed``: the recipient's KYC level (segments)."""
        await kyc.on_kyc_status_changed(self.context, envelope)

    async def on_send_notification(self, envelope: EventEnvelope) -> None:
        """Intake with its own retries for infrastructure errors (the subscription has
        one attempt so that *invalid* commands are dead-lettered at once)."""
        for attempt in range(1, _INTAKE_ATTEMPTS + 1):
            try:
                await intake.on_send_notification(self.context, envelope)
            except EventSchemaError:
                raise
            except Exception:
                if attempt == _INTAKE_ATTEMPTS:
                    raise
                await asyncio.sleep(_INTAKE_RETRY_POLICY.delay(attempt))
            else:
                return

    async def on_user_registered(self, envelope: EventEnvelope) -> None:
        await intake.on_user_registered(self.context, envelope)

    async def on_profile_updated(self, envelope: EventEnvelope) -> None:
        """``user.profile_updated``: the recipient's phone, language and country."""
        await recipients.on_profile_updated(self.context, envelope)

    def subscribe(self, bus: EventBus, *, group: str = CONSUMER_GROUP) -> None:
        """Consume commands and registrations (``group`` differs only in tests)."""
        bus.subscribe(
            SEND_NOTIFICATION, group=group, handler=self.on_send_notification, retry=INTAKE_RETRY
        )
        bus.subscribe(USER_REGISTERED, group=group, handler=self.on_user_registered)
        bus.subscribe(KYC_STATUS_CHANGED, group=group, handler=self.on_kyc_status_changed)
        bus.subscribe(USER_PROFILE_UPDATED, group=group, handler=self.on_profile_updated)

    async def start(self, bus: EventBus) -> None:
        check_catalogue()  # a template that would leak a secret or fail stops the start
        await super().start(bus)

    async def prepare(self) -> None:
        """The workers wake on commits that give them work (before they start): the
        delivery worker on deliveries written, the fan-out worker on announcements."""
        self.wakes = [OnWrites(frozenset({deliveries.name}), self.worker.wake)]
        if self.fanout is not None:
            self.wakes.append(OnWrites(frozenset({announcements.name}), self.fanout.wake))
        self.context.after_commit.extend(self.wakes)

    def background_loops(self) -> Iterable[tuple[str, LoopFn]]:
        yield "notifications-delivery-worker", self.worker.run
        if self.fanout is not None:
            yield "notifications-fanout-worker", self.fanout.run

    async def stop(self) -> None:
        await super().stop()  # loops, relay, then the engine
        wakes, self.wakes = self.wakes, []
        for wake in wakes:
            with contextlib.suppress(ValueError):
                self.context.after_commit.remove(wake)
        if self.fanout is not None and self.fanout.push is not None:
            await self.fanout.push.close()
        sms = self.context.channels.get("sms")
        if isinstance(sms, TwilioSmsChannel):
            await sms.aclose()


def _email_channel(settings: NotificationsSettings, recorder: RecordingChannel) -> Channel:
    if settings.email_mode == "record":
        if settings.mail_dir is not None:
            return MailFileChannel(settings.mail_dir, recorder, sender=settings.smtp_from)
        return recorder
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return EmailChannel(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        username=settings.smtp_username,
        password=password,
        starttls=settings.smtp_starttls,
        timeout=settings.smtp_timeout_seconds,
    )


def _sms_channel(settings: NotificationsSettings, recorder: RecordingChannel) -> Channel | None:
    """``BURENCY_SMS_CHANNEL``: Twilio, the recorder, or None (not configured)."""
    if settings.sms_mode == "twilio":
        return twilio_channel(settings)
    if settings.sms_mode == "record":
        return recorder
    _log.warning("notifications.SMS_NOT_CONFIGURED", message="no BURENCY_TWILIO_ACCOUNT_SID")
    return None


def build_component(
    settings: NotificationsSettings,
    *,
    identity_secret: bytes | None = None,
    clock: Clock | None = None,
) -> NotificationsComponent:
    """Build the notification service (nothing connects until ``start``)."""
    if identity_secret is None:  # embedded: the platform normally hands over its own
        identity_secret = settings.identity_secret_bytes()
    engine = create_engine(settings.database_url)
    sessions = create_session_factory(engine)
    clock = clock or SystemClock()
    echo = settings.embedded and settings.email_echo
    recorder = RecordingChannel(echo=echo_email if echo else None)
    channels: dict[str, Channel] = {
        "email": _email_channel(settings, recorder),
        "in_app": InAppChannel(sessions=sessions, now=clock.now),
    }
    push = push_sender(settings, recorder)
    if push is not None:
        channels["push"] = PushChannel(sessions=sessions, sender=push, now=clock.now)
    sms = _sms_channel(settings, recorder)
    if sms is not None:
        channels["sms"] = sms
    context = NotificationsContext(
        settings=settings,
        sessions=sessions,
        clock=clock,
        registry=default_registry(),
        channels=channels,
        recorder=recorder if settings.embedded else None,
    )
    in_app_channel = channels["in_app"]
    if isinstance(in_app_channel, InAppChannel):  # live push: announce each new item
        in_app_channel.announce = in_app_announcer(context.registry)
        in_app_channel.after_commit = context.after_commit
    app = create_app(context, engine=engine, identity_secret=identity_secret)
    return NotificationsComponent(
        settings=settings,
        app=app,
        context=context,
        engine=engine,
        worker=DeliveryWorker(context),
        fanout=FanoutWorker(context, push),
    )
