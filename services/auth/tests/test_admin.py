"""Operator endpoints, permissions and the audit log."""

from __future__ import annotations

from typing import Any

import pytest

from burency_common.errors import BurencyError
from burency_common.events import USER_REGISTERED
from burency_common.events.auth import AUTH_TOKENS_REVOKED

from .auth_testing.harness import Harness


async def _admin(harness: Harness) -> dict[str, str]:
    created = await harness.component.ensure_demo_admin()
    assert created is not None
    email, password = created
    assert await harness.component.ensure_demo_admin() is None, "created once"
    return harness.headers_for(await harness.signed_in(email, password))


async def test_plain_users_cannot_use_admin_endpoints(harness: Harness) -> None:
    await harness.register("usr@example.com")
    headers = harness.headers_for(await harness.signed_in("usr@example.com"))
    response = await harness.client.get("/v1/admin/users", headers=headers)
    assert (response.status_code, response.json()["code"]) == (403, "PERMISSION_DENIED")


async def test_list_users_pages_by_cursor_and_searches_by_email(harness: Harness) -> None:
    admin = await _admin(harness)
    for n in range(5):
        await harness.register(f"page{n}@example.com")
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await harness.client.get("/v1/admin/users", params=params, headers=admin)).json()
        seen += [u["email"] for u in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert len(seen) == 6
    assert len(set(seen)) == 6
    found = await harness.client.get("/v1/admin/users", params={"email": "PAGE3"}, headers=admin)
    assert [u["email"] for u in found.json()["items"]] == ["page3@example.com"]


async def test_grant_and_revoke_roles_are_audited(harness: Harness) -> None:
    admin = await _admin(harness)
    user_id = await harness.register("sup@example.com")
    granted = await harness.client.post(
        f"/v1/admin/users/{user_id}/roles", json={"role": "support"}, headers=admin
    )
    assert granted.status_code == 200
    assert granted.json()["roles"] == ["support", "user"]
    tokens = await harness.signed_in("sup@example.com")
    assert harness.verify(tokens["accessToken"]).claims["roles"] == ["support", "user"]
    bad = await harness.client.post(
        f"/v1/admin/users/{user_id}/roles", json={"role": "god"}, headers=admin
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "UNKNOWN_ROLE")
    revoked = await harness.client.delete(f"/v1/admin/users/{user_id}/roles/support", headers=admin)
    assert revoked.json()["roles"] == ["user"]
    assert await harness.published(AUTH_TOKENS_REVOKED, user_id=user_id, reason="roles_changed")
    log = (await harness.client.get("/v1/admin/audit-log", headers=admin)).json()["items"]
    assert [e["action"] for e in log] == ["role.revoked", "role.granted", "admin.created"]
    assert log[0]["target"] == user_id
    assert log[0]["details"] == {"role": "support"}
    assert log[0]["actorId"]
    assert log[0]["at"].endswith("Z")


async def test_disabling_a_user_ends_their_sessions_and_refuses_login(harness: Harness) -> None:
    admin = await _admin(harness)
    user_id = await harness.register("bad@example.com")
    tokens = await harness.signed_in("bad@example.com")
    response = await harness.client.post(f"/v1/admin/users/{user_id}/disable", headers=admin)
    assert (response.status_code, response.json()["disabled"]) == (200, True)
    refresh = await harness.client.post(
        "/v1/token/refresh", json={"refreshToken": tokens["refreshToken"]}
    )
    assert (refresh.status_code, refresh.json()["code"]) == (401, "REFRESH_TOKEN_REVOKED")
    login = await harness.login("bad@example.com")
    assert (login.status_code, login.json()["code"]) == (403, "ACCOUNT_DISABLED")
    sid = harness.verify(tokens["accessToken"]).claims["sid"]
    assert await harness.published(AUTH_TOKENS_REVOKED, session_id=sid)
    enabled = await harness.client.post(f"/v1/admin/users/{user_id}/enable", headers=admin)
    assert enabled.json()["disabled"] is False
    assert (await harness.login("bad@example.com")).status_code == 200
    log = (await harness.client.get("/v1/admin/audit-log", headers=admin)).json()["items"]
    assert [e["action"] for e in log] == ["user.enabled", "user.disabled", "admin.created"]


async def test_unknown_user_is_not_found(harness: Harness) -> None:
    admin = await _admin(harness)
    response = await harness.client.post("/v1/admin/users/nope/disable", headers=admin)
    assert (response.status_code, response.json()["code"]) == (404, "USER_NOT_FOUND")


async def test_operators_cannot_lock_themselves_out(harness: Harness) -> None:
    admin = await _admin(harness)
    me = harness.verify_identity_header(admin)
    for method, path in (
        ("POST", f"/v1/admin/users/{me}/disable"),
        ("DELETE", f"/v1/admin/users/{me}/roles/admin"),
    ):
        response = await harness.client.request(method, path, headers=admin)
        assert (response.status_code, response.json()["code"]) == (409, "CANNOT_TARGET_SELF")


async def test_audit_log_pages_by_cursor(harness: Harness) -> None:
    admin = await _admin(harness)
    user_id = await harness.register("aud@example.com")
    for role in ("support", "compliance"):
        await harness.client.post(
            f"/v1/admin/users/{user_id}/roles", json={"role": role}, headers=admin
        )
    first = (
        await harness.client.get("/v1/admin/audit-log", params={"limit": 2}, headers=admin)
    ).json()
    assert len(first["items"]) == 2
    rest = (
        await harness.client.get(
            "/v1/admin/audit-log", params={"limit": 2, "cursor": first["nextCursor"]}, headers=admin
        )
    ).json()
    assert [e["action"] for e in rest["items"]] == ["admin.created"]
    assert rest["nextCursor"] is None


async def test_a_system_user_is_registered_once_and_never_signs_in(harness: Harness) -> None:
    bot = "0193a6f2-7c1e-5b0e-9d4e-2f6f3c1a9b10"
    made = harness.component.ensure_system_user
    assert await made(user_id=bot, email="bot@burency.dev", via="liquidity-bot") is True
    assert await made(user_id=bot, email="bot@burency.dev", via="liquidity-bot") is False
    registered = [e for e in await harness.published(USER_REGISTERED)
                  if e.payload["user_id"] == bot]  # fmt: skip
    assert [e.payload["email"] for e in registered] == ["bot@burency.dev"]
    assert (await harness.login("bot@burency.dev")).status_code == 401  # nobody knows it
    await harness.register("taken@example.com")
    with pytest.raises(BurencyError) as refused:
        await made(user_id="0193a6f2-7c1e-5b0e-9d4e-2f6f3c1a9b11", email="taken@example.com",
                   via="liquidity-bot")  # fmt: skip
    assert refused.value.code == "EMAIL_TAKEN"
