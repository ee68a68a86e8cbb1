"""Fiat (AED) deposits: request -> bank details and reference -> staff approve (for the
amount received) or reject; audit rows, notifications, exactly-once crediting."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from burency_banking.flows.tables import banking_audit

from .flows_harness import STAFF, FlowsHarness


async def _request(h: FlowsHarness, user: str, amount: str = "1500.00") -> dict[str, object]:
    response = await h.call("POST", "/v1/deposits/fiat", user, json={"amount": amount})
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


async def test_request_returns_bank_details_and_a_unique_reference(flows_h: FlowsHarness) -> None:
    user = await flows_h.user(totp=False)
    first, second = await _request(flows_h, user), await _request(flows_h, user, "20.50")
    assert first["status"] == "PENDING"
    assert first["amount"] == "1500.00"
    bank = first["bank"]
    assert isinstance(bank, dict)
    assert bank["iban"].startswith("AE")
    assert bank["reference"] == first["reference"]
    assert first["reference"] != second["reference"]
    listed = await flows_h.call("GET", "/v1/deposits/fiat", user)
    assert [d["id"] for d in listed.json()["items"]] == [second["id"], first["id"]]
    other = await flows_h.call("GET", f"/v1/deposits/fiat/{first['id']}", "someone-else")
    assert (other.status_code, other.json()["code"]) == (404, "DEPOSIT_NOT_FOUND")


async def test_bad_amounts_are_422_with_codes(flows_h: FlowsHarness) -> None:
    for amount, code in [
        ("1.001", "AMOUNT_PRECISION_EXCEEDED"),
        ("-5", "NEGATIVE_AMOUNT"),
        ("0", "ZERO_AMOUNT"),
        ("1e3", "INVALID_AMOUNT"),
        ("5.00", "AMOUNT_OUT_OF_RANGE"),
    ]:
        response = await flows_h.call("POST", "/v1/deposits/fiat", "u1", json={"amount": amount})
        assert (response.status_code, response.json()["code"]) == (422, code), amount
    btc = await flows_h.call(
        "POST", "/v1/deposits/fiat", "u1", json={"asset": "BTC", "amount": "1"}
    )
    assert (btc.status_code, btc.json()["code"]) == (422, "UNSUPPORTED_ASSET")


async def test_approval_credits_the_amount_received_once(flows_h: FlowsHarness) -> None:
    user = await flows_h.user(totp=False)
    deposit = await _request(flows_h, user, "1500.00")
    path = f"/v1/admin/deposits/fiat/{deposit['id']}/approve"
    tiny = await flows_h.staff("POST", path, json={"amount": "5"}, key="approve-0")
    assert (tiny.status_code, tiny.json()["code"]) == (422, "AMOUNT_OUT_OF_RANGE")
    approvals = await asyncio.gather(
        flows_h.staff("POST", path, json={"amount": "1499.50"}, key="approve-1"),
        flows_h.staff("POST", path, json={"amount": "1499.50"}, key="approve-1"),
    )
    assert [r.status_code for r in approvals] == [200, 200]
    assert approvals[0].json() == approvals[1].json()
    assert approvals[0].json()["creditedAmount"] == "1499.50"
    assert (await flows_h.balance(user, "AED"))["available"] == "1499.50"
    again = await flows_h.staff("POST", path, json={}, key="approve-2")
    assert (again.status_code, again.json()["code"]) == (409, "DEPOSIT_NOT_PENDING")
    assert (await flows_h.balance(user, "AED"))["available"] == "1499.50"
    [note] = await flows_h.notifications("deposit.credited", user)
    assert note["data"]["amount"] == "1499.50"
    async with flows_h.banking.context.engine.connect() as db:
        audit = (await db.execute(select(banking_audit))).mappings().all()
    assert [(a["action"], a["actor_id"]) for a in audit] == [("deposit.approve", STAFF)]


async def test_rejection_credits_nothing_and_tells_the_user(flows_h: FlowsHarness) -> None:
    user = await flows_h.user(totp=False)
    deposit = await _request(flows_h, user)
    path = f"/v1/admin/deposits/fiat/{deposit['id']}/reject"
    rejected = await flows_h.staff("POST", path, json={"reason": "no transfer received"})
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["status"], rejected.json()["reason"]) == (
        "REJECTED",
        "no transfer received",
    )
    assert (await flows_h.balance(user, "AED"))["total"] in ("0", "0.00")
    [note] = await flows_h.notifications("deposit.rejected", user)
    assert note["data"]["reason"] == "no transfer received"
    late = await flows_h.staff(
        "POST", f"/v1/admin/deposits/fiat/{deposit['id']}/approve", json={}, key="k"
    )
    assert (late.status_code, late.json()["code"]) == (409, "DEPOSIT_NOT_PENDING")


async def test_only_deposit_approvers_decide(flows_h: FlowsHarness) -> None:
    user = await flows_h.user(totp=False)
    deposit = await _request(flows_h, user)
    path = f"/v1/admin/deposits/fiat/{deposit['id']}/approve"
    as_user = await flows_h.call("POST", path, user, json={}, key="k1")
    assert as_user.status_code == 403
    as_support = await flows_h.call("POST", path, "sup", "support", json={}, key="k1")
    assert as_support.status_code == 403
    no_key = await flows_h.staff("POST", path, json={})
    assert (no_key.status_code, no_key.json()["code"]) == (400, "IDEMPOTENCY_KEY_REQUIRED")
    queue = await flows_h.staff("GET", "/v1/admin/deposits/fiat?status=PENDING")
    assert [d["id"] for d in queue.json()["items"]] == [deposit["id"]]
