"""One canonical request path, decided once at the edge from the bytes the client sent.

Every decision the gateway makes about a request (route rule, access, rate-limit class,
API-key scope) and the path the upstream service receives must be the *same string*;
otherwise ``/api/banking/v1/x/../transfers/internal`` is checked as a harmless path and
served as a money-moving one. :func:`canonical_path` computes that string from the raw
request target (``scope["raw_path"]``: ASGI's ``scope["path"]`` is already
percent-decoded, so ``%2F`` and ``/`` are indistinguishable there):

1. percent-escapes of *unreserved* characters (``A-Z a-z 0-9 - . _ ~``) are decoded;
   every other escape is kept, its hex upper-cased (``%3b`` → ``%3B``);
2. a raw byte outside RFC 3986 ``pchar`` (non-ASCII, ``"``, ``{``, ``|``...) is
   percent-encoded, so the result is plain ASCII that no HTTP client re-encodes;
3. dot segments (``.``/``..``, also spelled ``%2e``) are resolved (RFC 3986 §5.2.4);
4. runs of ``/`` collapse to one.

Refused with 400 ``AMBIGUOUS_PATH`` (the request never reaches a check or a service):
an encoded ``/`` (``%2F``) or ``\\`` (``%5C``), a raw backslash, NUL or any control
character (raw or escaped), a malformed escape (``%zz``), escapes that do not decode to
UTF-8, a target that does not start with ``/``, and a ``..`` that climbs out of the root
or out of ``/api/<service>`` (``/api/users/v1/../../banking/...``).

The result is idempotent: ``canonical_path(canonical_path(x).encode()) ==
canonical_path(x)``, and :func:`decoded_path` of it is what an ASGI server puts in
``scope["path"]`` when that string is the raw path. Background and tests:
``docs/security/gateway-paths.md``.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, unquote_to_bytes

from burency_common.errors import BadRequest

__all__ = [
    "AMBIGUOUS_PATH",
    "AmbiguousPath",
    "canonical_path",
    "decoded_path",
    "raw_target",
    "walk_path",
]

AMBIGUOUS_PATH = "AMBIGUOUS_PATH"
_HEX = frozenset(b"0123456789abcdefABCDEF")
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# pchar = unreserved / pct-encoded / sub-delims / ":" / "@"; plus "/" between segments.
_KEPT_RAW = _UNRESERVED | frozenset(b"!$&'()*+,;=:@/")
_FORBIDDEN_ESCAPES = frozenset({0x2F, 0x5C})  # "/" and "\": segment boundaries in disguise
_PREFIX_DEPTH = 2  # ["api", "<service>"]: a ".." may not climb out of these
# A path that is already canonical as sent (the usual case: ``/api/trading/v1/orders/42``):
# only characters kept raw, no "%", no empty segment ("//") and no segment starting with
# a dot (so no dot segment). Every step of the module doc leaves such a path unchanged,
# so it is answered without walking it byte by byte.
_PLAIN_CHARS = re.compile(rb"/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*")


class AmbiguousPath(BadRequest):
    """The request path has no single meaning the gateway could check and forward."""

    default_code = AMBIGUOUS_PATH
    title = "Ambiguous request path"


def _is_control(byte: int) -> bool:
    return byte < 0x20 or byte == 0x7F


def _normalise_bytes(raw: bytes) -> str:
    """Steps 1 and 2: the path with only the escapes that must stay, in upper case."""
    out: list[str] = []
    i, size = 0, len(raw)
    while i < size:
        byte = raw[i]
        if byte == 0x25:  # "%"
            pair = raw[i + 1 : i + 3]
            if len(pair) != 2 or not set(pair) <= _HEX:
                raise AmbiguousPath("the path has a malformed percent-escape")
            value = int(pair, 16)
            if value in _FORBIDDEN_ESCAPES or _is_control(value):
                raise AmbiguousPath("the path encodes a slash, backslash or control character")
            out.append(chr(value) if value in _UNRESERVED else f"%{value:02X}")
            i += 3
            continue
        if byte == 0x5C or _is_control(byte):
            raise AmbiguousPath("the path contains a backslash or control character")
        out.append(chr(byte) if byte in _KEPT_RAW else f"%{byte:02X}")
        i += 1
    return "".join(out)


def _climbs_out(output: list[str]) -> bool:
    """Whether removing the last kept segment leaves the root or ``/api/<service>``."""
    return not output or (output[0] == "api" and len(output) <= _PREFIX_DEPTH)


def _resolve(path: str) -> str:
    """Steps 3 and 4 over an already normalised ``/``-rooted path."""
    segments = path[1:].split("/")
    output: list[str] = []
    trailing = False
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment in ("", "."):
            trailing = last
            continue
        if segment == "..":
            if _climbs_out(output):
                raise AmbiguousPath("the path climbs out of its service with '..'")
            output.pop()
            trailing = last
            continue
        output.append(segment)
        trailing = False
    if not output:
        return "/"
    return "/" + "/".join(output) + ("/" if trailing else "")


def canonical_path(raw: bytes) -> str:
    """The canonical form of a raw request path (no query string); see the module doc.

    Raises :class:`AmbiguousPath` (400 ``AMBIGUOUS_PATH``) for a path with no single
    meaning.
    """
    if _PLAIN_CHARS.fullmatch(raw) is not None and b"//" not in raw and b"/." not in raw:
        return raw.decode("ascii")
    return walk_path(raw)


def walk_path(raw: bytes) -> str:
    """:func:`canonical_path` by every step of the module doc, without the shortcut for a
    path that is canonical as sent (the tests check the two agree)."""
    if not raw.startswith(b"/"):
        raise AmbiguousPath("the request target must be an absolute path")
    canonical = _resolve(_normalise_bytes(raw))
    try:
        unquote_to_bytes(canonical).decode("utf-8")
    except UnicodeDecodeError:
        raise AmbiguousPath("the path's percent-escapes are not UTF-8") from None
    return canonical


def decoded_path(canonical: str) -> str:
    """``scope["path"]`` for ``canonical`` as ``raw_path``: percent-decoded, UTF-8."""
    return unquote(canonical, errors="strict")


def raw_target(path: str, raw_path: object) -> bytes:
    """The client's raw path: ``raw_path`` when the server kept it (uvicorn, hypercorn do),
    otherwise ``path`` re-encoded (a decoded ``%2F`` is then lost; nothing can tell)."""
    if isinstance(raw_path, bytes):
        return raw_path
    return quote(path, safe="/!$&'()*+,;=:@-._~").encode("ascii")
