"""Staff routes added for the web app (#17), attacked through the gateway as an outsider
would: a signed-in user without the permission gets 403 and learns nothing about other
users (no e-mail, no id echoed back); staff get what the console shows. Also the KYC
review's document links naming their file, with the real files service behind them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from burency_common.permissions import PERMISSIONS, ROLE_PERMISSIONS
from burency_platform.embedded import build_platform
from burency_platform.settings import PlatformSettings

from .platform_testing import PlatformClient
from .platform_testing.banking import Person, admin, kyc_level_1, post, sign_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LOOKUP = "/api/auth/v1/admin/users/lookup"
SOURCE_NAMES = "/api/trading/v1/admin/market-data/source-names"
ANNOUNCEMENTS = "/api/notifications/v1/admin/announcements"


@pytest.fixture
async def client(tmp_path: Path, settings_factory: Any) -> AsyncIterator[PlatformClient]:
    built = build_platform(settings_factory(PlatformSettings, data_dir=tmp_path / "var"))
    async with LifespanManager(built) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with PlatformClient(built, transport=transport, base_url="http://burency") as c:
            yield c


async def _permissions(client: httpx.AsyncClient, who: Person) -> list[str]:
    me = await client.get("/api/auth/v1/me", headers=who.headers)
    assert me.status_code == 200, me.text
    found: list[str] = me.json()["permissions"]
    return found


async def _support(client: PlatformClient, boss: Person, email: str) -> Person:
    helper = await sign_in(client, email)
    granted = await post(client, f"/api/auth/v1/admin/users/{helper.user_id}/roles", boss,
                         {"role": "support"})  # fmt: skip
    assert granted.status_code == 200, granted.text
    return await sign_in(client, email, register=False)  # a token with the new role


async def test_staff_lists_resolve_users_and_a_user_gets_nothing(client: PlatformClient) -> None:
    victim = await sign_in(client, "victim@example.com")
    mallory = await sign_in(client, "mallory@example.com")
    boss = await admin(client.platform, client)
    helper = await _support(client, boss, "helper@example.com")

    assert await _permissions(client, mallory) == []
    assert await _permissions(client, helper) == sorted(ROLE_PERMISSIONS["support"])
    assert await _permissions(client, boss) == sorted(PERMISSIONS)

    asked = {"ids": [victim.user_id, mallory.user_id]}
    refused = await client.post(LOOKUP, json=asked, headers=mallory.headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "PERMISSION_DENIED")
    assert "victim@" not in refused.text
    assert victim.user_id not in refused.text
    for path in (SOURCE_NAMES, ANNOUNCEMENTS):
        denied = await client.get(path, headers=mallory.headers)
        assert (denied.status_code, denied.json()["code"]) == (403, "PERMISSION_DENIED"), path
        assert victim.user_id not in denied.text
    assert (await client.post(LOOKUP, json=asked)).status_code == 401

    for staff in (helper, boss):
        found = await client.post(LOOKUP, json=asked, headers=staff.headers)
        assert found.status_code == 200, found.text
        assert [(u["id"], u["email"]) for u in found.json()["items"]] == [
            (victim.user_id, "victim@example.com"), (mallory.user_id, "mallory@example.com"),
        ]  # fmt: skip
    names = await client.get(SOURCE_NAMES, headers=helper.headers)
    assert names.status_code == 200, names.text
    assert "simulated" in {row["name"] for row in names.json()["items"]}
    listed = await client.get(ANNOUNCEMENTS, headers=helper.headers)
    assert listed.status_code == 403  # support may not broadcast, nor read the list
    assert (await client.get(ANNOUNCEMENTS, headers=boss.headers)).status_code == 200


async def _upload(client: httpx.AsyncClient, who: Person, kind: str, name: str) -> str:
    headers = {**who.headers, "Content-Type": "application/octet-stream", "X-File-Name": name}
    uploaded = await client.post(f"/api/files/v1/files?kind={kind}", content=PDF, headers=headers)
    assert uploaded.status_code == 201, uploaded.text
    return str(uploaded.json()["id"])


async def test_kyc_review_links_name_their_files(client: PlatformClient) -> None:
    user = await sign_in(client, "kyc@example.com")
    await kyc_level_1(client, user)
    documents = {
        "documentFront": await _upload(client, user, "kyc_document", "front.pdf"),
        "documentBack": await _upload(client, user, "kyc_document", "back.pdf"),
        "selfie": await _upload(client, user, "kyc_selfie", "me.pdf"),
    }
    submitted = await post(client, "/api/users/v1/kyc/submissions", user,
                           {"level": 2, "documents": documents})  # fmt: skip
    assert submitted.status_code == 201, submitted.text
    path = f"/api/users/v1/admin/kyc/submissions/{submitted.json()['id']}"

    nosy = await sign_in(client, "nosy@example.com")
    refused = await client.get(path, headers=nosy.headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "PERMISSION_DENIED")
    assert user.user_id not in refused.text

    boss = await admin(client.platform, client)
    detail = await client.get(path, headers=boss.headers)
    assert detail.status_code == 200, detail.text
    links = {link["field"]: link for link in detail.json()["links"]}
    assert {f: (link["contentType"], link["originalName"]) for f, link in links.items()} == {
        "documentFront": ("application/pdf", "front.pdf"),
        "documentBack": ("application/pdf", "back.pdf"),
        "selfie": ("application/pdf", "me.pdf"),
    }
    kyc = (await client.get("/api/users/v1/kyc", headers=user.headers)).json()
    assert [s["level"] for s in kyc["submissions"]] == [1, 2]  # oldest first
