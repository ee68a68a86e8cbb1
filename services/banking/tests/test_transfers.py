"""Internal transfers over HTTP: by e-mail or user id, instant, Idempotency-Key rules,
both users notified through the outbox, every refusal a 4xx that moves nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from burency_common.events import SEND_NOTIFICATION

from .banking_testing.harness import Harness

PATH = "/v1/transfers/internal"


async def _pair(h: Harness) -> tuple[str, str]:
    alice = await h.register(email="alice@example.com")
    bob = await h.register(email="bob@example.com")
    await h.deposit(alice, "AED", 10_000)
    return alice, bob


async def _send(h: Harness, user: str, key: str | None, **body: Any) -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return await h.call("POST", PATH, user, headers=headers, json=body)


async def _available(h: Harness, user: str, asset: str = "AED") -> str | None:
    for account in (await h.call("GET", "/v1/accounts", user)).json():
        if account["asset"] == asset:
            return str(account["available"])
    return None


async def test_transfer_by_email_moves_money_and_notifies_both(h: Harness) -> None:
    alice, bob = await _pair(h)
    response = await _send(h, alice, "k-1", toEmail="BOB@example.com", asset="AED",
                           amount="12.5", memo="lunch")  # fmt: skip
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["status"], body["amount"], body["toUserId"], body["memo"]) == (
        "completed", "12.50", bob, "lunch")  # fmt: skip
    assert await _available(h, alice) == "87.50"
    assert await _available(h, bob) == "12.50"
    sent = await h.published(SEND_NOTIFICATION, event="banking.transfer.sent")
    received = await h.published(SEND_NOTIFICATION, event="banking.transfer.received")
    assert [e.payload["user_ids"] for e in sent] == [[alice]]
    assert [e.payload["user_ids"] for e in received] == [[bob]]
    assert received[0].payload["data"]["amount"] == "12.50"


async def test_transfer_by_user_id_in_a_new_asset_opens_the_account(h: Harness) -> None:
    alice, bob = await _pair(h)
    await h.deposit(alice, "USDT", 5_000_000)
    response = await _send(h, alice, "k", toUserId=bob, asset="USDT", amount="1.25")
    assert response.status_code == 201, response.text
    assert await _available(h, bob, "USDT") == "1.250000"


async def test_same_key_same_body_replays_and_different_body_conflicts(h: Harness) -> None:
    alice, _ = await _pair(h)
    first = await _send(h, alice, "same", toEmail="bob@example.com", asset="AED", amount="1")
    again = await _send(h, alice, "same", toEmail="bob@example.com", asset="AED", amount="1")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    other = await _send(h, alice, "same", toEmail="bob@example.com", asset="AED", amount="2")
    assert (other.status_code, other.json()["code"]) == (409, "IDEMPOTENCY_CONFLICT")
    assert await _available(h, alice) == "99.00"


async def test_racing_identical_requests_move_the_money_once(h: Harness) -> None:
    alice, _ = await _pair(h)
    results = await asyncio.gather(
        *(_send(h, alice, "race", toEmail="bob@example.com", asset="AED", amount="10")
          for _ in range(6))
    )  # fmt: skip
    assert {r.status_code for r in results} == {201}
    assert len({r.json()["id"] for r in results}) == 1
    assert await _available(h, alice) == "90.00"


@pytest.mark.parametrize(
    ("key", "body", "status", "code"),
    [
        (None, {"toEmail": "bob@example.com", "asset": "AED", "amount": "1"}, 400,
         "IDEMPOTENCY_KEY_REQUIRED"),
        ("has space", {"toEmail": "bob@example.com", "asset": "AED", "amount": "1"}, 400,
         "INVALID_IDEMPOTENCY_KEY"),
        ("k", {"toEmail": "bob@example.com", "asset": "AED", "amount": "1000"}, 409,
         "INSUFFICIENT_FUNDS"),
        ("k", {"toEmail": "nobody@example.com", "asset": "AED", "amount": "1"}, 404,
         "RECIPIENT_NOT_FOUND"),
        ("k", {"toEmail": "alice@example.com", "asset": "AED", "amount": "1"}, 422,
         "SELF_TRANSFER"),
        ("k", {"toEmail": "bob@example.com", "asset": "AED", "amount": "0.001"}, 422,
         "AMOUNT_PRECISION_EXCEEDED"),
        ("k", {"toEmail": "bob@example.com", "asset": "AED", "amount": "0"}, 422,
         "ZERO_AMOUNT"),
        ("k", {"toEmail": "bob@example.com", "asset": "AED", "amount": "1e3"}, 422,
         "INVALID_AMOUNT"),
        ("k", {"toEmail": "bob@example.com", "asset": "DOGE", "amount": "1"}, 422,
         "UNKNOWN_ASSET"),
        ("k", {"toEmail": "bob@example.com", "toUserId": "x", "asset": "AED", "amount": "1"},
         422, "VALIDATION_FAILED"),
        ("k", {"toEmail": "bob@example.com", "asset": "AED", "amount": 1.5}, 422,
         "VALIDATION_FAILED"),
    ],
)  # fmt: skip
async def test_refusals_move_nothing(
    h: Harness, key: str | None, body: dict[str, Any], status: int, code: str
) -> None:
    alice, _ = await _pair(h)
    response = await _send(h, alice, key, **body)
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert await _available(h, alice) == "100.00"
    retry = await _send(h, alice, "k", toEmail="bob@example.com", asset="AED", amount="1")
    assert retry.status_code == 201  # a refused request did not burn its key
