"""Reads and writes of ``kyc_submissions`` inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from burency_users.adapters.orm import kyc_submissions
from burency_users.domain.kyc import SubmissionStatus
from burency_users.domain.records import SubmissionRecord

__all__ = [
    "SubmissionRecord",
    "decide",
    "find_submissions",
    "get_submission",
    "insert_submission",
    "submissions_of",
]


async def insert_submission(db: AsyncSession, record: SubmissionRecord) -> None:
    await db.execute(
        insert(kyc_submissions).values(
            id=record.id,
            user_id=record.user_id,
            level=record.level,
            status=record.status,
            documents=record.documents,
            submitted_at=record.submitted_at,
            decided_at=record.decided_at,
            decided_by=record.decided_by,
            reason=record.reason,
        )
    )


async def get_submission(db: AsyncSession, submission_id: str) -> SubmissionRecord | None:
    query = select(kyc_submissions).where(kyc_submissions.c.id == submission_id)
    row = (await db.execute(query)).mappings().first()
    return SubmissionRecord(**row) if row is not None else None


async def submissions_of(db: AsyncSession, user_id: str) -> list[SubmissionRecord]:
    query = (
        select(kyc_submissions)
        .where(kyc_submissions.c.user_id == user_id)
        .order_by(kyc_submissions.c.id)
    )
    return [SubmissionRecord(**row) for row in (await db.execute(query)).mappings()]


async def find_submissions(
    db: AsyncSession, *, status: str | None, level: int | None, cursor: str | None, limit: int
) -> tuple[list[SubmissionRecord], str | None]:
    """Oldest first (a review queue); ids are UUIDv7 so id order is submission order."""
    query = select(kyc_submissions).order_by(kyc_submissions.c.id).limit(limit + 1)
    if status is not None:
        query = query.where(kyc_submissions.c.status == status)
    if level is not None:
        query = query.where(kyc_submissions.c.level == level)
    if cursor:
        query = query.where(kyc_submissions.c.id > cursor)
    found = [SubmissionRecord(**row) for row in (await db.execute(query)).mappings()]
    next_cursor = found[limit - 1].id if len(found) > limit else None
    return found[:limit], next_cursor


async def decide(
    db: AsyncSession,
    submission_id: str,
    *,
    status: SubmissionStatus,
    decided_by: str,
    at: datetime,
    reason: str | None,
) -> bool:
    """Compare-and-set PENDING -> ``status``; False when someone decided it first."""
    result = await db.execute(
        update(kyc_submissions)
        .where(
            kyc_submissions.c.id == submission_id,
            kyc_submissions.c.status == SubmissionStatus.PENDING.value,
        )
        .values(status=status.value, decided_by=decided_by, decided_at=at, reason=reason)
    )
    return bool(getattr(result, "rowcount", 0) == 1)
