"""Compliance and support use cases: the KYC review queue, decisions, staff profile views.

Every staff action that reads documents or changes a user is written to the audit
log in the same transaction as its effect.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from burency_common.identity import Identity
from burency_users.adapters import audit_repo, kyc_repo, profiles_repo
from burency_users.adapters.audit_repo import AuditRecord
from burency_users.adapters.files_client import AccessUrl
from burency_users.adapters.kyc_repo import SubmissionRecord
from burency_users.adapters.profiles_repo import ProfileRecord
from burency_users.domain.errors import (
    CannotReviewSelf,
    KycAlreadyDecided,
    KycSubmissionNotFound,
    ProfileNotFound,
)
from burency_users.domain.kyc import SubmissionStatus
from burency_users.service.context import RequestMeta, UsersContext
from burency_users.service.kyc import announce

__all__ = [
    "DocumentLink",
    "decide_submission",
    "find_audit",
    "find_submissions",
    "submission_with_links",
    "view_profile",
]


@dataclass(frozen=True)
class DocumentLink:
    field: str
    file_id: str
    access: AccessUrl | None


async def view_profile(
    ctx: UsersContext, *, actor: Identity, user_id: str, meta: RequestMeta
) -> ProfileRecord:
    async with ctx.transaction() as db:
        profile = await profiles_repo.get_profile(db, user_id)
        if profile is None:
            raise ProfileNotFound()
        await ctx.audit(
            db, actor_id=actor.user_id, action="profile.view", target=f"user:{user_id}", meta=meta
        )
    return profile


async def find_submissions(
    ctx: UsersContext, *, status: str | None, level: int | None, cursor: str | None, limit: int
) -> tuple[list[SubmissionRecord], str | None]:
    async with ctx.transaction() as db:
        return await kyc_repo.find_submissions(
            db, status=status, level=level, cursor=cursor, limit=limit
        )


async def submission_with_links(
    ctx: UsersContext, *, actor: Identity, submission_id: str, meta: RequestMeta
) -> tuple[SubmissionRecord, list[DocumentLink]]:
    """The submission and a short-lived link per document, issued to the reviewer."""
    async with ctx.transaction() as db:
        submission = await kyc_repo.get_submission(db, submission_id)
    if submission is None:
        raise KycSubmissionNotFound()
    links = []
    for name, file_id in sorted(submission.documents.items()):
        access = await ctx.files.access_url(
            file_id,
            actor_id=actor.user_id,
            actor_roles=sorted(actor.roles),
            reason=f"kyc review {submission.id}",
        )
        links.append(DocumentLink(field=name, file_id=file_id, access=access))
    async with ctx.transaction() as db:
        await ctx.audit(
            db,
            actor_id=actor.user_id,
            action="kyc.view",
            target=f"user:{submission.user_id}",
            meta=meta,
            details={"submissionId": submission.id},
        )
    return submission, links


async def decide_submission(
    ctx: UsersContext,
    *,
    actor: Identity,
    submission_id: str,
    approve: bool,
    reason: str | None,
    meta: RequestMeta,
) -> SubmissionRecord:
    """Approve or reject a PENDING submission (compare-and-set: one decision wins)."""
    status = SubmissionStatus.APPROVED if approve else SubmissionStatus.REJECTED
    async with ctx.transaction() as db:
        submission = await kyc_repo.get_submission(db, submission_id)
        if submission is None:
            raise KycSubmissionNotFound()
        if submission.user_id == actor.user_id:
            raise CannotReviewSelf()
        profile = await profiles_repo.get_profile(db, submission.user_id, for_update=True)
        if profile is None:
            raise ProfileNotFound()
        now = ctx.clock.now()
        if not await kyc_repo.decide(
            db, submission_id, status=status, decided_by=actor.user_id, at=now, reason=reason
        ):
            raise KycAlreadyDecided()
        previous = profile.kyc_level
        level = max(previous, submission.level) if approve else previous
        if level != previous:
            await profiles_repo.update_profile(
                db, submission.user_id, {"kyc_level": level, "updated_at": now}
            )
        decided = await kyc_repo.get_submission(db, submission_id)
        assert decided is not None
        await _record_decision(
            ctx, db, decided, actor=actor, meta=meta, level=level, previous=previous
        )
    return decided


async def _record_decision(
    ctx: UsersContext,
    db: AsyncSession,
    decided: SubmissionRecord,
    *,
    actor: Identity,
    meta: RequestMeta,
    level: int,
    previous: int,
) -> None:
    """The event, the user's notification and the audit entry of a decision (same tx)."""
    approved = decided.status == SubmissionStatus.APPROVED
    await announce(
        ctx,
        db,
        decided,
        status="APPROVED" if approved else "REJECTED",
        level=level,
        previous_level=previous,
    )
    await ctx.audit(
        db,
        actor_id=actor.user_id,
        action="kyc.approve" if approved else "kyc.reject",
        target=f"user:{decided.user_id}",
        meta=meta,
        details={"submissionId": decided.id, "level": decided.level},
    )


async def find_audit(
    ctx: UsersContext,
    *,
    target: str | None,
    actor_id: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[AuditRecord], str | None]:
    async with ctx.transaction() as db:
        return await audit_repo.find_audit(
            db, target=target, actor_id=actor_id, cursor=cursor, limit=limit
        )
