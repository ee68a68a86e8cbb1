"""The files service on its own event loop in a background thread (for schemathesis,
which drives tests synchronously)."""

from __future__ import annotations

import asyncio
import secrets
import threading
from collections import Counter
from collections.abc import Coroutine
from typing import Any, TypeVar

import httpx

from burency_common.bus import InMemoryBus
from burency_common.identity import IDENTITY_HEADER, Identity, sign_identity
from burency_common.timeutil import utc_now
from burency_files.component import FilesComponent, build_component
from burency_files.settings import FilesSettings

T = TypeVar("T")


class ServedFiles:
    """``start()`` → requests with :meth:`request` → ``close()``."""

    def __init__(self, settings: FilesSettings) -> None:
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.statuses: Counter[tuple[str, int]] = Counter()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=60)

    def start(self) -> None:
        self.thread.start()
        self.run(self._start())

    async def _start(self) -> None:
        self.component: FilesComponent = build_component(
            self.settings, identity_secret=secrets.token_bytes(32)
        )
        self.bus = InMemoryBus()
        await self.bus.start()
        await self.component.start(self.bus)
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.component.app), base_url="http://files"
        )

    def identity_headers(self, identity: Identity) -> dict[str, str]:
        secret = self.component.app.state.identity_secret
        return {IDENTITY_HEADER: sign_identity(identity, secret=secret, now=utc_now())}

    def request(self, kwargs: dict[str, Any]) -> httpx.Response:
        if not kwargs.get("cookies"):
            kwargs = {k: v for k, v in kwargs.items() if k != "cookies"}
        response = self.run(self.client.request(**kwargs))
        self.statuses[(kwargs["method"].upper(), response.status_code)] += 1
        return response

    def close(self) -> None:
        async def stop() -> None:
            await self.client.aclose()
            await self.component.stop()
            await self.bus.stop()

        self.run(stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()
