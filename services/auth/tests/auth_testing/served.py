"""The auth service on its own event loop in a background thread (for schemathesis,
which drives tests synchronously), signed in as the demo admin."""

from __future__ import annotations

import secrets

import httpx

from burency_auth.component import AuthComponent, build_component
from burency_auth.settings import AuthSettings
from burency_common.bus import InMemoryBus
from burency_common.identity import IDENTITY_HEADER, Identity, sign_identity
from burency_common.timeutil import utc_now
from burency_common.tokens import TokenType, verify_token
from burency_testing.served import ServedOnThread


class ServedAuth(ServedOnThread):
    def __init__(self, settings: AuthSettings) -> None:
        super().__init__()
        self.settings = settings
        self.admin: Identity | None = None

    async def setup(self) -> None:
        self.component: AuthComponent = build_component(
            self.settings, identity_secret=secrets.token_bytes(32)
        )
        self.bus = InMemoryBus()
        await self.bus.start()
        await self.component.start(self.bus)
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.component.app), base_url="http://auth"
        )
        self.admin = await self._sign_in_demo_admin()

    async def _sign_in_demo_admin(self) -> Identity:
        created = await self.component.ensure_demo_admin()
        assert created is not None
        login = await self.client.post(
            "/v1/login", json={"email": created[0], "password": created[1]}
        )
        token = verify_token(
            login.json()["accessToken"],
            keys=self.component.key_resolver,
            issuer=self.settings.token_issuer,
            audience=self.settings.token_audience,
            expected_type=TokenType.ACCESS,
        )
        return Identity(
            user_id=token.subject,
            roles=frozenset(token.claims["roles"]),
            session_id=token.claims["sid"],
            token_id=token.jti,
        )

    async def teardown(self) -> None:
        await self.client.aclose()
        await self.component.stop()
        await self.bus.stop()

    def identity_headers(self) -> dict[str, str]:
        assert self.admin is not None
        secret = self.component.app.state.identity_secret
        return {IDENTITY_HEADER: sign_identity(self.admin, secret=secret, now=utc_now())}
