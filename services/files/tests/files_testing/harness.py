"""Test harness of the files service: the real service behind httpx's ASGI transport,
signed identity headers, and downloads through the URLs it hands out."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, select

from burency_common.identity import Identity
from burency_common.timeutil import ManualClock
from burency_files.adapters.orm import files
from burency_files.component import FilesComponent, build_component
from burency_files.settings import FilesSettings
from burency_testing.service_harness import HarnessParts, RunningService, ServiceHarness

BASE_URL = "http://files"


@dataclass(kw_only=True)
class Harness(ServiceHarness[FilesComponent]):
    clock: ManualClock

    def headers(  # type: ignore[override]
        self, user_id: str, *roles: str, auth_method: str = "jwt"
    ) -> dict[str, str]:
        identity = Identity(
            user_id=user_id,
            roles=frozenset(roles or ("user",)),
            auth_method=auth_method,  # type: ignore[arg-type]
        )
        return self.identity_headers(identity)

    def service_headers(self, name: str = "users") -> dict[str, str]:
        return self.headers(f"service:{name}", "service")

    async def upload(
        self,
        user_id: str,
        data: bytes | Iterable[bytes] | AsyncIterator[bytes],
        *,
        kind: str = "avatar",
        name: str = "photo.png",
        content_type: str = "application/octet-stream",
    ) -> httpx.Response:
        headers = {**self.headers(user_id), "Content-Type": content_type, "X-File-Name": name}
        return await self.client.post(
            "/v1/files", params={"kind": kind}, content=data, headers=headers
        )

    async def uploaded(self, user_id: str, data: bytes, **kwargs: Any) -> dict[str, Any]:
        response = await self.upload(user_id, data, **kwargs)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def url_for(self, user_id: str, file_id: str, *roles: str) -> httpx.Response:
        return await self.client.get(
            f"/v1/files/{file_id}/url", headers=self.headers(user_id, *roles)
        )

    async def fetch(self, url: str) -> httpx.Response:
        """GET a handed-out URL: this service's own route, or the S3 server."""
        if url.startswith(BASE_URL):
            return await self.client.get(url)
        async with httpx.AsyncClient() as outside:
            return await outside.get(url)

    async def file_rows(self) -> int:
        async with self.component.engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(files)) or 0)


class running_harness(RunningService[FilesComponent, Harness]):  # noqa: N801 - used like a function
    """``async with running_harness(settings, clock) as h``: start, serve, stop."""

    base_url = BASE_URL

    def __init__(self, settings: FilesSettings, clock: ManualClock) -> None:
        super().__init__()
        self.settings = settings
        self.clock = clock

    def build(self, identity_secret: bytes) -> FilesComponent:
        return build_component(self.settings, identity_secret=identity_secret, clock=self.clock)

    def make_harness(self, parts: HarnessParts[FilesComponent]) -> Harness:
        return Harness(**parts, clock=self.clock)
