"""``/v1/devices``: register (upsert by token, a token moves to its latest user), list,
delete, the per-user limit and problem codes; concurrent registration of one token on
SQLite and PostgreSQL keeps one row."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from burency_notifications.adapters.orm import devices
from burency_notifications.service.devices import MAX_DEVICES
from burency_notifications.settings import NotificationsSettings

from .notifications_testing.harness import Harness, running_harness
from .notifications_testing.push_env import add_device, fcm_token


async def test_register_list_and_delete(harness: Harness) -> None:
    user = "u-dev"
    token = fcm_token("one")
    response = await harness.call(
        "POST", "/v1/devices", user, json={"token": token, "platform": "web", "name": "Firefox"}
    )
    assert response.status_code == 201
    device = response.json()
    assert device["platform"] == "web"
    assert device["name"] == "Firefox"
    assert device["tokenSuffix"] == token[-8:]
    assert "token" not in device

    again = await harness.call(
        "POST", "/v1/devices", user, json={"token": token, "platform": "web"}
    )
    assert again.status_code == 201
    assert again.json()["id"] == device["id"]
    listed = (await harness.call("GET", "/v1/devices", user)).json()["items"]
    assert [d["id"] for d in listed] == [device["id"]]
    assert listed[0]["name"] is None

    assert (await harness.call("DELETE", f"/v1/devices/{device['id']}", user)).status_code == 204
    assert (await harness.call("GET", "/v1/devices", user)).json()["items"] == []
    gone = await harness.call("DELETE", f"/v1/devices/{device['id']}", user)
    assert gone.status_code == 404
    assert gone.json()["code"] == "DEVICE_NOT_FOUND"


async def test_a_token_moves_to_the_user_who_registers_it_last(harness: Harness) -> None:
    token = fcm_token("shared")
    device_id = await add_device(harness, "seller", token)
    assert await add_device(harness, "buyer", token, platform="ios") == device_id
    assert (await harness.call("GET", "/v1/devices", "seller")).json()["items"] == []
    [moved] = (await harness.call("GET", "/v1/devices", "buyer")).json()["items"]
    assert moved["platform"] == "ios"
    stolen = await harness.call("DELETE", f"/v1/devices/{device_id}", "seller")
    assert stolen.status_code == 404


async def test_device_limit(harness: Harness) -> None:
    for n in range(MAX_DEVICES):
        await add_device(harness, "many", fcm_token(f"m{n}"))
    extra = await harness.call(
        "POST", "/v1/devices", "many", json={"token": fcm_token("x"), "platform": "android"}
    )
    assert extra.status_code == 409
    assert extra.json()["code"] == "DEVICE_LIMIT_REACHED"
    # re-registering an existing device is not a new one
    assert await add_device(harness, "many", fcm_token("m0"))


@pytest.mark.parametrize(
    "body",
    [
        {"token": "short", "platform": "android"},
        {"token": fcm_token(1), "platform": "blackberry"},
        {"token": fcm_token(1) + " <script>", "platform": "ios"},
        {"token": "x" * 4097, "platform": "web"},
        {"platform": "web"},
        {"token": fcm_token(1), "platform": "web", "name": "n" * 101},
        {"token": fcm_token(1), "platform": "web", "extra": 1},
    ],
)
async def test_bad_input_is_422(harness: Harness, body: dict[str, Any]) -> None:
    response = await harness.call("POST", "/v1/devices", "u-bad", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert (await harness.call("GET", "/v1/devices", "u-bad")).json()["items"] == []


async def test_identity_required(harness: Harness) -> None:
    assert (await harness.client.get("/v1/devices")).status_code == 401
    posted = await harness.client.post(
        "/v1/devices", json={"token": fcm_token(1), "platform": "web"}
    )
    assert posted.status_code == 401


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_harness(
    request: pytest.FixtureRequest,
    make_settings: Callable[..., NotificationsSettings],
    postgres_database_factory: Callable[..., str],
) -> AsyncIterator[Harness]:
    overrides: dict[str, Any] = {}
    if request.param == "postgres":
        overrides["database_url"] = postgres_database_factory()
    async with running_harness(make_settings(**overrides)) as h:
        yield h


async def test_concurrent_registration_of_one_token_keeps_one_row(db_harness: Harness) -> None:
    token = fcm_token("race")
    responses = await asyncio.gather(
        *(
            db_harness.call(
                "POST",
                "/v1/devices",
                f"racer-{n % 2}",
                json={"token": token, "platform": "android"},
            )
            for n in range(6)
        )
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    async with db_harness.component.engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(devices)) == 1
