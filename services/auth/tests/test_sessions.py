"""Logout, logout everywhere, listing and ending sessions."""

from __future__ import annotations

from datetime import timedelta

from burency_common.events.auth import AUTH_TOKENS_REVOKED
from burency_common.timeutil import parse_iso

from .auth_testing.harness import Harness


async def test_logout_revokes_the_session_and_announces_it(harness: Harness) -> None:
    user_id = await harness.register("amy@example.com")
    tokens = await harness.signed_in("amy@example.com")
    sid = harness.verify(tokens["accessToken"]).claims["sid"]
    response = await harness.client.post("/v1/logout", headers=harness.headers_for(tokens))
    assert response.status_code == 204
    events = await harness.published(AUTH_TOKENS_REVOKED, session_id=sid)
    assert len(events) == 1
    payload = events[0].payload
    assert payload["user_id"] == user_id
    expires = parse_iso(payload["expires_at"])
    assert expires == harness.clock.now() + timedelta(minutes=15)
    refresh = await harness.client.post(
        "/v1/token/refresh", json={"refreshToken": tokens["refreshToken"]}
    )
    assert (refresh.status_code, refresh.json()["code"]) == (401, "REFRESH_TOKEN_REVOKED")


async def test_sessions_list_marks_the_current_one(harness: Harness) -> None:
    await harness.register("bea@example.com")
    one = await harness.signed_in("bea@example.com")
    two = await harness.signed_in("bea@example.com")
    response = await harness.client.get("/v1/sessions", headers=harness.headers_for(two))
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == 2
    current = [i for i in items if i["current"]]
    assert current[0]["id"] == harness.verify(two["accessToken"]).claims["sid"]
    assert set(current[0]) == {"id", "device", "ip", "createdAt", "lastUsedAt", "current"}
    assert current[0]["createdAt"].endswith("Z")
    del one


async def test_ending_a_session_of_someone_else_is_not_found(harness: Harness) -> None:
    await harness.register("cal@example.com")
    await harness.register("dee@example.com")
    cal = await harness.signed_in("cal@example.com")
    dee = await harness.signed_in("dee@example.com")
    dee_sid = harness.verify(dee["accessToken"]).claims["sid"]
    response = await harness.client.delete(
        f"/v1/sessions/{dee_sid}", headers=harness.headers_for(cal)
    )
    assert (response.status_code, response.json()["code"]) == (404, "SESSION_NOT_FOUND")
    own = await harness.client.delete(f"/v1/sessions/{dee_sid}", headers=harness.headers_for(dee))
    assert own.status_code == 204


async def test_logout_all_ends_every_session(harness: Harness) -> None:
    await harness.register("eda@example.com")
    one = await harness.signed_in("eda@example.com")
    two = await harness.signed_in("eda@example.com")
    response = await harness.client.post("/v1/logout-all", headers=harness.headers_for(one))
    assert response.json() == {"revokedSessions": 2}
    for tokens in (one, two):
        refresh = await harness.client.post(
            "/v1/token/refresh", json={"refreshToken": tokens["refreshToken"]}
        )
        assert refresh.json()["code"] == "REFRESH_TOKEN_REVOKED"
