"""Staff access to profiles: permission-gated, and every read and edit audited by field name."""

from __future__ import annotations

from .users_testing.harness import Harness

SUPPORT = ("agent-1", "support")
ADMIN = ("admin-1", "admin")


async def test_support_reads_admin_edits_and_both_are_audited(harness: Harness) -> None:
    user = await harness.register()
    path = f"/v1/admin/users/{user}/profile"
    read = await harness.call("GET", path, *SUPPORT, headers={"X-Request-ID": "req-1"})
    assert (read.status_code, read.json()["userId"]) == (200, user)
    denied = await harness.call("PATCH", path, *SUPPORT, json={"firstName": "X"})
    assert denied.status_code == 403
    patch = {"phone": "+971501234567", "lastName": "Haddad"}
    edited = await harness.call("PATCH", path, *ADMIN, json=patch)
    assert (edited.status_code, edited.json()["phone"]) == (200, "+971501234567")
    own = (await harness.call("GET", "/v1/profile", user)).json()
    assert own["lastName"] == "Haddad"
    log = await harness.call("GET", f"/v1/admin/audit-log?target=user:{user}", *SUPPORT)
    entries = log.json()["items"]
    assert [e["action"] for e in entries] == ["profile.update", "profile.view"]
    update = entries[0]
    assert (update["actorId"], update["details"]) == ("admin-1", {"fields": ["last_name", "phone"]})
    assert entries[1]["requestId"] == "req-1"
    assert "+971501234567" not in log.text, "audit must not hold sensitive values"


async def test_admin_endpoints_404_and_permissions(harness: Harness) -> None:
    response = await harness.call("GET", "/v1/admin/users/ghost/profile", *SUPPORT)
    assert (response.status_code, response.json()["code"]) == (404, "PROFILE_NOT_FOUND")
    user = await harness.register()
    response = await harness.call("GET", f"/v1/admin/users/{user}/profile", user)
    assert response.status_code == 403
    response = await harness.call("GET", "/v1/admin/audit-log", user)
    assert response.status_code == 403


async def test_audit_log_pages(harness: Harness) -> None:
    user = await harness.register()
    for _ in range(3):
        await harness.call("GET", f"/v1/admin/users/{user}/profile", *SUPPORT)
    first = (await harness.call("GET", "/v1/admin/audit-log?limit=2", *SUPPORT)).json()
    assert len(first["items"]) == 2
    assert first["nextCursor"]
    rest = await harness.call(
        "GET", f"/v1/admin/audit-log?limit=2&cursor={first['nextCursor']}", *SUPPORT
    )
    assert len(rest.json()["items"]) == 1
    assert rest.json()["nextCursor"] is None
