"""Staff endpoints under ``/v1/admin``: profiles (support), KYC review (compliance), audit."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from burency_common.identity import Identity
from burency_common.permissions import require_permission
from burency_common.timeutil import to_iso_ms
from burency_users.entrypoints.http.deps import Ctx, Meta
from burency_users.entrypoints.http.kyc_schemas import (
    AuditPage,
    DocumentLinkOut,
    RejectIn,
    SubmissionDetailOut,
    SubmissionOut,
    SubmissionsPage,
    audit_out,
    submission_out,
)
from burency_users.entrypoints.http.profile import profile_out
from burency_users.entrypoints.http.schemas import ProfileOut, ProfilePatchIn, problems
from burency_users.service import profiles, review

__all__ = ["admin_router"]

UserId = Annotated[str, Path(min_length=1, max_length=64)]
SubmissionId = Annotated[str, Path(min_length=1, max_length=36)]
Limit = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[str | None, Query(max_length=64)]
Reader = Annotated[Identity, Depends(require_permission("users.read"))]
Writer = Annotated[Identity, Depends(require_permission("users.write"))]
Reviewer = Annotated[Identity, Depends(require_permission("kyc.review"))]
Auditor = Annotated[Identity, Depends(require_permission("audit.read"))]


async def get_user_profile(user_id: UserId, ctx: Ctx, meta: Meta, actor: Reader) -> ProfileOut:
    return profile_out(await review.view_profile(ctx, actor=actor, user_id=user_id, meta=meta))


async def patch_user_profile(
    user_id: UserId, body: ProfilePatchIn, ctx: Ctx, meta: Meta, actor: Writer
) -> ProfileOut:
    updated = await profiles.update_profile(
        ctx, user_id=user_id, changes=body.to_changes(), actor=actor, meta=meta
    )
    return profile_out(updated)


async def list_submissions(
    ctx: Ctx,
    _: Reviewer,
    status: Literal["PENDING", "APPROVED", "REJECTED"] | None = None,
    level: Annotated[int | None, Query(ge=1, le=3)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> SubmissionsPage:
    found, next_cursor = await review.find_submissions(
        ctx, status=status, level=level, cursor=cursor, limit=limit
    )
    return SubmissionsPage(items=[submission_out(s) for s in found], next_cursor=next_cursor)


async def get_submission(
    submission_id: SubmissionId, ctx: Ctx, meta: Meta, actor: Reviewer
) -> SubmissionDetailOut:
    record, links = await review.submission_with_links(
        ctx, actor=actor, submission_id=submission_id, meta=meta
    )
    return SubmissionDetailOut(
        **submission_out(record).model_dump(),
        links=[
            DocumentLinkOut(
                field=link.field,
                file_id=link.file_id,
                url=link.access.url if link.access else None,
                expires_at=to_iso_ms(link.access.expires_at) if link.access else None,
                content_type=link.access.content_type if link.access else None,
                original_name=link.access.original_name if link.access else None,
            )
            for link in links
        ],
    )


async def approve(
    submission_id: SubmissionId, ctx: Ctx, meta: Meta, actor: Reviewer
) -> SubmissionOut:
    record = await review.decide_submission(
        ctx, actor=actor, submission_id=submission_id, approve=True, reason=None, meta=meta
    )
    return submission_out(record)


async def reject(
    submission_id: SubmissionId, body: RejectIn, ctx: Ctx, meta: Meta, actor: Reviewer
) -> SubmissionOut:
    record = await review.decide_submission(
        ctx, actor=actor, submission_id=submission_id, approve=False, reason=body.reason, meta=meta
    )
    return submission_out(record)


async def audit_log(
    ctx: Ctx,
    _: Auditor,
    target: Annotated[str | None, Query(max_length=200)] = None,
    actor_id: Annotated[str | None, Query(alias="actorId", max_length=64)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> AuditPage:
    found, next_cursor = await review.find_audit(
        ctx, target=target, actor_id=actor_id, cursor=cursor, limit=limit
    )
    return AuditPage(items=[audit_out(a) for a in found], next_cursor=next_cursor)


def admin_router() -> APIRouter:
    router = APIRouter(prefix="/v1/admin", tags=["admin"], responses=problems(401, 403, 422))
    add = router.add_api_route
    add(
        "/users/{user_id}/profile",
        get_user_profile,
        methods=["GET"],
        responses=problems(404),
        summary="A user's profile",
    )
    add(
        "/users/{user_id}/profile",
        patch_user_profile,
        methods=["PATCH"],
        responses=problems(404, 503),
        summary="Correct a user's profile (audited)",
    )
    add(
        "/kyc/submissions",
        list_submissions,
        methods=["GET"],
        tags=["kyc"],
        summary="KYC submissions (review queue), cursor-paged",
    )
    add(
        "/kyc/submissions/{submission_id}",
        get_submission,
        methods=["GET"],
        responses=problems(404, 503),
        tags=["kyc"],
        summary="One KYC submission with links to its documents (access is logged)",
    )
    decided = problems(404, 409)
    add(
        "/kyc/submissions/{submission_id}/approve",
        approve,
        methods=["POST"],
        responses=decided,
        summary="Approve a KYC submission: the user reaches its level",
    )
    add(
        "/kyc/submissions/{submission_id}/reject",
        reject,
        methods=["POST"],
        responses=decided,
        summary="Reject a KYC submission with a reason",
    )
    add("/audit-log", audit_log, methods=["GET"], summary="Staff actions on profiles and KYC")
    return router
