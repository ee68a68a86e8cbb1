"""Structured JSON logging with a request id carried through every log line.

The app factory binds ``request_id`` (from the ``X-Request-ID`` header, or a new
one) into structlog's context variables for the duration of a request; the outbox
stores it in each event's ``trace`` and consumers bind it again, so one grep of a
request id follows an action across services.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog

from burency_common.logging_console import ConsoleLines

__all__ = [
    "REQUEST_ID_HEADER",
    "bind_request_id",
    "configure_logging",
    "current_request_id",
    "get_logger",
]

REQUEST_ID_HEADER = "X-Request-ID"
_SECRET_KEYS = ("password", "secret", "token", "authorization", "api_key", "apikey", "cookie")


_secret_key: dict[str, bool] = {}  # key -> looks secret (keys are the code's few names)


def _looks_secret(key: str) -> bool:
    known = _secret_key.get(key)
    if known is None:
        if len(_secret_key) >= 4096:
            _secret_key.clear()
        lowered = key.lower()
        known = _secret_key[key] = any(marker in lowered for marker in _SECRET_KEYS)
    return known


def _redact_secrets(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """Last line of defence: never let a value under a secret-looking key reach a log."""
    for key in list(event_dict):
        if _looks_secret(key):
            event_dict[key] = "***"
    return event_dict


class _StderrLogger:
    """Writes each rendered line to whatever ``sys.stderr`` is *now*.

    structlog's ``PrintLogger`` keeps the stream it was created with; after a test
    runner swaps and closes ``sys.stderr`` that stream is dead, so we look it up per line.
    """

    def msg(self, message: str) -> None:
        stream = sys.stderr
        stream.write(message + "\n")
        stream.flush()

    debug = info = warning = warn = error = critical = exception = fatal = log = msg


def _stderr_logger_factory(*_: Any) -> _StderrLogger:
    return _StderrLogger()


def configure_logging(*, level: str = "INFO", json: bool = True) -> None:
    """Configure structlog and the stdlib root logger (idempotent; call from a composition root)."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact_secrets,
    ]
    renderer: Any = structlog.processors.JSONRenderer() if json else ConsoleLines()
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=_stderr_logger_factory,
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


def get_logger(name: str | None = None) -> Any:
    """A structlog logger; ``name`` lands in the ``component`` field."""
    # Initial values keep the proxy lazy, so loggers made at import time follow later config.
    return structlog.get_logger(component=name) if name else structlog.get_logger()


def current_request_id() -> str | None:
    """The request id bound to the current task, if any."""
    value = structlog.contextvars.get_contextvars().get("request_id")
    return str(value) if value is not None else None


@contextmanager
def bind_request_id(request_id: str | None) -> Iterator[None]:
    """Bind ``request_id`` to every log line written inside the block."""
    if request_id is None:
        yield
        return
    with structlog.contextvars.bound_contextvars(request_id=request_id):
        yield
