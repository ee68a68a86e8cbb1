"""Delivery rules both adapters share: parsing wire bytes, retrying handlers, failure reasons.

Keeping them in one place is what makes the two adapters behave the same under the
contract suite: the same bytes are malformed for both, a handler gets the same number of
attempts, and a dead letter carries the same reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import structlog
from pydantic import ValidationError

from burency_common.bus.port import RetryPolicy
from burency_common.events import EventEnvelope

__all__ = [
    "MAX_REASON_LENGTH",
    "BusStoppedError",
    "Outcome",
    "call_with_retry",
    "failure_reason",
    "parse_envelope",
    "redact",
]

_log = logging.getLogger("burency_common.bus")

MAX_REASON_LENGTH = 500
_MALFORMED = "malformed envelope"
# Exception messages end up in DLQ headers that operators read: strip what looks secret.
_SECRET_ASSIGNMENT = re.compile(
    r"(?i)\b(password|passwd|pwd|secret|token|api[_-]?key|authorization|cookie)"
    r"([\"']?\s*[=:]\s*[\"']?)[^\s,;\"'&]+"
)
_URL_CREDENTIALS = re.compile(r"(://[^/\s:@]+:)[^@\s/]+@")

T = TypeVar("T")


class BusStoppedError(RuntimeError):
    """The bus stopped before a message could be handled; it was neither handled nor dropped."""


@dataclass(frozen=True)
class Outcome:
    """How handling one message ended: handled, or failed ``attempts`` times with ``reason``."""

    handled: bool
    attempts: int
    reason: str = ""


def redact(text: str) -> str:
    """Mask values that look like credentials (``password=...``, ``scheme://user:pw@``)."""
    text = _URL_CREDENTIALS.sub(r"\1***@", text)
    return _SECRET_ASSIGNMENT.sub(r"\1\2***", text)


def _truncate(text: str, limit: int = MAX_REASON_LENGTH) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def failure_reason(exc: BaseException) -> str:
    """``"ValueError: message"``: one line, secrets masked, at most ``MAX_REASON_LENGTH``."""
    message = " ".join(str(exc).split())
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return _truncate(redact(text))


def _describe_invalid(exc: Exception) -> str:
    # Never echo the input: a malformed message may well contain personal data.
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "envelope"
        return f"{exc.error_count()} validation error(s), first: {where}: {first['msg']}"
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON: {exc.msg} at position {exc.pos}"
    return f"{type(exc).__name__}"


def parse_envelope(raw: bytes | None) -> EventEnvelope | str:
    """The envelope in ``raw``, or the dead-letter reason (``"malformed envelope: ..."``)."""
    if raw is None:
        return f"{_MALFORMED}: empty message"
    try:
        return EventEnvelope.from_bytes(raw)
    except (ValueError, TypeError) as exc:  # JSON, UTF-8 and pydantic errors are ValueErrors
        return _truncate(f"{_MALFORMED}: {_describe_invalid(exc)}")


async def _interrupted_during(abort: asyncio.Event | None, delay: float) -> bool:
    """Back off for ``delay`` seconds; True if ``abort`` was set meanwhile (stop/rebalance)."""
    if abort is None:
        await asyncio.sleep(delay)
        return False
    if abort.is_set():
        return True
    try:
        await asyncio.wait_for(abort.wait(), timeout=delay)
    except TimeoutError:
        return False
    return True


def _event_log_context(item: object) -> contextlib.AbstractContextManager[object]:
    """Bind the producer's request id and the event id to every log line of the handler."""
    if not isinstance(item, EventEnvelope):
        return contextlib.nullcontext()
    return structlog.contextvars.bound_contextvars(
        request_id=item.trace.request_id, event_id=item.id, event_type=item.type
    )


async def call_with_retry(
    handler: Callable[[T], Awaitable[None]],
    item: T,
    policy: RetryPolicy,
    *,
    describe: str,
    abort: asyncio.Event | None = None,
) -> Outcome | None:
    """Call ``handler(item)`` up to ``policy.max_attempts`` times with backoff in between.

    Returns ``None`` when ``abort`` was set during a backoff: the message is then neither
    handled nor dead-lettered, and the caller must leave it for redelivery.
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            with _event_log_context(item):
                await handler(item)
        except Exception as exc:
            reason = failure_reason(exc)
            if attempt >= policy.max_attempts:
                _log.error(
                    "bus handler gave up on %s after %d attempts: %s", describe, attempt, reason
                )
                return Outcome(handled=False, attempts=attempt, reason=reason)
            _log.warning("bus handler failed on %s (attempt %d): %s", describe, attempt, reason)
        else:
            return Outcome(handled=True, attempts=attempt)
        if await _interrupted_during(abort, policy.delay(attempt)):
            _log.warning("bus retry of %s interrupted by stop or rebalance", describe)
            return None
