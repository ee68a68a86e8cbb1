"""Request and response bodies of the files API (camelCase on the wire)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from burency_common.api import ApiModel
from burency_common.errors import PROBLEM_JSON

__all__ = [
    "AccessEntryOut",
    "AccessPage",
    "AccessUrlIn",
    "FileOut",
    "FilesPage",
    "InternalFileOut",
    "Problem",
    "UrlOut",
    "problems",
]

KindName = Literal["avatar", "kyc_document", "kyc_selfie", "proof_of_address", "attachment"]
VisibilityName = Literal["public", "private"]


class Problem(BaseModel):
    """RFC 9457 problem details, as every error is answered."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[dict[str, Any]] | None = None
    instance: str | None = None
    requestId: str | None = None  # noqa: N815 - wire name


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for error statuses answered as problem+json."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {
        status: {"description": "error", "content": {PROBLEM_JSON: {"schema": schema}}}
        for status in statuses
    }


class FileOut(ApiModel):
    id: str
    owner_id: str
    kind: KindName
    original_name: str
    content_type: str
    size: int
    sha256: str
    visibility: VisibilityName
    created_at: str
    public_url: str | None = None
    thumbnail_url: str | None = None


class FilesPage(ApiModel):
    items: list[FileOut]
    next_cursor: str | None = None


class UrlOut(ApiModel):
    url: str
    expires_at: str


class AccessEntryOut(ApiModel):
    id: str
    file_id: str
    actor_id: str
    actor_roles: list[str]
    action: str
    reason: str | None = None
    request_id: str | None = None
    ip: str | None = None
    at: str


class AccessPage(ApiModel):
    items: list[AccessEntryOut]
    next_cursor: str | None = None


class InternalFileOut(ApiModel):
    id: str
    owner_id: str
    kind: KindName
    content_type: str
    size: int
    sha256: str
    visibility: VisibilityName
    deleted: bool


class AccessUrlIn(ApiModel):
    actor_id: str = Field(min_length=1, max_length=64)
    actor_roles: list[str] = Field(default_factory=list, max_length=16)
    reason: str = Field(min_length=1, max_length=500)
