"""KYC and audit bodies of the user API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from burency_common.api import ApiModel
from burency_common.timeutil import to_iso_ms
from burency_users.domain.records import AuditRecord, SubmissionRecord
from burency_users.entrypoints.http.schemas import FileId

__all__ = [
    "AuditEntryOut",
    "AuditPage",
    "DocumentLinkOut",
    "KycDocumentsIn",
    "KycOut",
    "KycSubmissionIn",
    "RejectIn",
    "SubmissionDetailOut",
    "SubmissionOut",
    "SubmissionsPage",
    "audit_out",
    "submission_out",
]

SubmissionStatusName = Literal["PENDING", "APPROVED", "REJECTED"]


class KycDocumentsIn(ApiModel):
    """Ids of files uploaded to the files service; level 2 needs the first three, 3 the last."""

    document_front: FileId | None = Field(default=None, description="`kyc_document` file")
    document_back: FileId | None = Field(default=None, description="`kyc_document` file")
    selfie: FileId | None = Field(default=None, description="`kyc_selfie` file")
    proof_of_address: FileId | None = Field(default=None, description="`proof_of_address` file")

    def as_wire(self) -> dict[str, str]:
        dumped = self.model_dump(by_alias=True, exclude_none=True)
        return {str(k): str(v) for k, v in dumped.items()}


class KycSubmissionIn(ApiModel):
    level: Literal[1, 2, 3]
    documents: KycDocumentsIn = Field(default_factory=KycDocumentsIn)


class RejectIn(ApiModel):
    reason: str = Field(min_length=3, max_length=500)


class SubmissionOut(ApiModel):
    id: str
    user_id: str
    level: int
    status: SubmissionStatusName
    documents: dict[str, str]
    submitted_at: str
    decided_at: str | None
    decided_by: str | None
    reason: str | None


class DocumentLinkOut(ApiModel):
    field: str
    file_id: str
    url: str | None = Field(description="null when the file no longer exists")
    expires_at: str | None
    content_type: str | None = Field(
        description="what the link serves (image/jpeg, image/png, application/pdf; decided "
        "from the bytes at upload); null when the file no longer exists",
    )
    original_name: str | None = Field(
        description="the uploader's file name (sanitised); null when gone"
    )


class SubmissionDetailOut(SubmissionOut):
    links: list[DocumentLinkOut]


class SubmissionsPage(ApiModel):
    items: list[SubmissionOut]
    next_cursor: str | None = None


class KycOut(ApiModel):
    level: int = Field(ge=0, le=3)
    status: Literal["NONE", "PENDING", "APPROVED", "REJECTED"] = Field(
        description="status of the latest submission (the last item of `submissions`)"
    )
    submissions: list[SubmissionOut] = Field(
        description="every submission of the user, oldest first (submission order: ids are "
        "UUIDv7); the last item is the latest"
    )


class AuditEntryOut(ApiModel):
    id: str
    actor_id: str
    action: str
    target: str | None
    details: dict[str, Any]
    request_id: str | None
    at: str


class AuditPage(ApiModel):
    items: list[AuditEntryOut]
    next_cursor: str | None = None


def submission_out(record: SubmissionRecord) -> SubmissionOut:
    return SubmissionOut(
        id=record.id,
        user_id=record.user_id,
        level=record.level,
        status=record.status,
        documents=dict(record.documents),
        submitted_at=to_iso_ms(record.submitted_at),
        decided_at=to_iso_ms(record.decided_at) if record.decided_at else None,
        decided_by=record.decided_by,
        reason=record.reason,
    )


def audit_out(record: AuditRecord) -> AuditEntryOut:
    return AuditEntryOut(
        id=record.id,
        actor_id=record.actor_id,
        action=record.action,
        target=record.target,
        details=record.details,
        request_id=record.request_id,
        at=to_iso_ms(record.at),
    )
