"""Who is calling: the client address as a service behind the gateway sees it."""

from __future__ import annotations

from starlette.requests import HTTPConnection

__all__ = ["MAX_IP_CHARS", "client_ip"]

MAX_IP_CHARS = 64


def client_ip(request: HTTPConnection) -> str:
    """The client address for throttling, sessions and the audit log.

    The gateway *appends* the address it saw to ``X-Forwarded-For``, so the last entry is
    the one a client cannot forge (anything the client sent stands before it). Without
    the header (a direct call in tests, a service reached without the gateway) it is the
    TCP peer; ``"unknown"`` when there is none. At most 64 characters.
    """
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded:
        last = forwarded.split(",")[-1].strip()
        if last:
            return last[:MAX_IP_CHARS]
    return request.client.host[:MAX_IP_CHARS] if request.client else "unknown"
