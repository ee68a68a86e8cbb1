"""Test harness of the user service: the real service behind httpx's ASGI transport, a
fake files service, an in-memory bus delivering ``user.registered`` and recording what
the outbox relay publishes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from asgi_lifespan import LifespanManager

from burency_common.bus import EventBus, InMemoryBus
from burency_common.events import (
    SEND_NOTIFICATION,
    USER_REGISTERED,
    EventEnvelope,
    UserRegistered,
    default_registry,
)
from burency_common.events.kyc import KYC_STATUS_CHANGED
from burency_common.events.users import USER_PROFILE_UPDATED
from burency_common.identity import IDENTITY_HEADER, Identity, sign_identity
from burency_common.ids import new_id
from burency_common.timeutil import utc_now
from burency_users.component import UsersComponent, build_component
from burency_users.settings import UsersSettings
from users_testing.fake_files import FakeFiles

COMPLETE_PROFILE = {
    "firstName": "Layla",
    "lastName": "Haddad",
    "dateOfBirth": "1990-04-12",
    "country": "AE",
    "phone": "+971501234567",
    "address": {"line1": "1 Sheikh Zayed Rd", "city": "Dubai", "postalCode": "00000",
                "country": "AE"},
}  # fmt: skip


def registered_event(user_id: str, email: str) -> EventEnvelope:
    payload = UserRegistered(user_id=user_id, email=email, created_at=datetime.now(UTC))
    return default_registry().build(payload, event_type=USER_REGISTERED, producer="auth")


@dataclass
class Harness:
    component: UsersComponent
    client: httpx.AsyncClient
    bus: EventBus
    files: FakeFiles
    events: dict[str, EventEnvelope] = field(default_factory=dict)

    def headers(self, user_id: str, *roles: str, email_verified: bool = True) -> dict[str, str]:
        """A signed identity; a verified address unless a test says otherwise."""
        identity = Identity(
            user_id=user_id, roles=frozenset(roles or ("user",)), email_verified=email_verified
        )
        secret = self.component.app.state.identity_secret
        return {IDENTITY_HEADER: sign_identity(identity, secret=secret, now=utc_now())}

    async def register(self, user_id: str | None = None) -> str:
        """Publish ``user.registered`` as auth would; returns the new user's id."""
        user_id = user_id or new_id()
        await self.bus.publish(registered_event(user_id, f"{user_id[-8:]}@example.com"))
        return user_id

    async def published(self, topic: str, **payload: Any) -> list[EventEnvelope]:
        assert self.component.relay is not None
        await self.component.relay.drain()
        return [
            e
            for e in self.events.values()
            if e.type == topic and all(e.payload.get(k) == v for k, v in payload.items())
        ]

    async def call(
        self, method: str, path: str, user_id: str, *roles: str, **kwargs: Any
    ) -> httpx.Response:
        headers = {**kwargs.pop("headers", {}), **self.headers(user_id, *roles)}
        return await self.client.request(method, path, headers=headers, **kwargs)

    async def complete_profile(self, user_id: str) -> None:
        response = await self.call("PATCH", "/v1/profile", user_id, json=COMPLETE_PROFILE)
        assert response.status_code == 200, response.text

    async def reach_level_1(self, user_id: str) -> None:
        await self.complete_profile(user_id)
        response = await self.call("POST", "/v1/kyc/submissions", user_id, json={"level": 1})
        assert response.status_code == 201, response.text

    async def submit_level_2(self, user_id: str) -> httpx.Response:
        documents = {
            "documentFront": self.files.add(user_id, "kyc_document"),
            "documentBack": self.files.add(user_id, "kyc_document"),
            "selfie": self.files.add(user_id, "kyc_selfie"),
        }
        return await self.call(
            "POST", "/v1/kyc/submissions", user_id, json={"level": 2, "documents": documents}
        )


class running_harness:  # noqa: N801 - used like a function
    """``async with running_harness(settings) as h``: start, serve, stop.

    Without ``bus`` an in-memory bus records what the relay publishes (``h.events``);
    with one (a ``KafkaBus``), the caller subscribes its own handlers before entering.
    """

    def __init__(
        self, settings: UsersSettings, bus: EventBus | None = None, group: str = "users"
    ) -> None:
        self.settings = settings
        self.given_bus = bus
        self.group = group

    async def __aenter__(self) -> Harness:
        secret = secrets.token_bytes(32)
        self.files = FakeFiles(secret)
        self.files_http = self.files.client()
        self.component = build_component(
            self.settings, identity_secret=secret, files_client=self.files_http
        )
        events: dict[str, EventEnvelope] = {}

        async def record(envelope: EventEnvelope) -> None:
            events[envelope.id] = envelope

        self.bus = self.given_bus or InMemoryBus()
        if self.given_bus is None:
            for topic in (KYC_STATUS_CHANGED, SEND_NOTIFICATION, USER_PROFILE_UPDATED):
                self.bus.subscribe(topic, group="tests", handler=record)
        self.component.subscribe(self.bus, group=self.group)
        await self.bus.start()
        await self.component.start(self.bus)
        self.lifespan = LifespanManager(self.component.app)
        await self.lifespan.__aenter__()
        transport = httpx.ASGITransport(app=self.component.app)
        self.client = httpx.AsyncClient(transport=transport, base_url="http://users")
        return Harness(self.component, self.client, self.bus, self.files, events)

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()
        await self.lifespan.__aexit__(None, None, None)
        await self.component.stop()
        await self.bus.stop()
        await self.files_http.aclose()
