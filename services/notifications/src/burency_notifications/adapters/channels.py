"""Delivery channels behind one port, :class:`Channel`.

A channel raises :class:`TransientDeliveryError` when trying again later may work
(SMTP 4xx, connection refused, timeout) and :class:`PermanentDeliveryError` when it
cannot (SMTP 5xx, no address). Errors carry a short reason without addresses or
credentials: it goes to the delivery log.
"""

from __future__ import annotations

import asyncio
import os
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, ClassVar

import aiosmtplib
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from burency_common.ids import new_id
from burency_notifications.adapters.orm import in_app

__all__ = [
    "Channel",
    "DeliveryResult",
    "DeliverySkipped",
    "EmailChannel",
    "InAppChannel",
    "MailFileChannel",
    "OutboundMessage",
    "PermanentDeliveryError",
    "RecordingChannel",
    "TransientDeliveryError",
    "build_email",
]


class TransientDeliveryError(Exception):
    """Retry later."""


class PermanentDeliveryError(Exception):
    """Never retry."""


class DeliverySkipped(PermanentDeliveryError):
    """Nothing to send to (e.g. ``no_phone``): recorded as ``skipped``, never retried."""


@dataclass(frozen=True)
class OutboundMessage:
    delivery_id: str
    notification_id: str
    event: str
    channel: str
    user_id: str
    address: str | None
    subject: str
    text: str
    html: str
    sms: str
    push: str
    link: str | None = None  # in-app: the web app path the item opens (live push only)


@dataclass(frozen=True)
class DeliveryResult:
    provider_id: str


class Channel(ABC):
    # True when a send is local and repeating it for the same delivery id is harmless
    # (the recorder, a mail file named after the delivery): the delivery worker then
    # leases and records such deliveries a batch at a time instead of one by one.
    local: ClassVar[bool] = False

    @abstractmethod
    async def send(self, message: OutboundMessage) -> DeliveryResult: ...


@dataclass
class EmailChannel(Channel):
    """SMTP with aiosmtplib: a multipart/alternative message (text, then HTML)."""

    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    timeout: float = 10.0

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        if not message.address:
            raise PermanentDeliveryError("no email address")
        email = build_email(message, self.sender)
        try:
            await aiosmtplib.send(
                email,
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                start_tls=self.starttls,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPResponseException as exc:
            reason = f"smtp {exc.code}"
            if 400 <= exc.code < 500:
                raise TransientDeliveryError(reason) from exc
            raise PermanentDeliveryError(reason) from exc
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise _refused(exc) from exc
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            raise TransientDeliveryError(f"smtp {type(exc).__name__}") from exc
        return DeliveryResult(provider_id=str(email["Message-ID"]))


def build_email(message: OutboundMessage, sender: str) -> EmailMessage:
    """A multipart/alternative message (text, then HTML)."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.address or ""
    email["Subject"] = message.subject
    email["Message-ID"] = f"<{message.delivery_id}@burency>"
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    return email


def _refused(exc: aiosmtplib.SMTPRecipientsRefused) -> Exception:
    """RCPT TO refused: 4xx (greylisting, mailbox busy) is worth retrying, 5xx is not."""
    codes = sorted({refused.code for refused in exc.recipients})
    reason = "smtp rcpt " + ",".join(str(code) for code in codes)
    if codes and all(code >= 500 for code in codes):
        return PermanentDeliveryError(reason)
    return TransientDeliveryError(reason)


@dataclass
class InAppChannel(Channel):
    """Writes the in-app feed item in the service's own database."""

    sessions: async_sessionmaker[AsyncSession]
    now: Any  # Callable[[], datetime]
    # Called in the item's transaction (the outbox event ``notification.in_app.created``
    # that the gateway pushes over Socket.IO), then the hooks after the commit.
    announce: Callable[[AsyncSession, dict[str, Any]], Awaitable[None]] | None = None
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    def _item(self, message: OutboundMessage, created: datetime) -> dict[str, Any]:
        return {
            "id": new_id(),
            "user_id": message.user_id,
            "notification_id": message.notification_id,
            "event": message.event,
            "title": message.subject[:255],
            "body": message.push[:2000],
            "created_at": created,
        }

    async def write(self, db: AsyncSession, messages: Sequence[OutboundMessage]) -> list[str]:
        """Insert the feed items and their announcements in the caller's transaction (the
        delivery worker records the deliveries as sent in the same one: exactly once)."""
        created: datetime = self.now()
        items = [self._item(message, created) for message in messages]
        if items:
            await db.execute(insert(in_app), [{**item, "read_at": None} for item in items])
        if self.announce is not None:
            for item, message in zip(items, messages, strict=True):
                await self.announce(db, {**item, "link": message.link})
        return [item["id"] for item in items]

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        async with self.sessions() as db, db.begin():
            [item_id] = await self.write(db, [message])
        for hook in self.after_commit:
            hook()
        return DeliveryResult(provider_id=item_id)


@dataclass
class RecordingChannel(Channel):
    """Embedded mode: keeps what would have been sent (``GET /v1/dev/outbox``)."""

    local: ClassVar[bool] = True
    keep: int = 500
    sent: deque[OutboundMessage] = field(default_factory=deque)
    # embedded mode: each e-mail's subject and links echoed to the operator's console
    echo: Callable[[OutboundMessage], None] | None = None

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        if self.echo is not None and message.channel == "email":
            self.echo(message)
        self.sent.append(message)
        while len(self.sent) > self.keep:
            self.sent.popleft()
        return DeliveryResult(provider_id=f"recorded-{message.delivery_id}")


@dataclass
class MailFileChannel(Channel):
    """Embedded mode's e-mail: each message is written as an ``.eml`` file into
    ``directory`` (owner-only: 0700, files 0600) and kept by the recorder too.

    This is how a developer running ``burency up`` opens a verification or reset link:
    from the mail file, the way its owner would from a mailbox. The link is never
    printed to a log and never reaches the in-app feed.
    """

    local: ClassVar[bool] = True  # the file is named after the delivery: rewriting it is harmless

    directory: Path
    recorder: RecordingChannel
    sender: str = "Burency <no-reply@burency.com>"

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        if not message.address:
            raise PermanentDeliveryError("no email address")
        data = build_email(message, self.sender).as_bytes()
        await asyncio.to_thread(_write_private, self.directory, f"{message.delivery_id}.eml", data)
        return await self.recorder.send(message)


def _write_private(directory: Path, name: str, data: bytes) -> None:
    """Create ``directory/name`` owner-only from the first byte (never write-then-chmod)."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if directory.stat().st_mode & 0o077:
        directory.chmod(0o700)
    fd = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # a file left by someone else with a wider mode is tightened
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
