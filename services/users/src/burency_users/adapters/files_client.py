"""``FilesClient``: the user service's view of the files service's internal API.

The user service never reads file contents; it asks the files service whether an id
names a live file of the right owner and kind, and for short-lived links a reviewer
can open. Every request carries a freshly signed ``service:users`` identity. Any
transport failure or 5xx becomes ``FILES_UNAVAILABLE`` (503): the caller's request
cannot be decided without the files service, and saying so beats a silent 500.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from burency_common.identity import IDENTITY_HEADER, Identity, sign_identity
from burency_common.logging import get_logger
from burency_common.timeutil import parse_iso, utc_now
from burency_users.domain.errors import FilesUnavailable
from burency_users.domain.profile import FILE_ID_PATTERN

__all__ = ["FILE_ID_PATTERN", "AccessUrl", "FileInfo", "FilesClient"]

_FILE_ID = re.compile(FILE_ID_PATTERN)
_SERVICE = Identity(user_id="service:users", roles=frozenset({"service"}))
_log = get_logger("burency.users.files")


@dataclass(frozen=True)
class FileInfo:
    id: str
    owner_id: str
    kind: str
    content_type: str
    size: int
    visibility: str
    deleted: bool


@dataclass(frozen=True)
class AccessUrl:
    url: str
    expires_at: datetime
    content_type: str | None = None  # what the link serves (None: an older files service)
    original_name: str | None = None  # the uploader's file name, as the files service keeps it


def _optional_text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


class FilesClient:
    """Calls ``/internal/v1/files/...`` through ``http`` (base URL already set)."""

    def __init__(
        self, http: httpx.AsyncClient | None, *, identity_secret: bytes, owns_http: bool = False
    ) -> None:
        self._http = http
        self._secret = identity_secret
        self._owns_http = owns_http

    @classmethod
    def from_url(cls, url: str, *, identity_secret: bytes, timeout: float) -> FilesClient:
        http = httpx.AsyncClient(base_url=url, timeout=timeout)
        return cls(http, identity_secret=identity_secret, owns_http=True)

    async def aclose(self) -> None:
        if self._owns_http and self._http is not None:
            await self._http.aclose()

    async def get_file(self, file_id: str) -> FileInfo | None:
        """The file's metadata, or None when no such file exists."""
        if not _FILE_ID.match(file_id):
            return None
        response = await self._request("GET", f"/internal/v1/files/{quote(file_id)}")
        if response.status_code == 404:
            return None
        body = self._json(response)
        try:
            return FileInfo(
                id=str(body["id"]),
                owner_id=str(body["ownerId"]),
                kind=str(body["kind"]),
                content_type=str(body.get("contentType", "")),
                size=int(body.get("size", 0)),
                visibility=str(body.get("visibility", "")),
                deleted=bool(body.get("deleted", False)),
            )
        except (KeyError, TypeError, ValueError):
            raise FilesUnavailable("the files service answered unexpectedly") from None

    async def access_url(
        self, file_id: str, *, actor_id: str, actor_roles: list[str], reason: str
    ) -> AccessUrl | None:
        """A presigned link for ``actor_id`` (the files service audit-logs it); None if gone."""
        if not _FILE_ID.match(file_id):
            return None
        body = {"actorId": actor_id, "actorRoles": actor_roles, "reason": reason}
        path = f"/internal/v1/files/{quote(file_id)}/access-url"
        response = await self._request("POST", path, json=body)
        if response.status_code == 404:
            return None
        data = self._json(response)
        try:
            return AccessUrl(
                url=str(data["url"]),
                expires_at=parse_iso(str(data["expiresAt"])),
                content_type=_optional_text(data.get("contentType")),
                original_name=_optional_text(data.get("originalName")),
            )
        except (KeyError, TypeError, ValueError):
            raise FilesUnavailable("the files service answered unexpectedly") from None

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if self._http is None:
            raise FilesUnavailable("the files service is not configured")
        header = sign_identity(_SERVICE, secret=self._secret, now=utc_now())
        try:
            response = await self._http.request(
                method, path, headers={IDENTITY_HEADER: header}, **kwargs
            )
        except httpx.HTTPError as exc:
            _log.warning("files.unreachable", error=type(exc).__name__)
            raise FilesUnavailable() from None
        if response.status_code != 404 and response.status_code >= 300:
            _log.warning("files.error", status=response.status_code)
            raise FilesUnavailable()
        return response

    @staticmethod
    def _json(response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            raise FilesUnavailable("the files service answered unexpectedly") from None
        if not isinstance(body, dict):
            raise FilesUnavailable("the files service answered unexpectedly")
        return body
