"""CPU cost of the per-request logging work: one access-log line and one request-id bind.

Every serving process writes one ``http.request`` line per request and binds the request
id around it (``RequestContextMiddleware``). Measures CPU µs per operation
(``time.process_time`` over many calls, the best of interleaved rounds, so both sides see
the same machine load) for:

- the access-log line, JSON and console renderers: *before* = structlog's chain as
  ``configure_logging`` configured it before the fast path (``JSONRenderer()``, the old
  redaction processor, a lazy ``structlog.get_logger`` proxy), *after* = ``get_logger``'s
  ``FastLogger`` under today's ``configure_logging``;
- binding and unbinding the request id: *before* = ``bound_contextvars`` in a
  ``contextmanager`` (the old ``bind_request_id``), *after* = ``set_request_id`` /
  ``reset_request_id`` (the middleware's), and reading it (``current_request_id``).

Lines go to a line-buffered ``/dev/null`` stream in place of stderr (one ``write`` system
call per line, as stderr has). The task's context holds six unrelated variables plus
structlog's ``event_id``/``event_type`` registered but unbound, as a serving process has.
"""

from __future__ import annotations

import contextvars
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import structlog
from _common import write_result

from burency_common import logging as blog
from burency_common.logging_console import ConsoleLines

CALLS = int(os.environ.get("BENCH_CALLS", "20000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
FIELDS = {"method": "POST", "route": "/api/trading/v1/orders", "status": 201,
          "duration_ms": 1.23, "user_id": "01JF5K2M3N4P5Q6R7S8T9V0W1X"}  # fmt: skip


def _old_redact(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    for key in list(event_dict):
        if blog._looks_secret(key):
            event_dict[key] = "***"
    return event_dict


def _configure_before(json: bool) -> None:
    """``configure_logging`` as it was: structlog's chain only."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _old_redact,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer() if json else ConsoleLines(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(20),
        logger_factory=blog._stderr_logger_factory,
        cache_logger_on_first_use=False,
    )
    blog.install(None)


@contextmanager
def _old_bind(request_id: str) -> Iterator[None]:
    with structlog.contextvars.bound_contextvars(request_id=request_id):
        yield


def _cpu_us(operation: Callable[[], object]) -> float:
    operation()
    started = time.process_time()
    for _ in range(CALLS):
        operation()
    return (time.process_time() - started) / CALLS * 1e6


def _access_line(json: bool) -> dict[str, float]:
    before_log = structlog.get_logger(component="burency.access")
    after_log = blog.get_logger("burency.access")
    best = {"before": float("inf"), "after": float("inf")}
    with blog.bind_request_id("01JF5K2M3N4P5Q6R7S8T9V0W1Y"):
        for _ in range(ROUNDS):
            _configure_before(json)
            best["before"] = min(
                best["before"], _cpu_us(lambda: before_log.info("http.request", **FIELDS))
            )
            blog.configure_logging(json=json)
            best["after"] = min(
                best["after"], _cpu_us(lambda: after_log.info("http.request", **FIELDS))
            )
    return best


def _bind() -> dict[str, float]:
    def before() -> None:
        with _old_bind("01JF5K2M3N4P5Q6R7S8T9V0W1Y"):
            pass

    def after() -> None:
        blog.reset_request_id(blog.set_request_id("01JF5K2M3N4P5Q6R7S8T9V0W1Y"))

    def read_before() -> object:
        return structlog.contextvars.get_contextvars().get("request_id")

    best = dict.fromkeys(("before", "after", "read_before", "read_after"), float("inf"))
    with blog.bind_request_id("01JF5K2M3N4P5Q6R7S8T9V0W1Y"):
        for _ in range(ROUNDS):
            for name, operation in (("before", before), ("after", after),
                                    ("read_before", read_before),
                                    ("read_after", blog.current_request_id)):  # fmt: skip
                best[name] = min(best[name], _cpu_us(operation))
    return best


def _measure() -> dict[str, Any]:
    for index in range(6):
        contextvars.ContextVar(f"bench_other_{index}").set(index)
    structlog.contextvars.bind_contextvars(event_id=None, event_type=None)
    structlog.contextvars.unbind_contextvars("event_id", "event_type")
    figures: dict[str, Any] = {}
    for renderer, json in (("json", True), ("console", False)):
        line = _access_line(json)
        figures[f"access_line_{renderer}_cpu_us_before"] = round(line["before"], 2)
        figures[f"access_line_{renderer}_cpu_us_after"] = round(line["after"], 2)
        figures[f"access_line_{renderer}_speedup"] = round(line["before"] / line["after"], 2)
    bind = _bind()
    figures["request_id_bind_cpu_us_before"] = round(bind["before"], 2)
    figures["request_id_bind_cpu_us_after"] = round(bind["after"], 2)
    figures["request_id_bind_speedup"] = round(bind["before"] / bind["after"], 2)
    figures["request_id_read_cpu_us_before"] = round(bind["read_before"], 2)
    figures["request_id_read_cpu_us_after"] = round(bind["read_after"], 2)
    figures["calls_per_round"], figures["rounds"] = CALLS, ROUNDS
    return figures


def main() -> None:
    stderr = sys.stderr
    sys.stderr = open(os.devnull, "w", buffering=1)  # noqa: SIM115 - restored below
    try:
        figures = contextvars.copy_context().run(_measure)
    finally:
        sys.stderr.close()
        sys.stderr = stderr
    write_result("logging_access", figures)


if __name__ == "__main__":
    main()
