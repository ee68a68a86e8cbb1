"""A live socket belongs to its login session and dies with it (issue #13 finding 3).

The whole embedded platform served by uvicorn on 127.0.0.1; real ``socketio.AsyncClient``
connections with access tokens from a real login. Each way a session ends (log out,
log out everywhere, password change, an operator disabling the account or taking a
role away, the access token expiring) must end the sockets of that session: the
client is told ``session.ended`` and disconnected, and no private event reaches it
afterwards, while the sockets of sessions that live on keep receiving.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import socketio

from burency_auth.service import bootstrap
from burency_platform.embedded import Platform, build_platform
from burency_platform.settings import PlatformSettings
from burency_testing.waiting import eventually

from .test_live_notifications import PASSWORD, notify, serving

NEW_PASSWORD = "another perfectly long pass phrase"


def claims_of(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    loaded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return loaded


@dataclass
class Login:
    user_id: str
    access: str
    refresh: str

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"}

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(claims_of(self.access)["exp"], UTC)


@dataclass
class LiveSocket:
    """A connected client with everything it received, and when it was disconnected."""

    client: socketio.AsyncClient
    notifications: list[Any] = field(default_factory=list)
    ended: list[Any] = field(default_factory=list)
    disconnected_at: datetime | None = None

    async def wait_ended(self, code: str, timeout: float = 30) -> None:
        async def gone() -> bool:
            return self.disconnected_at is not None

        await eventually(gone, f"the socket to be disconnected ({code})", timeout=timeout)
        assert self.ended == [{"code": code}]

    def got(self, notification_id: str) -> bool:
        return any(n["notificationId"] == notification_id for n in self.notifications)


async def open_socket(url: str, token: str) -> LiveSocket:
    client = socketio.AsyncClient(reconnection=False)
    live = LiveSocket(client)

    async def on_notification(data: Any) -> None:
        live.notifications.append(data)

    async def on_ended(data: Any) -> None:
        live.ended.append(data)

    async def on_disconnect(*_: Any) -> None:
        live.disconnected_at = datetime.now(UTC)

    client.on("notification", on_notification)
    client.on("session.ended", on_ended)
    client.on("disconnect", on_disconnect)
    await client.connect(url, auth={"token": token}, wait_timeout=10)
    return live


async def login(http: httpx.AsyncClient, email: str, password: str = PASSWORD) -> Login:
    response = await http.post("/api/auth/v1/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    body = response.json()
    access = str(body["accessToken"])
    return Login(str(claims_of(access)["sub"]), access, str(body["refreshToken"]))


async def register(http: httpx.AsyncClient, email: str) -> Login:
    registered = await http.post(
        "/api/auth/v1/register", json={"email": email, "password": PASSWORD}
    )
    assert registered.status_code == 202, registered.text
    return await login(http, email)


async def delivered(platform: Platform, user_id: str, live: LiveSocket) -> str:
    """Send ``user_id`` a private event and wait until ``live`` has it; returns its id."""
    sent = await notify(platform, user_id, "BTC-USDT")

    async def arrived() -> bool:
        return live.got(sent)

    await eventually(arrived, "the private event on the live socket")
    return sent


@dataclass
class Running:
    platform: Platform
    url: str
    http: httpx.AsyncClient
    sockets: list[LiveSocket] = field(default_factory=list)

    async def socket(self, token: str) -> LiveSocket:
        live = await open_socket(self.url, token)
        self.sockets.append(live)
        return live

    async def admin(self) -> Login:
        ctx = self.platform.auth.context
        await bootstrap.create_admin(ctx, email="ops@example.com", password=PASSWORD)
        return await login(self.http, "ops@example.com")


@pytest.fixture
async def running(tmp_path: Path, settings_factory: Any) -> AsyncIterator[Running]:
    platform = build_platform(settings_factory(PlatformSettings, data_dir=tmp_path / "var"))
    async with serving(platform) as url, httpx.AsyncClient(base_url=url) as http:
        state = Running(platform, url, http)
        try:
            yield state
        finally:
            for live in state.sockets:
                await live.client.disconnect()


def short_access_tokens(platform: Platform, seconds: int) -> None:
    """Auth's access-token TTL for this test (below the production minimum of 60 s)."""
    ctx = platform.auth.context
    ctx.settings = ctx.settings.model_copy(update={"access_token_ttl_seconds": seconds})


async def test_logout_all_ends_the_socket_and_private_events_stop(running: Running) -> None:
    layla = await register(running.http, "layla@example.com")
    live = await running.socket(layla.access)
    await delivered(running.platform, layla.user_id, live)

    ended = await running.http.post("/api/auth/v1/logout-all", headers=layla.bearer)
    assert ended.status_code == 200, ended.text
    await live.wait_ended("TOKEN_REVOKED")

    again = await login(running.http, "layla@example.com")
    fresh = await running.socket(again.access)
    after = await delivered(running.platform, layla.user_id, fresh)
    assert not live.got(after), "a private event reached the socket of an ended session"


async def test_logout_ends_only_that_sessions_socket(running: Running) -> None:
    phone = await register(running.http, "omar@example.com")
    laptop = await login(running.http, "omar@example.com")
    phone_socket = await running.socket(phone.access)
    laptop_socket = await running.socket(laptop.access)

    out = await running.http.post("/api/auth/v1/logout", headers=phone.bearer)
    assert out.status_code == 204, out.text
    await phone_socket.wait_ended("TOKEN_REVOKED")

    after = await delivered(running.platform, phone.user_id, laptop_socket)
    assert laptop_socket.client.connected
    assert laptop_socket.ended == []
    assert not phone_socket.got(after)


async def test_password_change_ends_the_other_sessions_sockets(running: Running) -> None:
    here = await register(running.http, "sara@example.com")
    elsewhere = await login(running.http, "sara@example.com")
    here_socket = await running.socket(here.access)
    elsewhere_socket = await running.socket(elsewhere.access)

    changed = await running.http.post(
        "/api/auth/v1/password",
        json={"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD},
        headers=here.bearer,
    )
    assert changed.status_code == 204, changed.text
    await elsewhere_socket.wait_ended("TOKEN_REVOKED")
    after = await delivered(running.platform, here.user_id, here_socket)  # this device stays
    assert not elsewhere_socket.got(after)


async def test_disabling_the_account_ends_its_sockets(running: Running) -> None:
    admin = await running.admin()
    eve = await register(running.http, "eve@example.com")
    live = await running.socket(eve.access)

    disabled = await running.http.post(
        f"/api/auth/v1/admin/users/{eve.user_id}/disable", headers=admin.bearer
    )
    assert disabled.status_code == 200, disabled.text
    await live.wait_ended("TOKEN_REVOKED")


async def test_taking_a_role_away_ends_the_sockets_opened_with_it(running: Running) -> None:
    admin = await running.admin()
    nadia = await register(running.http, "nadia@example.com")
    granted = await running.http.post(
        f"/api/auth/v1/admin/users/{nadia.user_id}/roles",
        json={"role": "support"},
        headers=admin.bearer,
    )
    assert granted.status_code == 200, granted.text
    as_support = await login(running.http, "nadia@example.com")
    assert "support" in claims_of(as_support.access)["roles"]
    live = await running.socket(as_support.access)

    revoked = await running.http.delete(
        f"/api/auth/v1/admin/users/{nadia.user_id}/roles/support", headers=admin.bearer
    )
    assert revoked.status_code == 200, revoked.text
    await live.wait_ended("TOKEN_REVOKED")


async def test_the_socket_ends_when_its_access_token_expires(running: Running) -> None:
    short_access_tokens(running.platform, 5)
    zaid = await register(running.http, "zaid@example.com")
    live = await running.socket(zaid.access)
    await live.wait_ended("TOKEN_EXPIRED")
    assert live.disconnected_at is not None
    assert live.disconnected_at >= zaid.expires_at  # at exp, not before it


async def test_re_authenticating_over_the_socket_moves_the_deadline(running: Running) -> None:
    short_access_tokens(running.platform, 5)
    mona = await register(running.http, "mona@example.com")
    live = await running.socket(mona.access)
    short_access_tokens(running.platform, 10)  # the refreshed token outlives the first by 5 s
    refreshed = await running.http.post(
        "/api/auth/v1/token/refresh", json={"refreshToken": mona.refresh}
    )
    assert refreshed.status_code == 200, refreshed.text
    fresh = Login(mona.user_id, refreshed.json()["accessToken"], refreshed.json()["refreshToken"])
    assert fresh.expires_at > mona.expires_at
    answer = await live.client.call("authenticate", {"token": fresh.access}, timeout=10)
    assert answer["result"]["userId"] == mona.user_id

    async def first_token_expired() -> bool:
        return datetime.now(UTC) > mona.expires_at

    await eventually(first_token_expired, "the first token's expiry", timeout=15)
    await delivered(running.platform, mona.user_id, live)  # still connected, still delivered
    assert live.ended == []
    await live.wait_ended("TOKEN_EXPIRED")
    assert live.disconnected_at is not None
    assert live.disconnected_at >= fresh.expires_at


async def test_re_authentication_with_another_users_token_is_refused(running: Running) -> None:
    owner = await register(running.http, "owner@example.com")
    other = await register(running.http, "other@example.com")
    live = await running.socket(owner.access)

    answer = await live.client.call("authenticate", {"token": other.access}, timeout=10)
    assert answer["error"]["code"] == "TOKEN_SUBJECT_MISMATCH"
    garbage = await live.client.call("authenticate", {"token": "not.a.token"}, timeout=10)
    assert garbage["error"]["code"] == "TOKEN_MALFORMED"
    # still the owner's socket, with the owner's events only
    await delivered(running.platform, owner.user_id, live)
    leaked = await notify(running.platform, other.user_id, "ETH-USDT")
    mine = await delivered(running.platform, owner.user_id, live)
    assert live.got(mine)
    assert not live.got(leaked)
