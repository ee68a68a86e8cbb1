"""The files service on its own event loop in a background thread (for schemathesis,
which drives tests synchronously)."""

from __future__ import annotations

import secrets

import httpx

from burency_common.bus import InMemoryBus
from burency_common.identity import IDENTITY_HEADER, Identity, sign_identity
from burency_common.timeutil import utc_now
from burency_files.component import FilesComponent, build_component
from burency_files.settings import FilesSettings
from burency_testing.served import ServedOnThread


class ServedFiles(ServedOnThread):
    def __init__(self, settings: FilesSettings) -> None:
        super().__init__()
        self.settings = settings

    async def setup(self) -> None:
        self.component: FilesComponent = build_component(
            self.settings, identity_secret=secrets.token_bytes(32)
        )
        self.bus = InMemoryBus()
        await self.bus.start()
        await self.component.start(self.bus)
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.component.app), base_url="http://files"
        )

    async def teardown(self) -> None:
        await self.client.aclose()
        await self.component.stop()
        await self.bus.stop()

    def identity_headers(self, identity: Identity) -> dict[str, str]:
        secret = self.component.app.state.identity_secret
        return {IDENTITY_HEADER: sign_identity(identity, secret=secret, now=utc_now())}
