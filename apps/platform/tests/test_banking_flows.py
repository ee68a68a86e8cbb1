"""Banking user flows through the whole embedded platform (gateway + auth + users +
banking + notifications on one in-process bus), driven over HTTP the way the SPA does:
fiat deposits, crypto deposits on the simulated chain (including a reorganisation),
withdrawals with 2FA checked by auth, KYC limits fed by the users service, staff
approval, internal transfers and cancellation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from asgi_lifespan import LifespanManager

from burency_platform.embedded import Platform, build_platform
from burency_platform.settings import PlatformSettings

from .platform_testing import PlatformClient
from .platform_testing.banking import BANK
from .platform_testing.banking import admin as _admin
from .platform_testing.banking import balance as _balance
from .platform_testing.banking import chain as _chain
from .platform_testing.banking import crypto_deposits as _crypto_deposits
from .platform_testing.banking import fiat_funded as _fiat_funded
from .platform_testing.banking import kyc_level_1 as _kyc_level_1
from .platform_testing.banking import post as _post
from .platform_testing.banking import scan as _scan
from .platform_testing.banking import sign_in as _sign_in
from .platform_testing.banking import with_2fa as _with_2fa

OUTSIDE_BTC = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
IBAN = "GB82WEST12345698765432"


@pytest.fixture
async def platform(
    tmp_path: Path, settings_factory: Any
) -> AsyncIterator[tuple[Platform, httpx.AsyncClient]]:
    settings = settings_factory(PlatformSettings, data_dir=tmp_path / "var")
    built = build_platform(settings)
    async with LifespanManager(built) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with PlatformClient(built, transport=transport, base_url="http://burency") as client:
            yield built, client


async def test_fiat_deposit_approved_and_rejected(platform: Any) -> None:
    built, client = platform
    admin = await _admin(built, client)
    user = await _sign_in(client, "fiat@example.com")
    first = await _post(client, f"{BANK}/deposits/fiat", user, {"amount": "2500.00"})
    assert first.status_code == 201, first.text
    assert first.json()["bank"]["reference"] == first.json()["reference"]
    approved = await _post(client, f"{BANK}/admin/deposits/fiat/{first.json()['id']}/approve",
                           admin, {"amount": "2400.00"}, key="a1")  # fmt: skip
    assert (approved.status_code, approved.json()["status"]) == (200, "APPROVED")
    not_staff = await _post(client, f"{BANK}/admin/deposits/fiat/{first.json()['id']}/approve",
                            user, {}, key="a2")  # fmt: skip
    assert not_staff.status_code == 403
    second = await _post(client, f"{BANK}/deposits/fiat", user, {"amount": "100.00"})
    rejected = await _post(client, f"{BANK}/admin/deposits/fiat/{second.json()['id']}/reject",
                           admin, {"reason": "no matching transfer"})  # fmt: skip
    assert (rejected.status_code, rejected.json()["status"]) == (200, "REJECTED")
    assert (await _balance(client, user, "AED"))["available"] == "2400.00"
    mine = (await client.get(f"{BANK}/deposits/fiat", headers=user.headers)).json()["items"]
    assert [(d["status"], d["creditedAmount"]) for d in mine] == [
        ("REJECTED", None),
        ("APPROVED", "2400.00"),
    ]


async def test_crypto_deposit_pending_confirmed_credited_once(platform: Any) -> None:
    built, client = platform
    ops = await _admin(built, client)  # the simulated chain is staff-only
    user = await _sign_in(client, "btc@example.com")
    address = (
        await client.get(f"{BANK}/deposits/crypto/address", params={"asset": "BTC",
                         "network": "BTC"}, headers=user.headers)
    ).json()["address"]  # fmt: skip
    sent = await _chain(client, ops, "send", {"address": address, "amount": "0.25"})
    await _scan(client, ops)
    [pending] = await _crypto_deposits(client, user)
    assert (pending["status"], pending["confirmations"], pending["txid"]) == (
        "PENDING", 0, sent["txid"])  # fmt: skip
    await _chain(client, ops, "mine", {"blocks": 1})
    await _scan(client, ops)
    assert (await _crypto_deposits(client, user))[0]["confirmations"] == 1
    assert (await _balance(client, user, "BTC"))["total"] in ("0", "0.00000000")
    await _chain(client, ops, "mine", {"blocks": 1})
    await asyncio.gather(_scan(client, ops), _scan(client, ops))
    await _chain(client, ops, "mine", {"blocks": 3})
    await _scan(client, ops)
    [credited] = await _crypto_deposits(client, user)
    assert credited["status"] == "CREDITED"
    assert (await _balance(client, user, "BTC"))["available"] == "0.25000000"


async def test_reorganised_deposit_is_never_credited(platform: Any) -> None:
    built, client = platform
    ops = await _admin(built, client)
    user = await _sign_in(client, "reorg@example.com")
    address = (
        await client.get(f"{BANK}/deposits/crypto/address", params={"asset": "BTC",
                         "network": "BTC"}, headers=user.headers)
    ).json()["address"]  # fmt: skip
    sent = await _chain(client, ops, "send", {"address": address, "amount": "1"})
    await _chain(client, ops, "mine", {"blocks": 1})
    await _scan(client, ops)
    reorg = await _chain(client, ops, "reorg", {"txid": sent["txid"]})
    assert reorg["orphanedBlocks"] == 1
    await _chain(client, ops, "mine", {"blocks": 5})
    await _scan(client, ops)
    [dropped] = await _crypto_deposits(client, user)
    assert dropped["status"] == "DROPPED"
    assert (await _balance(client, user, "BTC"))["total"] in ("0", "0.00000000")


async def test_withdrawal_with_a_wrong_2fa_code_is_refused(platform: Any) -> None:
    built, client = platform
    admin = await _admin(built, client)
    user = await _with_2fa(client, "wrong2fa@example.com")
    await _kyc_level_1(client, user)
    await _fiat_funded(client, user, admin, "1000.00")
    body = {"amount": "100", "iban": IBAN, "beneficiaryName": "Layla Haddad", "totpCode": "000000"}
    if pyotp.TOTP(user.totp_secret or "").verify("000000", valid_window=1):
        body["totpCode"] = "999999"  # the random secret accepts 000000 right now (1 in 10^5)
    refused = await _post(client, f"{BANK}/withdrawals/fiat", user, body, key="w1")
    assert (refused.status_code, refused.json()["code"]) == (403, "TOTP_INVALID")
    assert (await _balance(client, user, "AED"))["held"] == "0.00"
    body["totpCode"] = user.code()
    placed = await _post(client, f"{BANK}/withdrawals/fiat", user, body, key="w2")
    assert (placed.status_code, placed.json()["status"]) == (201, "QUEUED")
    assert (await _balance(client, user, "AED"))["held"] == "105.00"


async def test_withdrawal_above_the_kyc_limit_is_refused(platform: Any) -> None:
    built, client = platform
    admin = await _admin(built, client)
    user = await _with_2fa(client, "limits@example.com")
    await _fiat_funded(client, user, admin, "50000.00")
    body = {"amount": "100", "iban": IBAN, "beneficiaryName": "Layla Haddad",
            "totpCode": user.code()}  # fmt: skip
    unverified = await _post(client, f"{BANK}/withdrawals/fiat", user, body, key="l1")
    assert (unverified.status_code, unverified.json()["code"]) == (409, "WITHDRAWAL_LIMIT_EXCEEDED")
    await _kyc_level_1(client, user)  # AED 20,000 a day
    body.update(amount="20000.01", totpCode=user.code())
    over = await _post(client, f"{BANK}/withdrawals/fiat", user, body, key="l2")
    assert (over.status_code, over.json()["code"]) == (409, "WITHDRAWAL_LIMIT_EXCEEDED")
    assert (await _balance(client, user, "AED"))["held"] == "0.00"
    # the refusal came before the 2FA check: the same code still places a smaller one
    body.update(amount="100.00")
    within = await _post(client, f"{BANK}/withdrawals/fiat", user, body, key="l3")
    assert within.status_code == 201, within.text


async def test_withdrawal_beyond_the_balance_leaves_the_code_usable(platform: Any) -> None:
    built, client = platform
    admin = await _admin(built, client)
    user = await _with_2fa(client, "short@example.com")
    await _kyc_level_1(client, user)
    await _fiat_funded(client, user, admin, "100.00")
    # 96 + the 5.00 fee is more than the 100.00 available
    body = {"amount": "96", "iban": IBAN, "beneficiaryName": "Layla Haddad",
            "totpCode": user.code()}  # fmt: skip
    short = await _post(client, f"{BANK}/withdrawals/fiat", user, body, key="s1")
    assert (short.status_code, short.json()["code"]) == (409, "INSUFFICIENT_FUNDS")
    assert (await _balance(client, user, "AED"))["held"] == "0.00"
    body.update(amount="95.00")  # exactly what is available with the fee; same code
    placed = await _post(client, f"{BANK}/withdrawals/fiat", user, body, key="s2")
    assert placed.status_code == 201, placed.text
    assert (await _balance(client, user, "AED"))["available"] == "0.00"


async def test_staff_approval_path_then_payout(platform: Any) -> None:
    built, client = platform
    admin = await _admin(built, client)
    user = await _with_2fa(client, "bigpayout@example.com")
    await _kyc_level_1(client, user)
    await _fiat_funded(client, user, admin, "20000.00")
    body = {"amount": "12000", "iban": IBAN, "beneficiaryName": "Layla Haddad",
            "totpCode": user.code()}  # fmt: skip
    placed = await _post(client, f"{BANK}/withdrawals/fiat", user, body, key="big")
    assert (placed.status_code, placed.json()["status"]) == (201, "PENDING_APPROVAL")
    wid = placed.json()["id"]
    queue = await client.get(f"{BANK}/admin/withdrawals", params={"status": "PENDING_APPROVAL"},
                             headers=admin.headers)  # fmt: skip
    assert [w["id"] for w in queue.json()["items"]] == [wid]
    approved = await _post(client, f"{BANK}/admin/withdrawals/{wid}/approve", admin)
    assert approved.json()["status"] == "QUEUED"
    paid = await _post(client, f"{BANK}/admin/withdrawals/{wid}/mark-paid", admin,
                       {"bankReference": "FT26330ABC"}, key="paid")  # fmt: skip
    assert (paid.json()["status"], paid.json()["bankReference"]) == ("COMPLETED", "FT26330ABC")
    assert await _balance(client, user, "AED") == {
        "asset": "AED", "total": "7995.00", "held": "0.00", "available": "7995.00"
    }  # fmt: skip


async def test_internal_transfer_between_users(platform: Any) -> None:
    built, client = platform
    admin = await _admin(built, client)
    alice = await _sign_in(client, "alice@example.com")
    bob = await _sign_in(client, "bob@example.com")
    await _fiat_funded(client, alice, admin, "300.00")
    body = {"toEmail": "bob@example.com", "asset": "AED", "amount": "120.50"}

    async def send() -> httpx.Response:
        return await _post(client, f"{BANK}/transfers/internal", alice, body, key="gift")

    first, replay = await send(), await send()
    assert first.status_code in (200, 201), first.text
    assert replay.json() == first.json()
    assert (await _balance(client, alice, "AED"))["available"] == "179.50"
    assert (await _balance(client, bob, "AED"))["available"] == "120.50"


async def test_cancel_releases_the_hold(platform: Any) -> None:
    built, client = platform
    admin = await _admin(built, client)
    user = await _with_2fa(client, "cancel@example.com")
    await _kyc_level_1(client, user)
    await _fiat_funded(client, user, admin, "1000.00")
    body = {"amount": "500", "iban": IBAN, "beneficiaryName": "Layla Haddad",
            "totpCode": user.code()}  # fmt: skip
    wid = (await _post(client, f"{BANK}/withdrawals/fiat", user, body, key="c")).json()["id"]
    assert (await _balance(client, user, "AED"))["available"] == "495.00"
    cancelled = await _post(client, f"{BANK}/withdrawals/{wid}/cancel", user, key="x")
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "CANCELLED")
    assert (await _balance(client, user, "AED"))["available"] == "1000.00"
    late = await _post(client, f"{BANK}/admin/withdrawals/{wid}/mark-paid", admin,
                       {"bankReference": "FT1"}, key="p")  # fmt: skip
    assert (late.status_code, late.json()["code"]) == (409, "WITHDRAWAL_NOT_PAYABLE")


async def test_crypto_withdrawal_is_broadcast_and_confirmed(platform: Any) -> None:
    built, client = platform
    ops = await _admin(built, client)
    user = await _with_2fa(client, "sendbtc@example.com")
    await _kyc_level_1(client, user)
    address = (
        await client.get(f"{BANK}/deposits/crypto/address", params={"asset": "BTC",
                         "network": "BTC"}, headers=user.headers)
    ).json()["address"]  # fmt: skip
    await _chain(client, ops, "send", {"address": address, "amount": "0.1"})
    await _chain(client, ops, "mine", {"blocks": 2})
    await _scan(client, ops)
    body = {"asset": "BTC", "network": "BTC", "address": OUTSIDE_BTC, "amount": "0.03",
            "totpCode": user.code()}  # fmt: skip
    placed = await _post(client, f"{BANK}/withdrawals/crypto", user, body, key="out")
    assert (placed.status_code, placed.json()["status"]) == (201, "QUEUED")
    await _scan(client, ops)
    await _chain(client, ops, "mine", {"blocks": 2})
    await _scan(client, ops)
    done = (await client.get(f"{BANK}/withdrawals/{placed.json()['id']}",
                             headers=user.headers)).json()  # fmt: skip
    assert done["status"] == "COMPLETED"
    assert (await _balance(client, user, "BTC"))["total"] == "0.06995000"
