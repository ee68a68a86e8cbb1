"""Test harness of the user service: the real service behind httpx's ASGI transport, a
fake files service, an in-memory bus delivering ``user.registered`` and recording what
the outbox relay publishes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from burency_common.bus import EventBus
from burency_common.events import (
    SEND_NOTIFICATION,
    USER_REGISTERED,
    EventEnvelope,
    UserRegistered,
    default_registry,
)
from burency_common.events.kyc import KYC_STATUS_CHANGED
from burency_common.events.users import USER_PROFILE_UPDATED
from burency_common.ids import new_id
from burency_testing.service_harness import HarnessParts, RunningService, ServiceHarness
from burency_users.component import UsersComponent, build_component
from burency_users.settings import UsersSettings

from .fake_files import FakeFiles

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


@dataclass(kw_only=True)
class Harness(ServiceHarness[UsersComponent]):
    files: FakeFiles

    async def register(self, user_id: str | None = None) -> str:
        """Publish ``user.registered`` as auth would; returns the new user's id."""
        user_id = user_id or new_id()
        await self.bus.publish(registered_event(user_id, f"{user_id[-8:]}@example.com"))
        return user_id

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


class running_harness(RunningService[UsersComponent, Harness]):  # noqa: N801 - used like a function
    """``async with running_harness(settings) as h``: start, serve, stop; a fake files
    service answers the internal files calls (see :class:`RunningService`)."""

    base_url = "http://users"
    recorded_topics = (KYC_STATUS_CHANGED, SEND_NOTIFICATION, USER_PROFILE_UPDATED)

    def __init__(
        self, settings: UsersSettings, bus: EventBus | None = None, group: str = "users"
    ) -> None:
        super().__init__(bus, group)
        self.settings = settings

    def build(self, identity_secret: bytes) -> UsersComponent:
        self.files = FakeFiles(identity_secret)
        self.files_http = self.files.client()
        return build_component(
            self.settings, identity_secret=identity_secret, files_client=self.files_http
        )

    def make_harness(self, parts: HarnessParts[UsersComponent]) -> Harness:
        return Harness(**parts, files=self.files)

    async def __aexit__(self, *exc: object) -> None:
        await super().__aexit__(*exc)
        await self.files_http.aclose()
