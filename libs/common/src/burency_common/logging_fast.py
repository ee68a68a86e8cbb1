"""The configured log pipeline as one plain function, for the lines every request writes.

structlog runs a line through a lazy proxy that assembles a bound logger per call (the
proxy cannot cache it: loggers made at import time must follow later configuration), a
filtering method, ``_proxy_to_logger``, ``_process_event`` and six processors, and
``merge_contextvars`` walks every context variable of the task. In a serving process that
writes an access-log line per request this was ~10 % of the event loop. When structlog's
configuration is still exactly the one ``configure_logging`` installed, :class:`FastLogger`
builds the same event dict in the same key order, runs the same steps inline and hands it
to the same renderer, so the bytes are the same (property tests compare both paths);
anything else (``exception()``, ``%`` arguments, a test that configured structlog itself
or entered ``structlog.testing.capture_logs()``) takes structlog's own chain.

Bound values stay in structlog's context variables (``bind_contextvars`` elsewhere keeps
working); the fast merge reads the few variables structlog ever created instead of walking
the whole context, and walks like structlog only when two or more are bound (their order
in the line is the context's own).
"""

from __future__ import annotations

import contextvars
import datetime
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import structlog
from structlog import contextvars as structlog_contextvars
from structlog._config import _CONFIG
from structlog.processors import _json_fallback_handler, format_exc_info

__all__ = ["FastLogger", "Pipeline", "install", "iso_utc", "json_dumps", "request_id_var"]

_LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40, "critical": 50}
_PREFIX = structlog_contextvars.STRUCTLOG_KEY_PREFIX

Render = Callable[[Any, str, dict[str, Any]], Any]
Write = Callable[[str], None]
Redact = Callable[[dict[str, Any]], None]


class Pipeline:
    """``configure_logging``'s chain, valid while structlog's configuration is the same."""

    __slots__ = ("_expected", "_factory", "_processors", "_wrapper", "min_level", "redact",
                 "render", "write")  # fmt: skip

    def __init__(
        self,
        processors: list[Any],
        *,
        wrapper_class: type[Any],
        logger_factory: Callable[..., Any],
        min_level: int,
        redact: Redact,
        render: Render,
        write: Write,
    ) -> None:
        self._processors = processors  # the very list given to structlog.configure
        self._expected = list(processors)  # capture_logs() edits that list in place
        self._wrapper = wrapper_class
        self._factory = logger_factory
        self.min_level = min_level
        self.redact = redact
        self.render = render
        self.write = write

    def live(self) -> bool:
        """True while nobody (a test, ``capture_logs``) reconfigured structlog since."""
        config = _CONFIG
        return (
            config.default_processors is self._processors
            and self._processors == self._expected
            and config.default_wrapper_class is self._wrapper
            and config.logger_factory is self._factory
            and config.default_context_class is dict
        )

    def emit(self, method: str, context: dict[str, Any], event: Any, kw: dict[str, Any]) -> None:
        """What ``_process_event`` + the processors + ``_StderrLogger`` do, inline."""
        event_dict: Any = context.copy()  # processors may return another mapping
        event_dict.update(kw)
        if event is not None:
            event_dict["event"] = event
        _merge_context(event_dict)
        event_dict["level"] = method
        event_dict["timestamp"] = iso_utc(time.time_ns())
        self.redact(event_dict)
        if "exc_info" in event_dict:
            event_dict = format_exc_info(None, method, event_dict)
        self.write(self.render(None, method, event_dict))


_active: Pipeline | None = None


def install(pipeline: Pipeline | None) -> None:
    """Make ``pipeline`` the one :class:`FastLogger` uses (``configure_logging`` calls it)."""
    global _active  # noqa: PLW0603 - one configuration per process, like structlog's own
    _active = pipeline


class FastLogger:
    """The logger ``get_logger`` returns: structlog's API, the pipeline's speed.

    Holds only its initial values, so one made at import time follows whatever
    configuration is current when it writes.
    """

    __slots__ = ("_context",)

    def __init__(self, context: dict[str, Any]) -> None:
        self._context = context

    def _structlog(self) -> Any:
        return structlog.get_logger(**self._context)

    def _log(self, method: str, event: Any, args: tuple[Any, ...], kw: dict[str, Any]) -> Any:
        pipeline = _active
        if args or pipeline is None or not pipeline.live():
            return getattr(self._structlog(), method)(event, *args, **kw)
        if _LEVELS[method] >= pipeline.min_level:
            pipeline.emit(method, self._context, event, kw)
        return None

    def debug(self, event: Any, *args: Any, **kw: Any) -> Any:
        return self._log("debug", event, args, kw)

    def info(self, event: Any, *args: Any, **kw: Any) -> Any:
        return self._log("info", event, args, kw)

    def warning(self, event: Any, *args: Any, **kw: Any) -> Any:
        return self._log("warning", event, args, kw)

    def error(self, event: Any, *args: Any, **kw: Any) -> Any:
        return self._log("error", event, args, kw)

    def critical(self, event: Any, *args: Any, **kw: Any) -> Any:
        return self._log("critical", event, args, kw)

    def bind(self, **new_values: Any) -> FastLogger:
        return FastLogger({**self._context, **new_values})

    def __getattr__(self, name: str) -> Any:
        """``exception``, ``msg``, ``ainfo``... : structlog's own."""
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._structlog(), name)


_known: tuple[int, tuple[tuple[contextvars.ContextVar[Any], str], ...]] = (-1, ())


def _structlog_vars() -> tuple[tuple[contextvars.ContextVar[Any], str], ...]:
    """structlog's context variables with their keys (structlog only ever adds some)."""
    global _known  # noqa: PLW0603 - a cache, replaced whole (safe across threads)
    registry = structlog_contextvars._CONTEXT_VARS
    count, known = _known
    if count != len(registry):
        known = tuple((var, name[len(_PREFIX) :]) for name, var in list(registry.items()))
        _known = (len(known), known)
    return known


def _merge_context(event_dict: dict[str, Any]) -> None:
    """``merge_contextvars``: bound values the call did not pass, in the context's order."""
    bound: tuple[str, Any] | None = None
    for var, key in _structlog_vars():
        value = var.get()
        if value is not Ellipsis:
            if bound is not None:  # two or more: their order is the context's own
                structlog_contextvars.merge_contextvars(None, "", event_dict)
                return
            bound = (key, value)
    if bound is not None:
        event_dict.setdefault(*bound)


_request_id_var: contextvars.ContextVar[Any] | None = None


def request_id_var() -> contextvars.ContextVar[Any]:
    """structlog's own variable behind ``bind_contextvars(request_id=...)``.

    Setting it directly (a token, reset afterwards) is what ``bound_contextvars`` does in
    effect, without walking the context twice and two generator frames per request.
    """
    global _request_id_var  # noqa: PLW0603 - created once, on first use
    if _request_id_var is None:
        tokens = contextvars.Context().run(
            structlog_contextvars.bind_contextvars, request_id=Ellipsis
        )  # in an empty context: only registers the variable
        _request_id_var = tokens["request_id"].var
    return _request_id_var


_second: tuple[int, str] = (-1, "")


def iso_utc(nanoseconds: int) -> str:
    """``datetime.now(UTC).isoformat()`` with ``+00:00`` as ``Z`` (``TimeStamper(fmt="iso",
    utc=True)``), for a ``time.time_ns()`` reading: the date and time formatted once a second.
    """
    global _second  # noqa: PLW0603 - a cache, replaced whole (safe across threads)
    seconds, rest = divmod(nanoseconds, 1_000_000_000)
    known, text = _second
    if known != seconds:
        text = datetime.datetime.fromtimestamp(seconds, datetime.UTC).isoformat()[:19]
        _second = (seconds, text)
    micros = rest // 1000  # datetime.now() floors the clock to microseconds too
    return f"{text}.{micros:06d}Z" if micros else f"{text}Z"


def _make_encoder() -> Callable[[Any], str]:
    """``json.dumps(obj, default=structlog's fallback)`` (``JSONRenderer``'s call) without
    building a ``JSONEncoder`` and its C encoder for every line."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # no C accelerator: the plain encoder
        return json.JSONEncoder(default=_json_fallback_handler).encode
    markers: dict[int, Any] = {}  # the circular-reference check's, as json.dumps has
    encode = make(markers, _json_fallback_handler, json.encoder.encode_basestring_ascii,
                  None, ": ", ", ", False, False, True)  # fmt: skip
    encode_str = json.encoder.encode_basestring_ascii

    def dumps(obj: Any) -> str:
        if isinstance(obj, str):
            return str(encode_str(obj))
        try:
            return "".join(encode(obj, 0))
        except BaseException:
            markers.clear()  # an interrupted encoding leaves ids behind
            raise

    return dumps


_encoders = threading.local()  # the markers are per encoding: one encoder per thread


def json_dumps(obj: Any, **_: Any) -> str:
    """A ``JSONRenderer`` serializer writing exactly what its default ``json.dumps`` does."""
    try:
        dumps: Callable[[Any], str] = _encoders.dumps
    except AttributeError:
        dumps = _encoders.dumps = _make_encoder()
    return dumps(obj)
