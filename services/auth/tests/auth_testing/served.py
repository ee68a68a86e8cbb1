"""The auth service running on its own event loop in a background thread.

schemathesis drives tests synchronously (Hypothesis); the service's database pool
belongs to one event loop. So the service lives on a private loop and each generated
request is sent to it with ``run_coroutine_threadsafe``.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
from collections import Counter
from collections.abc import Coroutine
from typing import Any, TypeVar

import httpx

from burency_auth.component import AuthComponent, build_component
from burency_auth.settings import AuthSettings
from burency_common.bus import InMemoryBus
from burency_common.identity import IDENTITY_HEADER, Identity, sign_identity
from burency_common.timeutil import utc_now
from burency_common.tokens import TokenType, verify_token

T = TypeVar("T")


class ServedAuth:
    """``start()`` → requests with :meth:`request` → ``close()``."""

    def __init__(self, settings: AuthSettings) -> None:
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.admin: Identity | None = None
        self.statuses: Counter[tuple[str, int]] = Counter()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=60)

    def start(self) -> None:
        self.thread.start()
        self.run(self._start())

    async def _start(self) -> None:
        self.component: AuthComponent = build_component(
            self.settings, identity_secret=secrets.token_bytes(32)
        )
        self.bus = InMemoryBus()
        await self.bus.start()
        await self.component.start(self.bus)
        created = await self.component.ensure_demo_admin()
        assert created is not None
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.component.app), base_url="http://auth"
        )
        login = await self.client.post(
            "/v1/login", json={"email": created[0], "password": created[1]}
        )
        body = login.json()
        token = verify_token(
            body["accessToken"],
            keys=self.component.key_resolver,
            issuer=self.settings.token_issuer,
            audience=self.settings.token_audience,
            expected_type=TokenType.ACCESS,
        )
        self.admin = Identity(
            user_id=token.subject,
            roles=frozenset(token.claims["roles"]),
            session_id=token.claims["sid"],
            token_id=token.jti,
        )

    def identity_headers(self) -> dict[str, str]:
        assert self.admin is not None
        secret = self.component.app.state.identity_secret
        return {IDENTITY_HEADER: sign_identity(self.admin, secret=secret, now=utc_now())}

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
