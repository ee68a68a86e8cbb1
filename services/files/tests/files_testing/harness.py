"""Test harness of the files service: the real service behind httpx's ASGI transport,
signed identity headers, and downloads through the URLs it hands out."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select

from burency_common.bus import InMemoryBus
from burency_common.identity import IDENTITY_HEADER, Identity, sign_identity
from burency_common.timeutil import ManualClock, utc_now
from burency_files.adapters.orm import files
from burency_files.component import FilesComponent, build_component
from burency_files.settings import FilesSettings

BASE_URL = "http://files"


@dataclass
class Harness:
    component: FilesComponent
    client: httpx.AsyncClient
    clock: ManualClock

    def headers(self, user_id: str, *roles: str, auth_method: str = "jwt") -> dict[str, str]:
        identity = Identity(
            user_id=user_id,
            roles=frozenset(roles or ("user",)),
            auth_method=auth_method,  # type: ignore[arg-type]
        )
        secret = self.component.app.state.identity_secret
        return {IDENTITY_HEADER: sign_identity(identity, secret=secret, now=utc_now())}

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


class running_harness:  # noqa: N801 - used like a function
    """``async with running_harness(settings, clock) as h``: start, serve, stop."""

    def __init__(self, settings: FilesSettings, clock: ManualClock) -> None:
        self.settings = settings
        self.clock = clock

    async def __aenter__(self) -> Harness:
        self.component = build_component(
            self.settings, identity_secret=secrets.token_bytes(32), clock=self.clock
        )
        self.bus = InMemoryBus()
        await self.bus.start()
        await self.component.start(self.bus)
        self.lifespan = LifespanManager(self.component.app)
        await self.lifespan.__aenter__()
        transport = httpx.ASGITransport(app=self.component.app)
        self.client = httpx.AsyncClient(transport=transport, base_url=BASE_URL)
        return Harness(self.component, self.client, self.clock)

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()
        await self.lifespan.__aexit__(None, None, None)
        await self.component.stop()
        await self.bus.stop()
