"""Small string helpers shared by services: case conversion, slugs, log masking,
safe file names and timing-safe comparison."""

from __future__ import annotations

import hmac
import re
import unicodedata

__all__ = [
    "constant_time_equals",
    "mask_secret",
    "sanitize_filename",
    "slugify",
    "to_camel",
    "to_snake",
    "truncate",
]

_MASK = "****"
_MAX_FILENAME = 255
_UNSAFE_FILENAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_SNAKE_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_SNAKE_BOUNDARY = re.compile(r"([a-z0-9])([A-Z])")
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")
# Device names Windows refuses as file names, with or without an extension.
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"COM{i}" for i in range(1, 10)]
    + [f"LPT{i}" for i in range(1, 10)]
)


def to_camel(snake: str) -> str:
    """``"user_id" -> "userId"``; leading/doubled underscores are dropped."""
    parts = [p for p in snake.split("_") if p]
    if not parts:
        return ""
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def to_snake(camel: str) -> str:
    """``"userId" -> "user_id"``, ``"HTTPResponseCode" -> "http_response_code"``."""
    text = _SNAKE_ACRONYM.sub(r"\1_\2", camel)
    text = _SNAKE_BOUNDARY.sub(r"\1_\2", text)
    return text.replace("-", "_").lower()


def _ascii_fold(text: str) -> str:
    """Drop accents (``"é" -> "e"``) and anything else that has no ASCII form."""
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode("ascii")


def slugify(text: str, *, max_length: int | None = None) -> str:
    """Lowercase ASCII words joined by ``-`` (``"Héllo, World!" -> "hello-world"``).

    Characters with no ASCII form are dropped, so the result may be empty.
    """
    slug = _SLUG_JUNK.sub("-", _ascii_fold(text).lower()).strip("-")
    if max_length is not None:
        slug = slug[:max_length].rstrip("-")
    return slug


def mask_secret(value: str, visible: int = 4) -> str:
    """Hide a secret for logs: ``"sk_live_abcdefgh" -> "****efgh"``.

    The mask is always four stars, so the secret's length is not leaked, and the
    last ``visible`` characters are only shown when they are at most a third of the
    value; short secrets come back as ``"****"`` alone.
    """
    if visible < 0:
        raise ValueError("visible must not be negative")
    if visible == 0 or len(value) < 3 * visible:
        return _MASK
    return _MASK + value[-visible:]


def truncate(text: str, n: int, ellipsis: str = "…") -> str:
    """Cut ``text`` to at most ``n`` characters, ending in ``ellipsis`` when cut."""
    if n < 0:
        raise ValueError("n must not be negative")
    if len(text) <= n:
        return text
    if n <= len(ellipsis):
        return ellipsis[:n]
    return text[: n - len(ellipsis)] + ellipsis


def sanitize_filename(name: str) -> str:
    """A safe, portable base name for storing a user-supplied file name.

    Directory parts are dropped, accents folded to ASCII, and every run of
    characters outside ``[A-Za-z0-9._-]`` (control characters, spaces, slashes,
    non-Latin letters) becomes ``_``. The result never starts with a dot (no hidden
    files, no ``..``), never names a Windows device, keeps its extension where
    possible, is at most 255 characters long and is never empty (``"file"``).
    """
    base = re.split(r"[/\\]", name)[-1]
    cleaned = _UNSAFE_FILENAME_CHARS.sub("_", _ascii_fold(base))
    stem, dot, ext = cleaned.rpartition(".")
    if not dot:
        stem, ext = cleaned, ""
    stem = stem.strip("._-")
    ext = ext.strip("._-")
    if not stem:
        stem = "file"
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem = "_" + stem
    suffix = f".{ext}" if ext else ""
    if len(suffix) > _MAX_FILENAME // 2:  # not a real extension: keep it in the stem
        stem, suffix = stem + suffix, ""
    return stem[: _MAX_FILENAME - len(suffix)] + suffix


def constant_time_equals(a: str | bytes, b: str | bytes) -> bool:
    """Compare secrets (tokens, HMACs) in time independent of where they differ.

    ``str`` values are compared as UTF-8; mixing ``str`` and ``bytes`` is a
    ``TypeError`` rather than a silent ``False``.
    """
    if isinstance(a, str) and isinstance(b, str):
        return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
    if isinstance(a, bytes) and isinstance(b, bytes):
        return hmac.compare_digest(a, b)
    raise TypeError("constant_time_equals needs two str or two bytes values")
