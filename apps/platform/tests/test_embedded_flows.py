"""User flows through the whole embedded platform in one process: gateway + auth + bus.

Each test drives the platform the way the SPA or a bot does, over HTTP through the
gateway, and asserts what the user would see.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from burency_auth.service import bootstrap
from burency_platform.embedded import Platform, build_platform
from burency_platform.settings import PlatformSettings

PASSWORD = "a perfectly long pass phrase"


@pytest.fixture
async def platform(
    tmp_path: Path, settings_factory: Any
) -> AsyncIterator[tuple[Platform, httpx.AsyncClient]]:
    settings = settings_factory(PlatformSettings, data_dir=tmp_path / "var")
    built = build_platform(settings)
    async with LifespanManager(built) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://burency") as client:
            yield built, client


async def sign_in(client: httpx.AsyncClient, email: str, *, register: bool = True) -> str:
    if register:
        response = await client.post(
            "/api/auth/v1/register", json={"email": email, "password": PASSWORD}
        )
        assert response.status_code == 202
    login = await client.post("/api/auth/v1/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return str(login.json()["accessToken"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_disabled_users_tokens_are_refused_at_once(platform: Any) -> None:
    built, client = platform
    await bootstrap.create_admin(built.auth.context, email="ops@example.com", password=PASSWORD)
    admin = await sign_in(client, "ops@example.com", register=False)
    user = await sign_in(client, "eve@example.com")
    assert (await client.get("/api/auth/v1/sessions", headers=bearer(user))).status_code == 200

    found = await client.get(
        "/api/auth/v1/admin/users", params={"email": "eve@example.com"}, headers=bearer(admin)
    )
    user_id = found.json()["items"][0]["id"]
    disabled = await client.post(
        f"/api/auth/v1/admin/users/{user_id}/disable", headers=bearer(admin)
    )
    assert disabled.status_code == 200

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while (
        refused := await client.get("/api/auth/v1/sessions", headers=bearer(user))
    ).status_code == 200:
        assert loop.time() < deadline, "the disabled user's token still works"
        await asyncio.sleep(0.01)  # the outbox relay publishes right after the commit
    assert refused.status_code == 401
    assert refused.json()["code"] == "TOKEN_REVOKED"
    login = await client.post(
        "/api/auth/v1/login", json={"email": "eve@example.com", "password": PASSWORD}
    )
    assert login.status_code == 403
    assert login.json()["code"] == "ACCOUNT_DISABLED"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forged(token: str, *, alg: str, key: bytes | None = None) -> str:
    """The same claims re-signed with ``alg`` (``none``: unsigned; HS256: HMAC with ``key``)."""
    header_b64, payload_b64, _ = token.split(".")
    header = json.loads(base64.urlsafe_b64decode(header_b64 + "=="))
    header["alg"] = alg
    signing_input = f"{_b64(json.dumps(header).encode())}.{payload_b64}"
    if key is None:
        return signing_input + "."
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


@pytest.mark.parametrize("attack", ["alg-none", "hs256-with-public-key"])
async def test_algorithm_confusion_is_refused(platform: Any, attack: str) -> None:
    _, client = platform
    token = await sign_in(client, f"{attack}@example.com")
    if attack == "alg-none":
        fake = forged(token, alg="none")
    else:
        jwks = (await client.get("/api/auth/.well-known/jwks.json")).json()
        public_key = base64.urlsafe_b64decode(jwks["keys"][0]["x"] + "==")
        fake = forged(token, alg="HS256", key=public_key)
    response = await client.get("/api/auth/v1/sessions", headers=bearer(fake))
    assert response.status_code == 401
    assert response.json()["code"] == "TOKEN_ALGORITHM_NOT_ALLOWED"


async def test_refresh_token_is_not_an_access_token(platform: Any) -> None:
    _, client = platform
    await sign_in(client, "rt@example.com")
    login = await client.post(
        "/api/auth/v1/login", json={"email": "rt@example.com", "password": PASSWORD}
    )
    refresh = login.json()["refreshToken"]
    response = await client.get("/api/auth/v1/sessions", headers=bearer(refresh))
    assert response.status_code == 401
    assert response.json()["code"] == "TOKEN_MALFORMED"


def png_with_gps() -> bytes:
    import io

    from PIL import Image

    image = Image.new("RGB", (300, 200), "navy")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (25.0, 11.0, 0.0)}  # GPS IFD: latitude of Dubai
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


async def test_profile_and_avatar_in_one_process(platform: Any) -> None:
    _, client = platform
    token = await sign_in(client, "layla@example.com")
    profile = await client.get("/api/users/v1/profile", headers=bearer(token))
    assert profile.status_code == 200, "user.registered reached the user service in-process"

    upload = await client.post(
        "/api/files/v1/files?kind=avatar",
        files={"file": ("me.jpg", png_with_gps(), "image/jpeg")},
        headers=bearer(token),
    )
    assert upload.status_code == 201, upload.text
    avatar = upload.json()
    updated = await client.patch(
        "/api/users/v1/profile", json={"avatarFileId": avatar["id"]}, headers=bearer(token)
    )
    assert updated.status_code == 200, updated.text

    public = avatar["publicUrl"].removeprefix("http://127.0.0.1:8000")
    download = await client.get(public)
    assert download.status_code == 200
    import io

    from PIL import Image

    assert 0x8825 not in Image.open(io.BytesIO(download.content)).getexif(), "GPS stripped"


async def test_registration_welcome_reaches_the_in_app_feed(platform: Any) -> None:
    _, client = platform
    token = await sign_in(client, "nadia@example.com")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while True:  # auth → outbox → bus → notifications → delivery worker
        feed = await client.get("/api/notifications/v1/notifications", headers=bearer(token))
        assert feed.status_code == 200, feed.text
        subjects = [item.get("subject") or item.get("title") for item in feed.json()["items"]]
        if any(subject and "Welcome" in subject for subject in subjects):
            break
        assert loop.time() < deadline, f"no welcome in the feed: {feed.json()}"
        await asyncio.sleep(0.05)  # polling with a deadline
    assert feed.json()["unreadCount"] >= 1
