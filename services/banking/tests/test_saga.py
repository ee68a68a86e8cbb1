"""The banking side of the funding ↔ trading saga, against a test participant playing
the trading core on the in-memory bus: hold + ``requested``; ``completed`` posts the
hold, ``failed`` refunds; an incoming transfer from trading is credited once and
answered; unknown users are refused; duplicates have no second effect."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from burency_banking.service import saga
from burency_banking.settings import BankingSettings
from burency_common.events import EventEnvelope, default_registry
from burency_common.events.wallet import (
    WALLET_TRANSFER_COMPLETED,
    WALLET_TRANSFER_FAILED,
    WALLET_TRANSFER_REQUESTED,
    WalletTransferCompleted,
    WalletTransferFailed,
    WalletTransferRequested,
)
from burency_common.ids import new_id

from .banking_testing.harness import Harness, running_harness

TOPICS = [WALLET_TRANSFER_REQUESTED, WALLET_TRANSFER_COMPLETED, WALLET_TRANSFER_FAILED,
          "SEND_NOTIFICATION"]  # fmt: skip


@pytest.fixture
async def sh(make_settings: Any) -> Any:
    settings: BankingSettings = make_settings()
    async with running_harness(settings, bus=None, record=TOPICS) as h:
        yield h


def _trading_says(event_type: str, payload: Any) -> EventEnvelope:
    return default_registry().build(payload, event_type=event_type, producer="trading")


async def _available(h: Harness, user: str, asset: str = "AED") -> tuple[str, str]:
    for a in (await h.call("GET", "/v1/accounts", user)).json():
        if a["asset"] == asset:
            return a["available"], a["held"]
    raise AssertionError("no account")


async def _to_trading(h: Harness, user: str, amount: str = "40", key: str = "k") -> Any:
    return await h.call("POST", "/v1/transfers/trading", user, headers={"Idempotency-Key": key},
                        json={"asset": "AED", "amount": amount})  # fmt: skip


async def test_to_trading_holds_publishes_and_completion_posts(sh: Harness) -> None:
    user = await sh.register()
    await sh.deposit(user, "AED", 10_000)
    response = await _to_trading(sh, user)
    assert response.status_code == 202, response.text
    transfer = response.json()
    assert (transfer["status"], transfer["amount"]) == ("pending", "40.00")
    assert await _available(sh, user) == ("60.00", "40.00")
    [requested] = await sh.published(WALLET_TRANSFER_REQUESTED)
    assert requested.payload == {"transfer_id": transfer["id"], "direction": "funding_to_trading",
                                 "user_id": user, "asset": "AED", "amount": "40.00"}  # fmt: skip
    done = WalletTransferCompleted(**requested.payload)
    envelope = _trading_says(WALLET_TRANSFER_COMPLETED, done)
    await sh.bus.publish(envelope)
    await sh.bus.publish(envelope)  # redelivered
    await sh.bus.publish(_trading_says(WALLET_TRANSFER_COMPLETED, done))  # re-sent, new id
    assert await _available(sh, user) == ("60.00", "0.00")
    status = await sh.call("GET", f"/v1/transfers/trading/{transfer['id']}", user)
    assert status.json()["status"] == "completed"
    notes = await sh.published("SEND_NOTIFICATION", event="banking.trading_transfer.completed")
    assert len({e.id for e in notes}) == 1


async def test_failure_refunds_the_user(sh: Harness) -> None:
    user = await sh.register()
    await sh.deposit(user, "AED", 10_000)
    transfer = (await _to_trading(sh, user, "100")).json()
    [requested] = await sh.published(WALLET_TRANSFER_REQUESTED)
    failed = WalletTransferFailed(**requested.payload, reason="TRADING_DISABLED")
    await sh.bus.publish(_trading_says(WALLET_TRANSFER_FAILED, failed))
    assert await _available(sh, user) == ("100.00", "0.00")
    status = await sh.call("GET", f"/v1/transfers/trading/{transfer['id']}", user)
    assert status.json()["status"] == "failed"
    # a late contradicting answer changes nothing
    late = WalletTransferCompleted(**requested.payload)
    await sh.bus.publish(_trading_says(WALLET_TRANSFER_COMPLETED, late))
    assert await _available(sh, user) == ("100.00", "0.00")


async def test_to_trading_refusals(sh: Harness) -> None:
    user = await sh.register()
    await sh.deposit(user, "AED", 1_000)
    poor = await _to_trading(sh, user, "10.01")
    assert (poor.status_code, poor.json()["code"]) == (409, "INSUFFICIENT_FUNDS")
    nokey = await sh.call("POST", "/v1/transfers/trading", user,
                          json={"asset": "AED", "amount": "1"})  # fmt: skip
    assert (nokey.status_code, nokey.json()["code"]) == (400, "IDEMPOTENCY_KEY_REQUIRED")
    other = await sh.call("GET", f"/v1/transfers/trading/{new_id()}", user)
    assert (other.status_code, other.json()["code"]) == (404, "TRANSFER_NOT_FOUND")
    assert await sh.published(WALLET_TRANSFER_REQUESTED) == []
    first = await _to_trading(sh, user, "1", key="mine")
    stranger = await sh.call("GET", f"/v1/transfers/trading/{first.json()['id']}", "someone")
    assert stranger.status_code == 404


async def test_incoming_from_trading_is_credited_once_and_answered(sh: Harness) -> None:
    user = await sh.register()
    request = WalletTransferRequested(transfer_id="tr-1", direction="trading_to_funding",
                                      user_id=user, asset="BTC", amount="0.5")  # fmt: skip
    envelope = _trading_says(WALLET_TRANSFER_REQUESTED, request)
    await sh.bus.publish(envelope)
    await sh.bus.publish(envelope)
    await sh.bus.publish(_trading_says(WALLET_TRANSFER_REQUESTED, request))  # re-sent
    assert await _available(sh, user, "BTC") == ("0.50000000", "0.00000000")
    completed = await sh.published(WALLET_TRANSFER_COMPLETED, transfer_id="tr-1")
    assert len({e.id for e in completed}) == 1  # the same reply id each time: deduplicated
    assert completed[0].payload["direction"] == "trading_to_funding"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [({"user_id": "nobody"}, "UNKNOWN_USER"), ({"asset": "DOGE"}, "UNKNOWN_ASSET"),
     ({"amount": "0.000000001"}, "AMOUNT_PRECISION_EXCEEDED"), ({"amount": "0"}, "ZERO_AMOUNT")],
)  # fmt: skip
async def test_incoming_that_cannot_be_credited_is_answered_failed(
    sh: Harness, changes: dict[str, str], reason: str
) -> None:
    user = await sh.register()
    fields = {"transfer_id": "tr-x", "direction": "trading_to_funding", "user_id": user,
              "asset": "BTC", "amount": "1", **changes}  # fmt: skip
    await sh.bus.publish(
        _trading_says(WALLET_TRANSFER_REQUESTED, WalletTransferRequested(**fields))
    )
    [failed] = await sh.published(WALLET_TRANSFER_FAILED, transfer_id="tr-x")
    assert failed.payload["reason"] == reason
    assert (await sh.call("GET", "/v1/accounts", user)).json()[0]["asset"] == "AED"
    assert len((await sh.call("GET", "/v1/accounts", user)).json()) == 1


async def test_a_hold_left_unanswered_is_requested_again_until_trading_answers(
    sh: Harness,
) -> None:
    """Trading down, or the request dead-lettered: the hold must not wait forever."""
    user = await sh.register()
    await sh.deposit(user, "AED", 10_000)
    transfer = (await _to_trading(sh, user)).json()
    now = sh.ctx.clock.now()
    wait = timedelta(seconds=sh.ctx.settings.trading_transfer_resend_seconds)
    assert await saga.resend_stale_to_trading(sh.ctx, now=now) == 0  # not stale yet
    assert await saga.resend_stale_to_trading(sh.ctx, now=now + wait * 2) == 1
    assert await saga.resend_stale_to_trading(sh.ctx, now=now + wait * 2) == 1  # same period
    first, again = await sh.published(WALLET_TRANSFER_REQUESTED, transfer_id=transfer["id"])
    assert first.payload == again.payload  # the same request; trading credits its id once
    assert first.id != again.id
    done = WalletTransferCompleted(**first.payload)
    await sh.bus.publish(_trading_says(WALLET_TRANSFER_COMPLETED, done))
    assert await _available(sh, user) == ("60.00", "0.00")
    assert await saga.resend_stale_to_trading(sh.ctx, now=now + wait * 5) == 0
