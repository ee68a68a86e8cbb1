"""KYC use cases of the user: submit a level, see the level and the history.

Level 1 needs no review: it is approved on submission when the profile is complete.
Levels 2 and 3 reference files the user uploaded; each is checked with the files
service (exists, not deleted, owned by the user, of the right kind) before anything
is written, and the submission then waits in the compliance queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from burency_common.events.kyc import KYC_STATUS_CHANGED, KycStatus, KycStatusChanged
from burency_common.ids import new_id
from burency_users.adapters import kyc_repo, profiles_repo
from burency_users.adapters.kyc_repo import SubmissionRecord
from burency_users.adapters.profiles_repo import ProfileRecord
from burency_users.domain.errors import (
    InvalidKycDocument,
    KycLevelAlreadyReached,
    KycPreviousLevelRequired,
    KycSubmissionPending,
    ProfileIncomplete,
    ProfileNotFound,
)
from burency_users.domain.kyc import (
    DOCUMENT_KINDS,
    LEVEL_DOCUMENTS,
    SubmissionStatus,
    check_level_order,
)
from burency_users.domain.profile import missing_for_level_1
from burency_users.service.context import UsersContext

__all__ = ["KycView", "announce", "kyc_view", "submit"]


@dataclass(frozen=True)
class KycView:
    level: int
    submissions: list[SubmissionRecord]


async def announce(
    ctx: UsersContext,
    db: AsyncSession,
    submission: SubmissionRecord,
    *,
    status: KycStatus,
    level: int,
    previous_level: int,
) -> None:
    """Emit ``kyc.status_changed`` (and, for decisions, the user's notification)."""
    payload = KycStatusChanged(
        user_id=submission.user_id,
        submission_id=submission.id,
        requested_level=submission.level,
        status=status,
        level=level,
        previous_level=previous_level,
        reason=submission.reason if status == "REJECTED" else None,
        decided_by=submission.decided_by if status != "SUBMITTED" else None,
        changed_at=ctx.clock.now(),
    )
    await ctx.outbox.emit(db, payload, event_type=KYC_STATUS_CHANGED)
    if status == "SUBMITTED":
        return
    data: dict[str, object] = {"submissionId": submission.id, "level": level}
    if status == "REJECTED":
        data["reason"] = submission.reason
    event = "kyc.approved" if status == "APPROVED" else "kyc.rejected"
    await ctx.outbox.notify(db, user_id=submission.user_id, event=event, data=data)


def _check_document_fields(level: int, documents: dict[str, str]) -> None:
    wanted = LEVEL_DOCUMENTS[level]
    errors = [
        {"field": f"documents.{name}", "message": "required", "code": "REQUIRED"}
        for name in wanted
        if not documents.get(name)
    ] + [
        {"field": f"documents.{name}", "message": "not part of this level", "code": "UNEXPECTED"}
        for name in documents
        if name not in wanted
    ]
    ids = [documents[name] for name in wanted if documents.get(name)]
    if len(set(ids)) != len(ids):
        errors.append({"field": "documents", "message": "files must differ", "code": "DUPLICATE"})
    if errors:
        names = ", ".join(e["field"] for e in errors)
        raise InvalidKycDocument(f"invalid documents: {names}", details=errors)


async def _check_files(ctx: UsersContext, user_id: str, documents: dict[str, str]) -> None:
    errors = []
    for name, file_id in documents.items():
        info = await ctx.files.get_file(file_id)
        if info is None or info.deleted or info.owner_id != user_id:
            errors.append({"field": f"documents.{name}", "message": "no such file", "code": "NF"})
        elif info.kind != DOCUMENT_KINDS[name]:
            message = f"must be a {DOCUMENT_KINDS[name]} file"
            errors.append({"field": f"documents.{name}", "message": message, "code": "KIND"})
    if errors:
        names = ", ".join(e["field"] for e in errors)
        raise InvalidKycDocument(f"invalid documents: {names}", details=errors)


def _check_order(profile: ProfileRecord | None, level: int) -> ProfileRecord:
    if profile is None:
        raise ProfileNotFound()
    problem = check_level_order(profile.kyc_level, level)
    if problem == "reached":
        raise KycLevelAlreadyReached(f"KYC level {profile.kyc_level} already reached")
    if problem == "previous":
        raise KycPreviousLevelRequired(f"KYC level {level - 1} is required first")
    return profile


async def _has_pending(db: AsyncSession, user_id: str) -> bool:
    return any(
        s.status == SubmissionStatus.PENDING for s in await kyc_repo.submissions_of(db, user_id)
    )


async def submit(
    ctx: UsersContext, *, user_id: str, level: int, documents: dict[str, str]
) -> SubmissionRecord:
    """Record a submission for ``level`` (approving level 1 at once)."""
    _check_document_fields(level, documents)
    async with ctx.transaction() as db:  # cheap checks before asking the files service
        _check_order(await profiles_repo.get_profile(db, user_id), level)
        if await _has_pending(db, user_id):
            raise KycSubmissionPending()
    await _check_files(ctx, user_id, documents)
    try:
        async with ctx.transaction() as db:
            profile = _check_order(
                await profiles_repo.get_profile(db, user_id, for_update=True), level
            )
            if await _has_pending(db, user_id):
                raise KycSubmissionPending()
            if level == 1:
                return await _approve_level_1(ctx, db, profile)
            record = SubmissionRecord(
                id=new_id(), user_id=user_id, level=level,
                status=SubmissionStatus.PENDING.value, documents=documents,
                submitted_at=ctx.clock.now(), decided_at=None, decided_by=None, reason=None,
            )  # fmt: skip
            await kyc_repo.insert_submission(db, record)
            current = profile.kyc_level
            await announce(
                ctx, db, record, status="SUBMITTED", level=current, previous_level=current
            )
            return record
    except IntegrityError:  # a concurrent submission won the one-pending index
        raise KycSubmissionPending() from None


async def _approve_level_1(
    ctx: UsersContext, db: AsyncSession, profile: ProfileRecord
) -> SubmissionRecord:
    missing = missing_for_level_1(profile.as_dict())
    if missing:
        details = [{"field": name, "message": "required", "code": "REQUIRED"} for name in missing]
        raise ProfileIncomplete(
            "complete your profile first: " + ", ".join(missing), details=details
        )
    now = ctx.clock.now()
    record = SubmissionRecord(
        id=new_id(), user_id=profile.user_id, level=1, status=SubmissionStatus.APPROVED.value,
        documents={}, submitted_at=now, decided_at=now, decided_by="system", reason=None,
    )  # fmt: skip
    await kyc_repo.insert_submission(db, record)
    await profiles_repo.update_profile(db, profile.user_id, {"kyc_level": 1, "updated_at": now})
    await announce(ctx, db, record, status="SUBMITTED", level=0, previous_level=0)
    await announce(ctx, db, record, status="APPROVED", level=1, previous_level=0)
    return record


async def kyc_view(ctx: UsersContext, *, user_id: str) -> KycView:
    async with ctx.transaction() as db:
        profile = await profiles_repo.get_profile(db, user_id)
        if profile is None:
            raise ProfileNotFound()
        history = await kyc_repo.submissions_of(db, user_id)
    return KycView(level=profile.kyc_level, submissions=history)
