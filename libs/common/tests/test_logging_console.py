"""The console renderer writes structlog's ConsoleRenderer(colors=False) line, byte for
byte, whatever the event holds; exceptions and stacks are structlog's own."""

from __future__ import annotations

import sys
from typing import Any

import structlog
from hypothesis import given
from hypothesis import strategies as st

from burency_common.logging_console import ConsoleLines

KEYS = st.one_of(
    st.sampled_from(["timestamp", "event", "logger", "logger_name", "request_id"]),
    st.text(st.characters(codec="ascii", exclude_characters="\x00"), min_size=1, max_size=12),
)
VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "a b", "x=y", "it's", 'say "hi"', "tab\there", "line\nbreak"]),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=3),
)


LEVELS = st.sampled_from(["debug", "info", "warning", "error", "critical", "exception", ""])


@given(st.dictionaries(KEYS, VALUES, max_size=10), st.one_of(st.none(), LEVELS))
def test_the_line_is_structlogs(event: dict[str, Any], level: str | None) -> None:
    event.pop("level", None)  # a level is a name (add_log_level): structlog pads it
    if level is not None:
        event["level"] = level
    expected = structlog.dev.ConsoleRenderer(colors=False)(None, "info", dict(event))
    assert ConsoleLines()(None, "info", dict(event)) == expected


def test_an_access_line_and_an_exception() -> None:
    line = ConsoleLines()(None, "info", {
        "timestamp": "2026-12-02T15:00:00.123456Z", "level": "info", "event": "http.request",
        "component": "burency.access", "status": 201, "duration_ms": 1.23, "user_id": None,
    })  # fmt: skip
    assert line == (
        "2026-12-02T15:00:00.123456Z [info     ] http.request                   "
        "component=burency.access duration_ms=1.23 status=201 user_id=None"
    )
    try:
        raise ValueError("boom")
    except ValueError:
        failed = {"level": "error", "event": "crashed", "exc_info": sys.exc_info()}
        rendered = ConsoleLines()(None, "error", dict(failed))
    assert rendered.startswith("[error    ] crashed")
    assert "ValueError: boom" in rendered
