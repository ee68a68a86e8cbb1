"""Profiles: created from ``user.registered`` (once), read and edited by their owner only."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from .users_testing.harness import COMPLETE_PROFILE, Harness, registered_event


async def test_registration_creates_a_profile_at_kyc_level_0(harness: Harness) -> None:
    user = await harness.register()
    response = await harness.call("GET", "/v1/profile", user)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["userId"] == user
    assert (body["kycLevel"], body["displayCurrency"], body["language"]) == (0, "AED", "en")
    assert body["closure"] is None


async def test_redelivered_event_creates_one_profile(harness: Harness) -> None:
    event = registered_event("u-dup", "dup@example.com")
    await harness.bus.publish(event)
    await harness.call("PATCH", "/v1/profile", "u-dup", json={"firstName": "Kept"})
    await harness.bus.publish(event)  # same event id: no second effect
    await harness.bus.publish(registered_event("u-dup", "other@example.com"))  # new id
    body = (await harness.call("GET", "/v1/profile", "u-dup")).json()
    assert (body["firstName"], body["email"]) == ("Kept", "dup@example.com")


async def test_unknown_profile_is_404(harness: Harness) -> None:
    for path in ("/v1/profile", "/v1/settings", "/v1/kyc"):
        response = await harness.call("GET", path, "nobody")
        assert (response.status_code, response.json()["code"]) == (404, "PROFILE_NOT_FOUND")


async def test_anonymous_and_forged_identities_are_refused(harness: Harness) -> None:
    assert (await harness.client.get("/v1/profile")).status_code == 401
    forged = {"X-Burency-Identity": "eyJ2IjoxfQ." + "A" * 43}
    response = await harness.client.get("/v1/profile", headers=forged)
    assert response.json()["code"] == "INVALID_IDENTITY_HEADER"


async def test_complete_profile_round_trip(harness: Harness) -> None:
    user = await harness.register()
    patch = {**COMPLETE_PROFILE, "language": "ar", "timezone": "Asia/Dubai",
             "displayCurrency": "USD"}  # fmt: skip
    response = await harness.call("PATCH", "/v1/profile", user, json=patch)
    assert response.status_code == 200, response.text
    body = (await harness.call("GET", "/v1/profile", user)).json()
    assert body["address"] == {**COMPLETE_PROFILE["address"], "line2": None}
    assert (body["phone"], body["timezone"], body["language"]) == (
        "+971501234567",
        "Asia/Dubai",
        "ar",
    )
    cleared = await harness.call("PATCH", "/v1/profile", user, json={"address": None})
    assert cleared.json()["address"] is None
    assert cleared.json()["firstName"] == "Layla"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("country", "XX"),
        ("phone", "0501234567"),
        ("phone", "+999123456789"),
        ("timezone", "Mars/Olympus"),
        ("language", "fr"),
        ("displayCurrency", "DOGE"),
        ("firstName", "   "),
        ("firstName", "a\x00b"),
        ("dateOfBirth", "not-a-date"),
        ("unknownField", 1),
    ],
)
async def test_invalid_values_are_422(harness: Harness, field: str, value: object) -> None:
    user = await harness.register()
    response = await harness.call("PATCH", "/v1/profile", user, json={field: value})
    assert (response.status_code, response.json()["code"]) == (422, "VALIDATION_FAILED")


async def test_date_of_birth_must_be_adult_and_not_future(harness: Harness) -> None:
    user = await harness.register()
    today = date.today()
    minor = today.replace(year=today.year - 17).isoformat()
    for value in (minor, (today + timedelta(days=1)).isoformat(), "1899-12-31"):
        response = await harness.call("PATCH", "/v1/profile", user, json={"dateOfBirth": value})
        assert response.status_code == 422, value
        assert response.json()["errors"][0]["field"] == "dateOfBirth"
    adult = today.replace(year=today.year - 19).isoformat()
    response = await harness.call("PATCH", "/v1/profile", user, json={"dateOfBirth": adult})
    assert response.status_code == 200


async def test_avatar_must_be_own_live_avatar(harness: Harness) -> None:
    user, other = await harness.register(), await harness.register()
    good = harness.files.add(user, "avatar")
    bad = {
        "someone else's": harness.files.add(other, "avatar"),
        "wrong kind": harness.files.add(user, "kyc_document"),
        "deleted": harness.files.add(user, "avatar", deleted=True),
        "missing": "does-not-exist",
    }
    for why, file_id in bad.items():
        response = await harness.call("PATCH", "/v1/profile", user, json={"avatarFileId": file_id})
        assert (response.status_code, response.json()["code"]) == (422, "INVALID_AVATAR"), why
    response = await harness.call("PATCH", "/v1/profile", user, json={"avatarFileId": good})
    assert response.json()["avatarFileId"] == good


async def test_files_service_down_is_503(harness: Harness) -> None:
    user = await harness.register()
    harness.files.down = True
    file_id = harness.files.add(user, "avatar")
    response = await harness.call("PATCH", "/v1/profile", user, json={"avatarFileId": file_id})
    assert (response.status_code, response.json()["code"]) == (503, "FILES_UNAVAILABLE")


async def test_settings_round_trip_and_size_cap(harness: Harness) -> None:
    user = await harness.register()
    assert (await harness.call("GET", "/v1/settings", user)).json() == {}
    prefs = {"theme": "dark", "chart": {"interval": "1h", "indicators": ["EMA", "RSI"]}}
    assert (await harness.call("PUT", "/v1/settings", user, json=prefs)).json() == prefs
    assert (await harness.call("GET", "/v1/settings", user)).json() == prefs
    huge = {"blob": "x" * 9000}
    response = await harness.call("PUT", "/v1/settings", user, json=huge)
    assert (response.status_code, response.json()["code"]) == (413, "SETTINGS_TOO_LARGE")
    not_object = await harness.call("PUT", "/v1/settings", user, json=[1, 2])
    assert not_object.status_code == 422
    deep: dict[str, object] = {}
    for _ in range(20):
        deep = {"x": deep}
    too_deep = await harness.call("PUT", "/v1/settings", user, json=deep)
    assert (too_deep.status_code, too_deep.json()["code"]) == (422, "SETTINGS_TOO_DEEP")


async def test_closure_request_is_recorded_once(harness: Harness) -> None:
    user = await harness.register()
    first = await harness.call(
        "POST", "/v1/profile/closure-request", user, json={"reason": "moving"}
    )
    assert first.status_code == 200, first.text
    closure = first.json()["closure"]
    assert (closure["status"], closure["reason"]) == ("REQUESTED", "moving")
    again = await harness.call("POST", "/v1/profile/closure-request", user)
    assert again.json()["closure"] == closure
    assert (await harness.call("GET", "/v1/profile", user)).json()["closure"] == closure


async def test_users_only_ever_see_their_own_data(harness: Harness) -> None:
    alice, bob = await harness.register(), await harness.register()
    await harness.call("PATCH", "/v1/profile", alice, json={"firstName": "Alice"})
    await harness.call("PUT", "/v1/settings", alice, json={"theme": "dark"})
    await harness.reach_level_1(alice)
    bob_view = {
        path: (await harness.call("GET", path, bob)).json()
        for path in ("/v1/profile", "/v1/settings", "/v1/kyc")
    }
    assert bob_view["/v1/profile"]["userId"] == bob
    assert bob_view["/v1/profile"]["firstName"] is None
    assert bob_view["/v1/settings"] == {}
    assert bob_view["/v1/kyc"] == {"level": 0, "status": "NONE", "submissions": []}
    # Bob's writes change Bob only; no own-endpoint accepts a user id.
    await harness.call("PATCH", "/v1/profile", bob, json={"firstName": "Bob"})
    await harness.call("PUT", "/v1/settings", bob, json={"theme": "light"})
    await harness.call("POST", "/v1/profile/closure-request", bob)
    alice_profile = (await harness.call("GET", "/v1/profile", alice)).json()
    assert (alice_profile["firstName"], alice_profile["closure"]) == ("Layla", None)
    assert (await harness.call("GET", "/v1/settings", alice)).json() == {"theme": "dark"}
    smuggled = await harness.call("PATCH", "/v1/profile", bob, json={"userId": alice})
    assert smuggled.status_code == 422
    for path in ("/v1/admin/users/{}/profile", "/v1/admin/audit-log"):
        denied = await harness.call("GET", path.format(alice), bob)
        assert denied.status_code == 403
