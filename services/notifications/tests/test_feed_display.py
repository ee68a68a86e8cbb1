"""The in-app feed as the web app shows it (#17): each item in the reader's language
now (the profile's, English until known), re-rendered from the notification's data,
and the path in the app it leads to. SQLite and PostgreSQL, through the HTTP API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from burency_notifications.adapters.orm import notifications
from burency_notifications.domain import feed_link
from burency_notifications.settings import NotificationsSettings

from .notifications_testing.harness import Harness, command, eventually, running_harness
from .notifications_testing.profiles import profile_event, register_with_profile


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def h(
    request: pytest.FixtureRequest,
    make_settings: Callable[..., NotificationsSettings],
    postgres_database_factory: Callable[..., str],
) -> AsyncIterator[Harness]:
    overrides: dict[str, Any] = {}
    if request.param == "postgres":
        overrides["database_url"] = postgres_database_factory()
    async with running_harness(make_settings(**overrides)) as harness:
        yield harness


async def _feed(h: Harness, user: str, count: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    async def arrived() -> bool:
        answer = await h.call("GET", "/v1/notifications", user, params={"limit": 50})
        found[:] = answer.json()["items"]
        return len(found) >= count

    await eventually(arrived, f"{count} feed items of {user}")
    return found


async def test_items_follow_the_readers_language_and_link_into_the_app(h: Harness) -> None:
    user = await register_with_profile(h, "feed@example.com", phone=None, language="en")
    deposit = command("deposit.credited", [user], channels=["in_app"],
                      data={"amount": "1.5", "asset": "BTC"})  # fmt: skip
    kyc = command("kyc.approved", [user], channels=["in_app"], data={"level": 2})
    fill = command("order.filled", [user], channels=["in_app"],
                   data={"symbol": "BTC/AED", "side": "BUY", "amount": "0.1",
                         "price": "350000"})  # fmt: skip
    for note in (deposit, kyc, fill):
        await h.bus.publish(note)
    english = {i["event"]: i for i in await _feed(h, user, 3)}
    assert english["deposit.credited"]["title"] == "Deposit credited"
    assert english["deposit.credited"]["body"] == "1.5 BTC was credited to your account."
    assert {e: i["link"] for e, i in english.items()} == {
        "deposit.credited": "/wallet", "kyc.approved": "/kyc", "order.filled": "/trade/BTC-AED",
    }  # fmt: skip

    later = datetime.now(UTC) + timedelta(seconds=1)
    await h.bus.publish(profile_event(user, phone=None, language="ar", changed_at=later))
    await eventually(lambda: _title_is(h, user, "تم إيداع المبلغ"), "the feed in Arabic")
    arabic = {i["event"]: i for i in await _feed(h, user, 3)}
    assert arabic["deposit.credited"]["body"] == "تم إيداع 1.5 BTC في حسابك."
    assert {e: i["link"] for e, i in arabic.items()} == {e: i["link"] for e, i in english.items()}
    assert [i["id"] for i in arabic.values()] == [i["id"] for i in english.values()]


async def _title_is(h: Harness, user: str, title: str) -> bool:
    items = (await h.call("GET", "/v1/notifications", user)).json()["items"]
    return any(i["title"] == title for i in items)


async def test_an_item_whose_data_no_longer_renders_keeps_its_stored_text(h: Harness) -> None:
    user = await register_with_profile(h, "old@example.com", phone=None, language="ar")
    note = command("withdrawal.rejected", [user], channels=["in_app"],
                   data={"amount": "2", "asset": "AED", "reason": "name mismatch"})  # fmt: skip
    await h.bus.publish(note)
    [stored] = await _feed(h, user, 1)
    async with h.component.engine.begin() as conn:  # an older producer's data
        await conn.execute(
            update(notifications)
            .where(notifications.c.id == note.payload["notification_id"])
            .values(data={})
        )
    [shown] = await _feed(h, user, 1)
    assert (shown["title"], shown["body"]) == (stored["title"], stored["body"])
    assert shown["link"] == "/wallet"


def test_links_stay_inside_the_app() -> None:
    assert feed_link("order.filled", {"symbol": "eth/usdt"}) == "/trade/ETH-USDT"
    for symbol in ("//evil.example/x", "BTC/AED/../../x", "https://x", 5, None):
        assert feed_link("order.filled", {"symbol": symbol}) == "/markets"
    assert feed_link("auth.new_login", {}) == "/settings/sessions"
    assert feed_link("marketing.announcement", {"title": "/x"}) is None
    assert feed_link("no.such.event", {}) is None
