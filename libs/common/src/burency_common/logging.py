"""Structured JSON logging with a request id carried through every log line.

The app factory binds ``request_id`` (from the ``X-Request-ID`` header, or a new
one) into structlog's context variables for the duration of a request; the outbox
stores it in each event's ``trace`` and consumers bind it again, so one grep of a
request id follows an action across services.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog

from burency_common.logging_console import ConsoleLines
from burency_common.logging_fast import FastLogger, Pipeline, install, json_dumps, request_id_var
from burency_common.logging_lines import LineHandler, start_line_writer, write_line

__all__ = [
    "REQUEST_ID_HEADER",
    "bind_request_id",
    "configure_logging",
    "current_request_id",
    "get_logger",
    "reset_request_id",
    "set_request_id",
]

REQUEST_ID_HEADER = "X-Request-ID"
_SECRET_KEYS = (
    "password", "passphrase", "secret", "token", "authorization", "api_key", "api-key", "apikey",
    "cookie", "private_key", "privatekey", "mnemonic", "seed_phrase", "credential",
)  # fmt: skip
_SECRET_WORDS = frozenset({"otp", "pin", "cvv"})  # whole words only: "otp", "sms_otp", "otp_code"


_secret_key: dict[str, bool] = {}  # key -> looks secret (keys are the code's few names)


def _looks_secret(key: str) -> bool:
    known = _secret_key.get(key)
    if known is None:
        if len(_secret_key) >= 4096:
            _secret_key.clear()
        lowered = key.lower()
        words = set(lowered.replace("-", "_").split("_"))
        known = _secret_key[key] = any(m in lowered for m in _SECRET_KEYS) or not (
            words.isdisjoint(_SECRET_WORDS)
        )
    return known


def _redacted_mapping(value: dict[Any, Any]) -> dict[Any, Any]:
    """A copy of ``value`` with its secret-looking keys' values replaced (one level:
    ``headers={"authorization": ...}``), or ``value`` itself when it has none."""
    if not any(isinstance(key, str) and _looks_secret(key) for key in value):
        return value
    return {k: "***" if isinstance(k, str) and _looks_secret(k) else v for k, v in value.items()}


def _redact(event_dict: dict[str, Any]) -> None:
    known = _secret_key
    for key, value in event_dict.items():  # replacing values of existing keys is fine
        secret = known.get(key)
        if secret is None:
            secret = _looks_secret(key)
        if secret:
            event_dict[key] = "***"
        elif type(value) is dict:
            event_dict[key] = _redacted_mapping(value)


def _redact_secrets(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """Last line of defence: never let a value under a secret-looking key reach a log."""
    _redact(event_dict)
    return event_dict


class _StderrLogger:
    """Writes each rendered line to whatever ``sys.stderr`` is *now*.

    structlog's ``PrintLogger`` keeps the stream it was created with; after a test
    runner swaps and closes ``sys.stderr`` that stream is dead, so we look it up per line.
    """

    def msg(self, message: str) -> None:
        _write_line(message)

    debug = info = warning = warn = error = critical = exception = fatal = log = msg


_write_line = write_line  # lines from event-loop threads go out once per iteration


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
    renderer: Any = (
        structlog.processors.JSONRenderer(serializer=json_dumps) if json else ConsoleLines()
    )
    processors = [*shared, structlog.processors.format_exc_info, renderer]
    min_level: int = logging.getLevelName(level.upper())
    wrapper_class = structlog.make_filtering_bound_logger(min_level)
    structlog.configure(
        processors=processors,
        wrapper_class=wrapper_class,
        logger_factory=_stderr_logger_factory,
        context_class=dict,
        cache_logger_on_first_use=False,
    )
    install(
        Pipeline(processors, wrapper_class=wrapper_class, logger_factory=_stderr_logger_factory,
                 min_level=min_level, redact=_redact, render=renderer, write=_write_line)
    )  # fmt: skip
    start_line_writer()
    handler = LineHandler()
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
    """A structlog-compatible logger; ``name`` lands in the ``component`` field.

    It holds only its initial values, so loggers made at import time follow later
    configuration; lines go through ``logging_fast``'s pipeline while structlog is
    configured by :func:`configure_logging`, else through structlog's chain.
    """
    return FastLogger({"component": name} if name else {})


def current_request_id() -> str | None:
    """The request id bound to the current task, if any."""
    value = request_id_var().get()
    return str(value) if value is not None and value is not Ellipsis else None


def set_request_id(request_id: str) -> contextvars.Token[Any]:
    """Bind ``request_id`` (as ``bind_contextvars`` does) until :func:`reset_request_id`
    with the returned token, in the same task; the per-request form of
    :func:`bind_request_id` without its generator frames."""
    return request_id_var().set(request_id)


def reset_request_id(token: contextvars.Token[Any]) -> None:
    """Restore what was bound before :func:`set_request_id` returned ``token``."""
    request_id_var().reset(token)


@contextmanager
def bind_request_id(request_id: str | None) -> Iterator[None]:
    """Bind ``request_id`` to every log line written inside the block."""
    if request_id is None:
        yield
        return
    token = set_request_id(request_id)
    try:
        yield
    finally:
        reset_request_id(token)
