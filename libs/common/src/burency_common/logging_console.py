"""The console's log lines (``burency up``'s default), written directly.

structlog's ``ConsoleRenderer`` builds each line column by column through formatter
objects and ``StringIO``; in a serving process that renders one access-log line per
request it was most of the line's cost (~24 µs against ~14 µs for JSON). This renderer
writes the very same line, byte for byte, for the common case (a property test compares
the two on generated events); a line with an exception or a stack goes to structlog's.

The line: ``timestamp [level    ] event<padded to 30> [logger] [logger_name] k=v ...``
(keys sorted, a string value bare unless it holds a space, tab, ``=``, a quote or a
line break, then ``repr``; any other value ``repr``), each column only when present,
trailing spaces removed.
"""

from __future__ import annotations

import re
from typing import Any

import structlog

__all__ = ["ConsoleLines"]

_LEVEL_WIDTH = len("exception")  # the longest level name structlog pads to
_EVENT_WIDTH = 30
_NEEDS_QUOTES = re.compile("[ \t=\r\n\"']").search  # ~3x cheaper than a set per value
_COLUMNS = frozenset({"timestamp", "level", "event", "logger", "logger_name"})
_OWN_FORMAT = frozenset({"exception", "exc_info", "stack"})


class ConsoleLines:
    """A structlog processor rendering ``ConsoleRenderer(colors=False)``'s line."""

    def __init__(self) -> None:
        self._structlog = structlog.dev.ConsoleRenderer(colors=False)

    def __call__(self, logger: Any, name: str, event_dict: dict[str, Any]) -> str:
        if not _OWN_FORMAT.isdisjoint(event_dict):
            rendered: str = self._structlog(logger, name, event_dict)
            return rendered
        parts: list[str] = []
        if "timestamp" in event_dict:
            parts.append(str(event_dict["timestamp"]))
        if "level" in event_dict:
            parts.append(f"[{str(event_dict['level']).ljust(_LEVEL_WIDTH)}]")
        if "event" in event_dict:
            parts.append(str(event_dict["event"]).ljust(_EVENT_WIDTH))
        if "logger" in event_dict:
            parts.append(f"[{event_dict['logger']}]")
        if "logger_name" in event_dict:
            parts.append(f"[{event_dict['logger_name']}]")
        for key in sorted(event_dict):
            if key not in _COLUMNS:
                value = event_dict[key]
                if isinstance(value, str) and not _NEEDS_QUOTES(value):
                    parts.append(f"{key}={value}")
                else:
                    parts.append(f"{key}={value!r}")
        return " ".join([part for part in parts if part]).rstrip(" ")
