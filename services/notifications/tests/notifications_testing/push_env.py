"""Push test helpers: a service account, the local FCM server, settings pointing at it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from burency_common.events import EventEnvelope, default_registry
from burency_common.events.kyc import KYC_STATUS_CHANGED, KycStatusChanged
from burency_common.ids import new_id
from burency_notifications.adapters.orm import announcement_targets, devices
from burency_testing.fcm_server import FcmServer, make_service_account

from .harness import Harness, eventually


@dataclass
class Fcm:
    server: FcmServer
    account: dict[str, str]

    @property
    def credentials_json(self) -> str:
        return json.dumps(self.account)

    def settings(self, **extra: Any) -> dict[str, Any]:
        """Overrides that send push through our real FCM client to the local server."""
        return {
            "push_channel": "fcm",
            "fcm_credentials_json": self.credentials_json,
            "fcm_base_url": self.server.url,
            **extra,
        }

    def tokens_received(self) -> list[str]:
        return [m["token"] for m in self.server.received]


@asynccontextmanager
async def local_fcm(**server_options: Any) -> AsyncIterator[Fcm]:
    account, public = make_service_account()
    server = FcmServer(public_key=public, client_email=account["client_email"], **server_options)
    async with server:
        account["token_uri"] = server.token_uri
        yield Fcm(server=server, account=account)


def fcm_token(n: int | str) -> str:
    """A token shaped like FCM's (instance id, colon, long base64url)."""
    return f"dev{n}:APA91b" + f"{n}".rjust(12, "x") + "Q" * 120


async def add_device(h: Harness, user_id: str, token: str, platform: str = "android") -> str:
    response = await h.call(
        "POST", "/v1/devices", user_id, json={"token": token, "platform": platform}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def device_ids(h: Harness, user_id: str) -> list[str]:
    async with h.component.engine.connect() as conn:
        rows = await conn.execute(select(devices.c.id).where(devices.c.user_id == user_id))
        return [r.id for r in rows]


async def target_statuses(h: Harness, announcement_id: str) -> dict[tuple[str, str], Any]:
    query = select(announcement_targets).where(
        announcement_targets.c.announcement_id == announcement_id
    )
    async with h.component.engine.connect() as conn:
        return {(r.channel, r.target): r for r in await conn.execute(query)}


async def announcement_done(
    h: Harness, announcement_id: str, timeout: float = 60
) -> dict[str, Any]:
    """Wait until the announcement's status is ``done``; returns its API view."""
    staff = "operator-1"
    view: dict[str, Any] = {}

    async def done() -> bool:
        nonlocal view
        response = await h.client.get(
            f"/v1/admin/announcements/{announcement_id}",
            headers=h.headers(staff, frozenset({"admin"})),
        )
        view = response.json()
        return response.status_code == 200 and view["status"] == "done"

    await eventually(done, f"announcement {announcement_id} done", timeout=timeout)
    return view


def kyc_event(user_id: str, level: int) -> EventEnvelope:
    payload = KycStatusChanged(
        user_id=user_id,
        submission_id=new_id(),
        requested_level=max(level, 1),
        status="APPROVED",
        level=level,
        previous_level=0,
        changed_at=datetime.now(UTC),
    )
    return default_registry().build(payload, event_type=KYC_STATUS_CHANGED, producer="users")
