"""Request and response bodies of the files API (camelCase on the wire)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from burency_common.api import ApiModel
from burency_common.web.openapi import ProblemDocument as Problem
from burency_common.web.openapi import problem_responses as problems

__all__ = [
    "AccessEntryOut",
    "AccessPage",
    "AccessUrlIn",
    "FileOut",
    "FilesPage",
    "InternalFileOut",
    "InternalUrlOut",
    "Problem",
    "UrlOut",
    "problems",
]

KindName = Literal["avatar", "kyc_document", "kyc_selfie", "proof_of_address", "attachment"]
VisibilityName = Literal["public", "private"]


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


class InternalUrlOut(UrlOut):
    content_type: str = Field(description="decided from the bytes at upload")
    original_name: str = Field(description="the uploader's file name (sanitised)")


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
    original_name: str
    content_type: str
    size: int
    sha256: str
    visibility: VisibilityName
    deleted: bool


class AccessUrlIn(ApiModel):
    actor_id: str = Field(min_length=1, max_length=64)
    actor_roles: list[str] = Field(default_factory=list, max_length=16)
    reason: str = Field(min_length=1, max_length=500)
