"""One contract for every push path: the recording sender (embedded) and our FCM client
(against the local FCM server) each give every accepted push its own provider id, and
the push channel over either fans a delivery out to the user's devices, records one
``push_sends`` row per device, and skips a user without devices."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from burency_notifications.adapters.channels import RecordingChannel
from burency_notifications.adapters.orm import push_sends
from burency_notifications.adapters.push import (
    FcmClient,
    PushMessage,
    RecordingPushSender,
    ServiceAccount,
)
from burency_notifications.adapters.push.message import PushSender
from burency_notifications.settings import NotificationsSettings

from .notifications_testing.harness import Harness, command, running_harness
from .notifications_testing.push_env import add_device, fcm_token, local_fcm


@pytest.fixture(params=["record", "fcm"])
async def sender(request: pytest.FixtureRequest) -> AsyncIterator[PushSender]:
    if request.param == "record":
        yield RecordingPushSender(RecordingChannel())
        return
    async with local_fcm() as fcm:
        client = FcmClient(account=ServiceAccount.from_info(fcm.account), base_url=fcm.server.url)
        yield client
        await client.close()


async def test_contract_each_push_has_its_own_provider_id(sender: PushSender) -> None:
    ids = [
        await sender.send(PushMessage(token=fcm_token(n), title="T", body="B", collapse_id="n-1"))
        for n in range(3)
    ]
    assert all(ids)
    assert len(set(ids)) == 3


@pytest.fixture(params=["record", "fcm"])
async def push_harness(
    request: pytest.FixtureRequest, make_settings: Callable[..., NotificationsSettings]
) -> AsyncIterator[Harness]:
    if request.param == "record":
        async with running_harness(make_settings(push_channel="record")) as h:
            yield h
        return
    async with local_fcm() as fcm, running_harness(make_settings(**fcm.settings())) as h:
        yield h


async def test_contract_channel_fans_out_per_device(push_harness: Harness) -> None:
    h = push_harness
    with_devices, without = await h.register("a@example.com"), await h.register("b@example.com")
    await add_device(h, with_devices, fcm_token("c1"))
    await add_device(h, with_devices, fcm_token("c2"), platform="web")
    note = command("price.alert", [with_devices, without], data={"symbol": "S", "price": "1"},
                   channels=["push"])  # fmt: skip
    await h.bus.publish(note)
    rows = await h.settled(note.payload["notification_id"], 2)
    assert rows[(with_devices, "push")].status == "sent"
    assert rows[(without, "push")].status == "skipped"
    assert rows[(without, "push")].last_error == "no_devices"
    query: Any = select(func.count()).select_from(push_sends)
    async with h.component.engine.connect() as conn:
        assert await conn.scalar(query.where(push_sends.c.status == "sent")) == 2
