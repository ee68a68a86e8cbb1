"""API keys: Binance-style HMAC-SHA256 request signing, IP allow-lists and scopes.

A client holds a public key id (sent as ``X-BURENCY-APIKEY``) and a secret (never
sent). Each signed request carries ``timestamp`` (epoch ms), optionally
``recvWindow`` (ms, default 5000, at most 60000) and, as the *last* query parameter,
``signature``: the lowercase hex HMAC-SHA256, keyed with the secret, of
``totalParams`` = the query string exactly as sent minus ``&signature=...``,
followed by the raw body bytes. ``docs/api-keys.md`` has worked examples.

Why the strictness below:

* ``signature`` must appear exactly once and last, so "what was signed" is a plain
  prefix of the query string: no re-encoding or re-ordering that could let two
  parties disagree about what the MAC covers.
* ``timestamp``/``recvWindow`` must appear at most once (parameter pollution: the
  value checked here must be the value every service downstream reads) and are
  ASCII digits only (``str.isdigit`` also accepts Arabic-Indic or full-width
  digits, which ``int()`` happily parses).
* The query string must be ASCII: RFC 3986 requires other characters to be
  percent-encoded, and a rule about "the bytes as sent" needs one byte form.
* The MAC is compared with ``hmac.compare_digest`` (no timing oracle).

Every refusal is a :class:`~burency_common.errors.BurencyError` with a stable code and
a fixed message (:func:`api_key_error`): nothing here echoes a signature, a secret or
a parameter value. The module is pure (no I/O, nothing built at import time); the
gateway checks the cheap parts locally and the auth service, which holds the
secrets, runs :func:`verify_signed_request`.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote_plus

from burency_common.errors import BadRequest, BurencyError, PermissionDenied, Unauthenticated

__all__ = [
    "API_KEY_ERROR_CODES",
    "API_KEY_HEADER",
    "DEFAULT_RECV_WINDOW_MS",
    "FUTURE_TOLERANCE_MS",
    "MAX_RECV_WINDOW_MS",
    "SCOPES",
    "SignedRequest",
    "api_key_error",
    "check_timestamp",
    "ip_allowed",
    "is_valid_key_id",
    "new_api_key",
    "normalize_allow_list",
    "parse_signed_request",
    "scope_for",
    "sign",
    "verify_signed_request",
]

API_KEY_HEADER = "X-BURENCY-APIKEY"
DEFAULT_RECV_WINDOW_MS = 5000
MAX_RECV_WINDOW_MS = 60000
FUTURE_TOLERANCE_MS = 1000
"""A timestamp up to this far ahead of the server clock is accepted (client clock skew)."""

SCOPES = frozenset({"read", "trade", "withdraw"})
_READ_METHODS = frozenset({"GET", "HEAD"})

_KEY_ID = re.compile(r"[A-Za-z0-9_-]{32,128}")
_SIGNATURE = re.compile(r"[0-9a-f]{64}")
_DIGITS = re.compile(r"[0-9]{1,15}")  # [0-9], not \d: \d matches every Unicode digit
_MAX_TIMESTAMP_MS = 10**15 - 1
_WWW_AUTHENTICATE = {"WWW-Authenticate": 'ApiKey realm="burency"'}

_ERRORS: dict[str, tuple[type[BurencyError], str]] = {
    "API_KEY_SIGNATURE_MISSING": (Unauthenticated, "the request carries no signature"),
    "API_KEY_TIMESTAMP_MISSING": (Unauthenticated, "the request carries no timestamp"),
    "API_KEY_TIMESTAMP_INVALID": (
        Unauthenticated,
        "timestamp must appear once, as epoch milliseconds in ASCII digits",
    ),
    "API_KEY_RECV_WINDOW_INVALID": (
        BadRequest,
        f"recvWindow must appear at most once, as 1-{MAX_RECV_WINDOW_MS} ms in ASCII digits",
    ),
    "API_KEY_TIMESTAMP_OUTSIDE_RECV_WINDOW": (
        Unauthenticated,
        "timestamp is outside the recvWindow; check the client clock",
    ),
    "API_KEY_SIGNATURE_INVALID": (Unauthenticated, "the request signature is invalid"),
    "API_KEY_UNKNOWN": (Unauthenticated, "the API key is unknown"),
    "API_KEY_IP_NOT_ALLOWED": (PermissionDenied, "the API key may not be used from this address"),
    "API_KEY_SCOPE_MISSING": (PermissionDenied, "the API key lacks the scope for this request"),
}
API_KEY_ERROR_CODES = frozenset(_ERRORS)
"""Every code :func:`api_key_error` knows; anything else from a peer is not a client error."""


def api_key_error(code: str, detail: str | None = None) -> BurencyError:
    """The error for ``code`` with its class (401/400/403) and fixed message.

    Shared by the gateway and the auth service so that one code always has one status.
    ``detail`` may refine the message; it must never contain request data.
    """
    cls, message = _ERRORS[code]
    headers = _WWW_AUTHENTICATE if cls is Unauthenticated else None
    return cls(detail or message, code=code, headers=headers)


@dataclass(frozen=True)
class SignedRequest:
    """What a signature covers and claims; constructing one validates every field.

    Invalid values raise the matching :func:`api_key_error`, so the auth service can
    build one straight from its internal endpoint's JSON. The signature is kept out
    of ``repr`` so a logged request never carries it.
    """

    payload: bytes = field(repr=False)
    signature: str = field(repr=False)
    timestamp_ms: int
    recv_window_ms: int = DEFAULT_RECV_WINDOW_MS

    def __post_init__(self) -> None:
        if not isinstance(self.payload, bytes):
            raise TypeError("payload must be bytes")
        if not isinstance(self.signature, str) or not _SIGNATURE.fullmatch(self.signature):
            raise api_key_error("API_KEY_SIGNATURE_INVALID")
        if not _is_int(self.timestamp_ms) or not 0 <= self.timestamp_ms <= _MAX_TIMESTAMP_MS:
            raise api_key_error("API_KEY_TIMESTAMP_INVALID")
        if not _is_int(self.recv_window_ms) or not (0 < self.recv_window_ms <= MAX_RECV_WINDOW_MS):
            raise api_key_error("API_KEY_RECV_WINDOW_INVALID")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _name(segment: str) -> str:
    # Names are compared decoded: a service downstream decodes ``time%73tamp`` to
    # ``timestamp``, so it must count as one here too.
    return unquote_plus(segment.partition("=")[0])


def _single_value(segments: Sequence[str], name: str, code: str) -> str | None:
    values = [s.partition("=")[2] for s in segments if _name(s) == name]
    if len(values) > 1:
        raise api_key_error(code)
    return values[0] if values else None


def _digits(value: str, code: str) -> int:
    if not _DIGITS.fullmatch(value):
        raise api_key_error(code)
    return int(value)


def parse_signed_request(query_string: str, body: bytes) -> SignedRequest:
    """Split a raw query string (no leading ``?``) and body into what was signed and the claims.

    Checks shape only, not the MAC or the clock: see :func:`check_timestamp` and
    :func:`verify_signed_request`.
    """
    segments = query_string.split("&")
    positions = [i for i, segment in enumerate(segments) if _name(segment) == "signature"]
    if not positions:
        raise api_key_error("API_KEY_SIGNATURE_MISSING")
    if len(positions) > 1 or positions[0] != len(segments) - 1:
        raise api_key_error(
            "API_KEY_SIGNATURE_INVALID", "signature must appear once, as the last parameter"
        )
    signed = segments[:-1]
    raw_timestamp = _single_value(signed, "timestamp", "API_KEY_TIMESTAMP_INVALID")
    if raw_timestamp is None:
        raise api_key_error("API_KEY_TIMESTAMP_MISSING")
    timestamp = _digits(raw_timestamp, "API_KEY_TIMESTAMP_INVALID")
    raw_window = _single_value(signed, "recvWindow", "API_KEY_RECV_WINDOW_INVALID")
    window = (
        DEFAULT_RECV_WINDOW_MS
        if raw_window is None
        else _digits(raw_window, "API_KEY_RECV_WINDOW_INVALID")
    )
    total_query = "&".join(signed)
    if not total_query.isascii():
        raise api_key_error(
            "API_KEY_SIGNATURE_INVALID", "the query string must be ASCII (percent-encode it)"
        )
    return SignedRequest(
        payload=total_query.encode("ascii") + bytes(body),
        signature=segments[-1].partition("=")[2],
        timestamp_ms=timestamp,
        recv_window_ms=window,
    )


def _secret_bytes(secret: bytes | str) -> bytes:
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    if not isinstance(key, bytes) or not key:
        raise ValueError("secret must be non-empty bytes or str")
    return key


def _mac_hex(secret: bytes | str, payload: bytes) -> str:
    return hmac.new(_secret_bytes(secret), payload, hashlib.sha256).hexdigest()


def sign(secret: bytes | str, query_string: str, body: bytes = b"") -> str:
    """Client side: the ``signature`` value for ``query_string`` (without ``signature``) + body.

    Append it as ``query_string + "&signature=" + sign(...)`` and send both unchanged.
    """
    if not query_string.isascii():
        raise ValueError("query_string must be ASCII: percent-encode other characters")
    return _mac_hex(secret, query_string.encode("ascii") + body)


def check_timestamp(signed: SignedRequest, *, now_ms: int) -> None:
    """Accept iff ``timestamp < now + 1000`` and ``now - timestamp <= recvWindow``."""
    if not (
        signed.timestamp_ms < now_ms + FUTURE_TOLERANCE_MS
        and now_ms - signed.timestamp_ms <= signed.recv_window_ms
    ):
        raise api_key_error("API_KEY_TIMESTAMP_OUTSIDE_RECV_WINDOW")


def verify_signed_request(secret: bytes | str, signed: SignedRequest, *, now_ms: int) -> None:
    """Raise unless ``signed`` is fresh and its MAC matches ``secret`` (constant time).

    The clock is checked first: it is free, and a stale request is refused the same
    way whether or not its signature is right.
    """
    check_timestamp(signed, now_ms=now_ms)
    expected = _mac_hex(secret, signed.payload).encode("ascii")
    if not hmac.compare_digest(expected, signed.signature.encode("ascii")):
        raise api_key_error("API_KEY_SIGNATURE_INVALID")


def new_api_key() -> tuple[str, str]:
    """A fresh ``(key_id, secret)``: 256 random bits each, URL-safe (43 characters).

    The id is public (it names the key in headers and logs); the secret is shown to
    the user once and stored by the auth service, which needs it to verify MACs.
    """
    return secrets.token_urlsafe(32), secrets.token_urlsafe(32)


def is_valid_key_id(value: object) -> bool:
    """Whether ``value`` could be a key id (32-128 URL-safe characters); refuse others cheaply."""
    return isinstance(value, str) and _KEY_ID.fullmatch(value) is not None


def _address(ip: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # a dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d
    return address


def ip_allowed(ip: str | None, allow_list: Sequence[str]) -> bool:
    """Whether ``ip`` matches an entry (single address or CIDR, IPv4 or IPv6).

    An empty list allows any address. Otherwise it fails closed: an unknown or
    unparsable client address matches nothing, and an unparsable entry is skipped
    (:func:`normalize_allow_list` refuses such entries when a key is created).
    """
    if not allow_list:
        return True
    address = _address(ip) if ip else None
    if address is None:
        return False
    for entry in allow_list:
        try:
            network = ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            continue
        if address in network:
            return True
    return False


def normalize_allow_list(entries: Iterable[str]) -> tuple[str, ...]:
    """Canonical, de-duplicated CIDRs for storage; ``ValueError`` names the first bad entry.

    Host bits must be clear (``10.0.0.1/8`` is refused: it is probably a typo).
    """
    normalized: list[str] = []
    for entry in entries:
        try:
            network = ipaddress.ip_network(entry.strip(), strict=True)
        except ValueError:
            raise ValueError(f"not an IP address or CIDR: {entry!r}") from None
        if str(network) not in normalized:
            normalized.append(str(network))
    return tuple(normalized)


def scope_for(method: str) -> str:
    """The default scope a request needs: ``read`` for GET/HEAD, ``trade`` otherwise.

    Withdrawal routes require ``withdraw`` and must say so explicitly (the gateway's
    ``required_scope`` hook): a method alone cannot tell an order from a withdrawal.
    """
    return "read" if method.upper() in _READ_METHODS else "trade"
