"""``user.profile_updated`` through the outbox: on creation, and whenever the phone,
language or country changes (by the user or by staff); other edits emit nothing."""

from __future__ import annotations

from burency_common.events.users import USER_PROFILE_UPDATED

from .users_testing.harness import COMPLETE_PROFILE, Harness, registered_event


async def _announced(h: Harness, user: str) -> list[dict[str, object]]:
    events = await h.published(USER_PROFILE_UPDATED, user_id=user)
    return [e.payload for e in sorted(events, key=lambda e: e.id)]


async def test_a_new_profile_is_announced_once(harness: Harness) -> None:
    event = registered_event("u-new", "new@example.com")
    await harness.bus.publish(event)
    await harness.bus.publish(event)  # redelivered: no second profile, no second event
    [created] = await _announced(harness, "u-new")
    assert (created["phone"], created["language"], created["country"]) == (None, "en", None)
    assert str(created["changed_at"]).endswith("Z")


async def test_phone_language_and_country_changes_are_announced(harness: Harness) -> None:
    user = await harness.register()
    await harness.complete_profile(user)
    response = await harness.call("PATCH", "/v1/profile", user, json={"language": "ar"})
    assert response.status_code == 200, response.text
    _, completed, arabic = await _announced(harness, user)
    assert (completed["phone"], completed["language"], completed["country"]) == (
        COMPLETE_PROFILE["phone"],
        "en",
        "AE",
    )
    assert (arabic["phone"], arabic["language"]) == (COMPLETE_PROFILE["phone"], "ar")
    assert str(arabic["changed_at"]) >= str(completed["changed_at"])


async def test_other_edits_and_same_values_announce_nothing(harness: Harness) -> None:
    user = await harness.register()
    await harness.complete_profile(user)
    before = await _announced(harness, user)
    for change in ({"firstName": "Noor"}, {"timezone": "Asia/Dubai"}, {"language": "en"}):
        response = await harness.call("PATCH", "/v1/profile", user, json=change)
        assert response.status_code == 200, response.text
    assert await _announced(harness, user) == before


async def test_clearing_the_phone_is_announced(harness: Harness) -> None:
    user = await harness.register()
    await harness.complete_profile(user)
    response = await harness.call("PATCH", "/v1/profile", user, json={"phone": None})
    assert response.status_code == 200, response.text
    assert (await _announced(harness, user))[-1]["phone"] is None


async def test_a_refused_change_announces_nothing(harness: Harness) -> None:
    user = await harness.register()
    response = await harness.call("PATCH", "/v1/profile", user, json={"phone": "12345"})
    assert response.status_code == 422
    assert len(await _announced(harness, user)) == 1  # only the creation


async def test_staff_edits_are_announced(harness: Harness) -> None:
    user = await harness.register()
    response = await harness.call(
        "PATCH", f"/v1/admin/users/{user}/profile", "staff-1", "admin",
        json={"phone": "+971501234568"},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    assert (await _announced(harness, user))[-1]["phone"] == "+971501234568"
