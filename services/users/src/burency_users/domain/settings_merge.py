"""JSON Merge Patch (RFC 7396) of the UI settings: ``PATCH /v1/settings``.

Two browser tabs that each change one preference must not overwrite each other's,
so a client sends only what it changes and the service merges it into the stored
object in one transaction. Pure function over JSON values.
"""

from __future__ import annotations

from typing import Any

__all__ = ["merge_patch"]


def merge_patch(target: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """``target`` with ``patch`` merged in, as RFC 7396 defines it.

    A key whose patch value is ``null`` is removed; an object merges into an object
    key by key (recursively); anything else (string, number, list, or an object
    replacing a non-object) replaces the stored value. Neither argument is changed.
    The caller bounds the patch's depth, so the recursion is bounded too.
    """
    merged = dict(target)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict):
            current = merged.get(key)
            merged[key] = merge_patch(current if isinstance(current, dict) else {}, value)
        else:
            merged[key] = value
    return merged
