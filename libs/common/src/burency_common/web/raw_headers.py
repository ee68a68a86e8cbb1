"""Adding headers to an ASGI ``http.response.start`` message without Starlette's
``MutableHeaders``: every middleware of a request pipeline adds a few headers to every
answer, and each ``MutableHeaders.setdefault`` scans the whole list again. Here the
names present are collected once and the missing headers appended. Names are matched
case-insensitively; the ones added are lower-case bytes, as ASGI has them.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import Message

__all__ = ["add_missing_headers", "encode_headers", "replace_header"]

RawHeader = tuple[bytes, bytes]


def encode_headers(headers: Iterable[tuple[str, str]]) -> tuple[RawHeader, ...]:
    """``(name, value)`` strings as ASGI's lower-case latin-1 byte pairs."""
    return tuple((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers)


def add_missing_headers(message: Message, headers: Iterable[RawHeader]) -> None:
    """Append each of ``headers`` whose name the message does not carry yet."""
    raw = list(message.get("headers", ()))
    present = {name.lower() for name, _ in raw}
    for name, value in headers:
        if name not in present:
            raw.append((name, value))
            present.add(name)
    message["headers"] = raw


def replace_header(message: Message, name: bytes, value: bytes) -> None:
    """Set header ``name`` (lower-case) to ``value``, dropping any value it had."""
    raw = [(k, v) for k, v in message.get("headers", ()) if k.lower() != name]
    raw.append((name, value))
    message["headers"] = raw
