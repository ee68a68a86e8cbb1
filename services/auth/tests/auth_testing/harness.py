"""Test harness of the auth service: the real service behind httpx's ASGI transport, an
in-memory bus recording what the outbox relay publishes, a manual clock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from burency_auth.component import AuthComponent, build_component
from burency_auth.settings import AuthSettings
from burency_common.events import SEND_NOTIFICATION, USER_REGISTERED, EventEnvelope
from burency_common.events.auth import AUTH_TOKENS_REVOKED
from burency_common.identity import IDENTITY_HEADER, Identity, verify_identity
from burency_common.timeutil import ManualClock, utc_now
from burency_common.tokens import TokenType, VerifiedToken, verify_token
from burency_testing.service_harness import HarnessParts, RunningService, ServiceHarness

PASSWORD = "correct horse battery staple"
CHEAP_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_cost_kib": 64, "argon2_parallelism": 1}


@dataclass(kw_only=True)
class Harness(ServiceHarness[AuthComponent]):
    """The running service plus helpers; one per test."""

    clock: ManualClock

    async def drain(self) -> list[EventEnvelope]:  # type: ignore[override]
        await super().drain()
        return list(self.events.values())

    async def notifications(self, event: str, user_id: str | None = None) -> list[dict[str, Any]]:
        found = await self.published(SEND_NOTIFICATION, event=event)
        return [
            e.payload for e in found if user_id is None or user_id in e.payload.get("user_ids", [])
        ]

    def verify(self, access_token: str) -> VerifiedToken:
        settings = self.component.settings
        return verify_token(
            access_token,
            keys=self.component.key_resolver,
            issuer=settings.token_issuer,
            audience=settings.token_audience,
            expected_type=TokenType.ACCESS,
            now=self.clock.now(),
        )

    def headers_for(self, tokens: dict[str, Any]) -> dict[str, str]:
        """The identity header the gateway would forward for this access token."""
        verified = self.verify(tokens["accessToken"])
        identity = Identity(
            user_id=verified.subject,
            roles=frozenset(verified.claims["roles"]),
            session_id=verified.claims["sid"],
            token_id=verified.jti,
        )
        return self.identity_headers(identity)

    def verify_identity_header(self, headers: dict[str, str]) -> str:
        """The user id an identity header made by :meth:`headers_for` stands for."""
        secret = self.component.app.state.identity_secret
        return verify_identity(headers[IDENTITY_HEADER], secret=secret, now=utc_now()).user_id

    async def register(self, email: str, password: str = PASSWORD) -> str:
        response = await self.client.post(
            "/v1/register", json={"email": email, "password": password}
        )
        assert response.status_code == 202, response.text
        events = [
            e
            for e in await self.published(USER_REGISTERED)
            if str(e.payload["email"]).casefold() == email.casefold()
        ]
        assert len(events) == 1
        return str(events[0].payload["user_id"])

    async def login(
        self, email: str, password: str = PASSWORD, *, ip: str = "198.51.100.7", **extra: Any
    ) -> httpx.Response:
        return await self.client.post(
            "/v1/login",
            json={"email": email, "password": password, **extra},
            headers={"X-Forwarded-For": f"10.9.9.9, {ip}", "User-Agent": "pytest-browser/1.0"},
        )

    async def signed_in(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        response = await self.login(email, password)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


class running_harness(RunningService[AuthComponent, Harness]):  # noqa: N801 - used like a function
    """``async with running_harness(settings, clock) as h``: start, serve, stop."""

    base_url = "http://auth"
    recorded_topics = (USER_REGISTERED, SEND_NOTIFICATION, AUTH_TOKENS_REVOKED)

    def __init__(self, settings: AuthSettings, clock: ManualClock) -> None:
        super().__init__()
        self.settings = settings
        self.clock = clock

    def build(self, identity_secret: bytes) -> AuthComponent:
        return build_component(self.settings, identity_secret=identity_secret, clock=self.clock)

    def make_harness(self, parts: HarnessParts[AuthComponent]) -> Harness:
        return Harness(**parts, clock=self.clock)
