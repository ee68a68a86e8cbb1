"""Audience segments of mass notifications: a tiny grammar over the recipient directory.

::

    segment   := "all" | "kyc_level" op level
    op        := ">=" | ">" | "=" | "<=" | "<"
    level     := "0" | "1" | "2" | "3"

``all`` is every user the service knows (the ``recipients`` directory, filled from
``user.registered``); a user's KYC level comes from ``kyc.status_changed`` (0 until
one arrives). Spaces are ignored: ``kyc_level >= 2`` equals ``kyc_level>=2``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from burency_common.errors import ValidationFailed
from burency_notifications.adapters.orm import recipient_kyc, recipients

__all__ = [
    "InvalidSegment",
    "Segment",
    "count_users",
    "members",
    "parse_segment",
    "users_after",
]

_GRAMMAR = re.compile(r"^(?:(all)|kyc_level(>=|<=|=|>|<)([0-3]))$")


class InvalidSegment(ValidationFailed):
    default_code = "INVALID_SEGMENT"
    title = "Unknown segment"


@dataclass(frozen=True)
class Segment:
    op: str | None = None  # None: everyone
    level: int = 0

    @property
    def text(self) -> str:
        return "all" if self.op is None else f"kyc_level{self.op}{self.level}"


def parse_segment(text: str) -> Segment:
    """Parse (raises :class:`InvalidSegment` naming the grammar)."""
    match = _GRAMMAR.match(re.sub(r"\s+", "", text or "").lower())
    if match is None:
        raise InvalidSegment(
            f"unknown segment {text[:64]!r}: use 'all' or 'kyc_level<op><0-3>' (op: >= > = <= <)"
        )
    if match.group(1):
        return Segment()
    return Segment(op=match.group(2), level=int(match.group(3)))


def members(segment: Segment, *, after: str | None, last: str) -> Select[tuple[str]]:
    """The segment's user ids in ``(after, last]`` (for set-based INSERT ... SELECT)."""
    query = _query(segment).where(recipients.c.user_id <= last)
    return query if after is None else query.where(recipients.c.user_id > after)


def _query(segment: Segment) -> Select[tuple[str]]:
    query = select(recipients.c.user_id)
    if segment.op is None:
        return query
    level = func.coalesce(recipient_kyc.c.level, 0)
    condition = {
        ">=": level >= segment.level,
        ">": level > segment.level,
        "=": level == segment.level,
        "<=": level <= segment.level,
        "<": level < segment.level,
    }[segment.op]
    return query.outerjoin(recipient_kyc, recipient_kyc.c.user_id == recipients.c.user_id).where(
        condition
    )


async def users_after(
    db: AsyncSession, segment: Segment, *, after: str | None, limit: int
) -> list[str]:
    """The next ``limit`` user ids of the segment after ``after`` (ordered by id)."""
    query = _query(segment).order_by(recipients.c.user_id).limit(limit)
    if after is not None:
        query = query.where(recipients.c.user_id > after)
    return [str(user_id) for user_id in await db.scalars(query)]


async def count_users(db: AsyncSession, segment: Segment) -> int:
    return int(await db.scalar(select(func.count()).select_from(_query(segment).subquery())) or 0)
