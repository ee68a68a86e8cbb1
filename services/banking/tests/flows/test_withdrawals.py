"""Withdrawals: 2FA with the real auth service, KYC limits from ``kyc.status_changed``,
holds, staff approval, bank payouts, chain broadcasts and confirmations, cancellation,
failure, idempotency; on SQLite and PostgreSQL where the database matters."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from burency_banking.flows import withdrawals as flow
from burency_common.errors import Conflict

from .flows_harness import FlowsHarness

OUTSIDE_BTC = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
IBAN = "GB82WEST12345698765432"


async def _btc(h: FlowsHarness, user: str, amount: str, *, key: str, code: str | None = None,
               address: str = OUTSIDE_BTC) -> httpx.Response:  # fmt: skip
    body = {"asset": "BTC", "network": "BTC", "address": address, "amount": amount,
            "totpCode": code or h.code(user)}  # fmt: skip
    return await h.call("POST", "/v1/withdrawals/crypto", user, json=body, key=key)


async def _aed(h: FlowsHarness, user: str, amount: str, *, key: str) -> httpx.Response:
    body = {"amount": amount, "iban": IBAN, "beneficiaryName": "Jo Doe", "totpCode": h.code(user)}
    return await h.call("POST", "/v1/withdrawals/fiat", user, json=body, key=key)


async def _verified_user(h: FlowsHarness, level: int = 1, **funds: int) -> str:
    user = await h.user()
    await h.kyc_level(user, level)
    for asset, amount in funds.items():
        await h.fund(user, asset, amount)
    return user


async def test_crypto_withdrawal_is_broadcast_confirmed_and_posted(db_flows: FlowsHarness) -> None:
    h, sim = db_flows, db_flows.flows.sim
    assert sim is not None
    user = await _verified_user(h, BTC=10_000_000)  # 0.1 BTC
    placed = await _btc(h, user, "0.04", key="w-1")  # under the 0.05 BTC approval threshold
    assert placed.status_code == 201, placed.text
    body: dict[str, Any] = placed.json()
    assert (body["status"], body["amount"], body["fee"]) == ("QUEUED", "0.04000000", "0.00005000")
    assert await h.balance(user, "BTC") == {
        "asset": "BTC", "total": "0.10000000", "held": "0.04005000", "available": "0.05995000"
    }  # fmt: skip
    await h.flows.run_chain_once()
    sent = (await h.call("GET", f"/v1/withdrawals/{body['id']}", user)).json()
    assert sent["status"] == "BROADCAST"
    assert await sim.confirmations("BTC", sent["txid"]) == 0
    cancel = await h.call("POST", f"/v1/withdrawals/{body['id']}/cancel", user, key="c-1")
    assert (cancel.status_code, cancel.json()["code"]) == (409, "WITHDRAWAL_NOT_CANCELLABLE")
    await sim.mine("BTC", 2)
    await asyncio.gather(h.flows.run_chain_once(), h.flows.run_chain_once())
    done = (await h.call("GET", f"/v1/withdrawals/{body['id']}", user)).json()
    assert (done["status"], done["txid"]) == ("COMPLETED", sent["txid"])
    assert await h.balance(user, "BTC") == {
        "asset": "BTC", "total": "0.05995000", "held": "0.00000000", "available": "0.05995000"
    }  # fmt: skip
    totals = await sim.wallet_totals("BTC", min_confirmations=2)
    assert totals["BTC"].sent == 4_000_000
    [note] = await h.notifications("withdrawal.sent", user)
    assert (note["data"]["txid"], note["data"]["address"]) == (sent["txid"], OUTSIDE_BTC)


async def test_wrong_or_missing_second_factor_is_refused(flows_h: FlowsHarness) -> None:
    user = await _verified_user(flows_h, BTC=10_000_000)
    wrong = await _btc(flows_h, user, "0.01", key="w-1", code=flows_h.wrong_code(user))
    assert (wrong.status_code, wrong.json()["code"]) == (403, "TOTP_INVALID")
    code = flows_h.code(user)
    assert (await _btc(flows_h, user, "0.01", key="w-2", code=code)).status_code == 201
    reused = await _btc(flows_h, user, "0.01", key="w-3", code=code)
    assert (reused.status_code, reused.json()["code"]) == (403, "TOTP_REUSED")
    no_2fa = await flows_h.user(totp=False)
    await flows_h.kyc_level(no_2fa, 1)
    await flows_h.fund(no_2fa, "BTC", 10_000_000)
    body = {"asset": "BTC", "network": "BTC", "address": OUTSIDE_BTC, "amount": "0.01",
            "totpCode": "123456"}  # fmt: skip
    off = await flows_h.call("POST", "/v1/withdrawals/crypto", no_2fa, json=body, key="w-4")
    assert (off.status_code, off.json()["code"]) == (409, "TOTP_NOT_ENABLED")
    mine = (await flows_h.call("GET", "/v1/withdrawals", user)).json()["items"]
    assert len(mine) == 1
    assert (await flows_h.balance(user, "BTC"))["held"] == "0.01005000"


async def test_short_funds_are_refused_before_the_code_is_spent(flows_h: FlowsHarness) -> None:
    user = await _verified_user(flows_h, BTC=1_005_000)  # 0.01 + the 0.00005 fee, once
    code = flows_h.code(user)
    short = await _btc(flows_h, user, "0.01000001", key="f-1", code=code)
    assert (short.status_code, short.json()["code"]) == (409, "INSUFFICIENT_FUNDS")
    stranger = await flows_h.user()  # no BTC account at all
    await flows_h.kyc_level(stranger, 1)
    none = await _btc(flows_h, stranger, "0.01", key="f-2", code=flows_h.code(stranger))
    assert (none.status_code, none.json()["code"]) == (409, "INSUFFICIENT_FUNDS")
    assert (await _btc(flows_h, user, "0.01", key="f-3", code=code)).status_code == 201
    assert (await flows_h.balance(user, "BTC"))["available"] == "0.00000000"


async def test_bad_inputs_are_refused_before_the_code_is_spent(flows_h: FlowsHarness) -> None:
    user = await _verified_user(flows_h, BTC=10_000_000)
    code = flows_h.code(user)
    for overrides, expected in [
        ({"address": "0x52908400098527886E0F7030069857D2E4169EE7"}, "INVALID_ADDRESS"),
        ({"network": "TRC20"}, "UNSUPPORTED_NETWORK"),
        ({"amount": "0.00001"}, "BELOW_MINIMUM"),
        ({"amount": "0.000000001"}, "AMOUNT_PRECISION_EXCEEDED"),
    ]:
        body = {"asset": "BTC", "network": "BTC", "address": OUTSIDE_BTC, "amount": "0.01",
                "totpCode": code, **overrides}  # fmt: skip
        response = await flows_h.call("POST", "/v1/withdrawals/crypto", user, json=body, key="k")
        assert (response.status_code, response.json()["code"]) == (422, expected), overrides
    assert (await _btc(flows_h, user, "0.01", key="k", code=code)).status_code == 201
    fiat = {"amount": "100", "iban": "GB00WEST12345698765432", "beneficiaryName": "Jo",
            "totpCode": code}  # fmt: skip
    bad_iban = await flows_h.call("POST", "/v1/withdrawals/fiat", user, json=fiat, key="f")
    assert (bad_iban.status_code, bad_iban.json()["code"]) == (422, "INVALID_IBAN")


async def test_kyc_limits_per_day(flows_h: FlowsHarness) -> None:
    user = await _verified_user(flows_h, level=0, BTC=50_000_000)
    unverified = await _btc(flows_h, user, "0.01", key="w-0")
    assert (unverified.status_code, unverified.json()["code"]) == (409, "WITHDRAWAL_LIMIT_EXCEEDED")
    await flows_h.kyc_level(user, 1)  # BTC: 0.1 a day
    assert (await _btc(flows_h, user, "0.06", key="w-1")).status_code == 201
    over = await _btc(flows_h, user, "0.05", key="w-2")
    assert (over.status_code, over.json()["code"]) == (409, "WITHDRAWAL_LIMIT_EXCEEDED")
    assert (await flows_h.balance(user, "BTC"))["held"] == "0.06005000"  # nothing half-done
    limits = (await flows_h.call("GET", "/v1/withdrawals/limits", user)).json()
    [btc] = [x for x in limits if x["asset"] == "BTC"]
    assert (btc["level"], btc["daily"], btc["dailyUsed"]) == (1, "0.10000000", "0.06000000")
    await flows_h.kyc_level(user, 2)  # BTC: 2 a day
    assert (await _btc(flows_h, user, "0.05", key="w-3")).status_code == 201


async def test_large_bank_withdrawal_needs_approval_then_is_paid(flows_h: FlowsHarness) -> None:
    user = await _verified_user(flows_h, level=2, AED=10_000_000)  # 100,000 AED
    placed = await _aed(flows_h, user, "60000", key="big")
    assert placed.status_code == 201, placed.text
    wid = placed.json()["id"]
    assert placed.json()["status"] == "PENDING_APPROVAL"
    paid_early = await flows_h.staff("POST", f"/v1/admin/withdrawals/{wid}/mark-paid",
                                     json={"bankReference": "FT1"}, key="p0")  # fmt: skip
    assert (paid_early.status_code, paid_early.json()["code"]) == (409, "WITHDRAWAL_NOT_PAYABLE")
    queue = (await flows_h.staff("GET", "/v1/admin/withdrawals?status=PENDING_APPROVAL")).json()
    assert [w["id"] for w in queue["items"]] == [wid]
    user_try = await flows_h.call("POST", f"/v1/admin/withdrawals/{wid}/approve", user)
    assert user_try.status_code == 403
    approved = await flows_h.staff("POST", f"/v1/admin/withdrawals/{wid}/approve")
    assert approved.json()["status"] == "QUEUED"
    paid = await flows_h.staff("POST", f"/v1/admin/withdrawals/{wid}/mark-paid",
                               json={"bankReference": "FT123"}, key="p1")  # fmt: skip
    assert (paid.json()["status"], paid.json()["bankReference"]) == ("COMPLETED", "FT123")
    assert await flows_h.balance(user, "AED") == {
        "asset": "AED", "total": "39995.00", "held": "0.00", "available": "39995.00"
    }  # fmt: skip
    [note] = await flows_h.notifications("withdrawal.sent", user)
    assert note["data"]["address"] == "IBAN ending 5432"


async def test_rejection_and_cancellation_release_the_hold(flows_h: FlowsHarness) -> None:
    user = await _verified_user(flows_h, level=2, AED=10_000_000)
    big = (await _aed(flows_h, user, "55000", key="a")).json()
    small = (await _aed(flows_h, user, "100", key="b")).json()
    assert (big["status"], small["status"]) == ("PENDING_APPROVAL", "QUEUED")
    assert (await flows_h.balance(user, "AED"))["held"] == "55110.00"
    rejected = await flows_h.staff("POST", f"/v1/admin/withdrawals/{big['id']}/reject",
                                   json={"reason": "source of funds"}, key="r")  # fmt: skip
    assert rejected.json()["status"] == "REJECTED"
    cancelled = await flows_h.call("POST", f"/v1/withdrawals/{small['id']}/cancel", user, key="c")
    assert cancelled.json()["status"] == "CANCELLED"
    again = await flows_h.call("POST", f"/v1/withdrawals/{small['id']}/cancel", user, key="c")
    assert again.json() == cancelled.json()  # same key: the stored answer
    other_key = await flows_h.call("POST", f"/v1/withdrawals/{small['id']}/cancel", user, key="d")
    assert (other_key.status_code, other_key.json()["code"]) == (409, "WITHDRAWAL_NOT_CANCELLABLE")
    assert await flows_h.balance(user, "AED") == {
        "asset": "AED", "total": "100000.00", "held": "0.00", "available": "100000.00"
    }  # fmt: skip
    [note] = await flows_h.notifications("withdrawal.rejected", user)
    assert note["data"]["reason"] == "source of funds"
    assert len(await flows_h.notifications("withdrawal.cancelled", user)) == 1
    stranger = await flows_h.call("POST", f"/v1/withdrawals/{big['id']}/cancel", "x", key="z")
    assert stranger.status_code == 404


async def test_same_key_replays_even_with_a_spent_code(flows_h: FlowsHarness) -> None:
    user = await _verified_user(flows_h, BTC=10_000_000)
    code = flows_h.code(user)
    first = await _btc(flows_h, user, "0.01", key="same", code=code)
    replay = await _btc(flows_h, user, "0.01", key="same", code=code)
    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.json() == first.json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    different = await _btc(flows_h, user, "0.02", key="same")
    assert (different.status_code, different.json()["code"]) == (409, "IDEMPOTENCY_CONFLICT")
    no_key = await flows_h.call("POST", "/v1/withdrawals/crypto", user, json={})
    assert (no_key.status_code, no_key.json()["code"]) == (400, "IDEMPOTENCY_KEY_REQUIRED")
    assert (await flows_h.balance(user, "BTC"))["held"] == "0.01005000"


async def test_insufficient_funds_holds_nothing(flows_h: FlowsHarness) -> None:
    user = await _verified_user(flows_h, BTC=1_000_000)  # 0.01 BTC
    short = await _btc(flows_h, user, "0.01", key="x")  # + fee > balance
    assert (short.status_code, short.json()["code"]) == (409, "INSUFFICIENT_FUNDS")
    assert (await flows_h.call("GET", "/v1/withdrawals", user)).json()["items"] == []


async def test_dropped_withdrawal_fails_and_releases_the_hold(flows_h: FlowsHarness) -> None:
    sim = flows_h.flows.sim
    assert sim is not None
    user = await _verified_user(flows_h, BTC=10_000_000)
    wid = (await _btc(flows_h, user, "0.02", key="w")).json()["id"]
    await flows_h.flows.run_chain_once()
    txid = (await flows_h.call("GET", f"/v1/withdrawals/{wid}", user)).json()["txid"]
    await sim.reorg("BTC", txid)
    await flows_h.flows.run_chain_once()
    failed = (await flows_h.call("GET", f"/v1/withdrawals/{wid}", user)).json()
    assert failed["status"] == "FAILED"
    assert (await flows_h.balance(user, "BTC"))["available"] == "0.10000000"
    assert len(await flows_h.notifications("withdrawal.failed", user)) == 1


async def test_concurrent_withdrawals_cannot_both_slip_under_the_limit(
    db_flows: FlowsHarness,
) -> None:
    h = db_flows
    user = await _verified_user(h, BTC=100_000_000)  # 1 BTC, limit 0.1 a day

    async def place() -> str:
        try:
            async with h.banking.context.transaction() as db:
                await flow.place_crypto(
                    h.flows, db, user_id=user, asset="BTC", network="BTC", address=OUTSIDE_BTC,
                    amount=4_000_000,
                )  # fmt: skip
        except Conflict as exc:
            return exc.code
        return "PLACED"

    results = await asyncio.gather(*(place() for _ in range(4)))
    assert sorted(results) == ["PLACED", "PLACED", "WITHDRAWAL_LIMIT_EXCEEDED",
                               "WITHDRAWAL_LIMIT_EXCEEDED"]  # fmt: skip
    assert (await h.balance(user, "BTC"))["held"] == "0.08010000"
