"""Banking user flows through the whole embedded platform (gateway + auth + users +
banking + notifications on one in-process bus), driven over HTTP the way the SPA does:
fiat deposits, crypto deposits on the simulated chain (including a reorganisation),
withdrawals with 2FA checked by auth, KYC limits fed by the users service, staff
approval, internal transfers and cancellation."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from asgi_lifespan import LifespanManager

from burency_auth.service import bootstrap
from burency_platform.embedded import Platform, build_platform
from burency_platform.settings import PlatformSettings
from burency_testing.waiting import eventually

from .platform_testing import PlatformClient, verify_email

PASSWORD = "a perfectly long pass phrase"
BANK = "/api/banking/v1"
OUTSIDE_BTC = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
IBAN = "GB82WEST12345698765432"
PROFILE = {
    "firstName": "Layla", "lastName": "Haddad", "dateOfBirth": "1990-04-12", "country": "AE",
    "phone": "+971501234567",
    "address": {"line1": "1 Sheikh Zayed Rd", "city": "Dubai", "postalCode": "00000",
                "country": "AE"},
}  # fmt: skip


@dataclass
class Person:
    email: str
    user_id: str
    headers: dict[str, str]
    totp_secret: str | None = None
    last_step: int = 0
    keys: list[str] = field(default_factory=list)

    def code(self) -> str:
        """The next 2FA code auth accepts: one step after the last one used, within the
        ±1 step drift window (auth refuses a step at or before the last one)."""
        assert self.totp_secret is not None
        current = int(time.time()) // 30
        step = max(self.last_step + 1, current - 1)
        assert step <= current + 1, "no 2FA step left in this window"
        self.last_step = step
        return pyotp.TOTP(self.totp_secret).at(step * 30)


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


def _subject(token: str) -> str:
    segment = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return str(claims["sub"])


async def _sign_in(client: httpx.AsyncClient, email: str, *, register: bool = True) -> Person:
    if register:
        response = await client.post(
            "/api/auth/v1/register", json={"email": email, "password": PASSWORD}
        )
        assert response.status_code == 202, response.text
        await verify_email(client, email)  # money moves only from a verified address
    login = await client.post("/api/auth/v1/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    token = login.json()["accessToken"]
    return Person(email, _subject(token), {"Authorization": f"Bearer {token}"})


async def _with_2fa(client: httpx.AsyncClient, email: str) -> Person:
    person = await _sign_in(client, email)
    enroll = await client.post("/api/auth/v1/2fa/enroll", headers=person.headers)
    assert enroll.status_code == 200, enroll.text
    person.totp_secret = enroll.json()["secret"]
    confirm = await client.post(
        "/api/auth/v1/2fa/confirm", json={"code": person.code()}, headers=person.headers
    )
    assert confirm.status_code == 200, confirm.text
    return person


async def _admin(built: Platform, client: httpx.AsyncClient) -> Person:
    await bootstrap.create_admin(built.auth.context, email="ops@example.com", password=PASSWORD)
    return await _sign_in(client, "ops@example.com", register=False)


async def _post(client: httpx.AsyncClient, path: str, who: Person, body: Any = None,
                key: str | None = None) -> httpx.Response:  # fmt: skip
    headers = dict(who.headers)
    if key is not None:
        headers["Idempotency-Key"] = key
    return await client.post(path, json=body if body is not None else {}, headers=headers)


async def _balance(client: httpx.AsyncClient, who: Person, asset: str) -> dict[str, str]:
    response = await client.get(f"{BANK}/accounts", headers=who.headers)
    assert response.status_code == 200, response.text
    found = [a for a in response.json() if a["asset"] == asset]
    return found[0] if found else {"total": "0", "held": "0", "available": "0"}


async def _kyc_level_1(client: httpx.AsyncClient, who: Person) -> None:
    """Through the users service: complete the profile, submit level 1 (approved on
    submission); banking learns the level from ``kyc.status_changed``."""
    profile = await client.patch("/api/users/v1/profile", json=PROFILE, headers=who.headers)
    assert profile.status_code == 200, profile.text
    submitted = await _post(client, "/api/users/v1/kyc/submissions", who, {"level": 1})
    assert submitted.status_code == 201, submitted.text

    async def level_1() -> bool:
        limits = (await client.get(f"{BANK}/withdrawals/limits", headers=who.headers)).json()
        return all(x["level"] == 1 for x in limits)

    await eventually(level_1, "banking to see KYC level 1")


async def _fiat_funded(client: httpx.AsyncClient, who: Person, admin: Person, amount: str) -> None:
    deposit = await _post(client, f"{BANK}/deposits/fiat", who, {"amount": amount})
    assert deposit.status_code == 201, deposit.text
    approved = await _post(
        client, f"{BANK}/admin/deposits/fiat/{deposit.json()['id']}/approve", admin, {},
        key=f"fund-{deposit.json()['id']}",
    )  # fmt: skip
    assert approved.status_code == 200, approved.text


async def _chain(client: httpx.AsyncClient, who: Person, action: str, body: Any) -> dict[str, Any]:
    """Drive the simulated chain as ``who`` (staff: it is refused to users)."""
    response = await _post(client, f"{BANK}/dev/chain/BTC/{action}", who, body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def _scan(client: httpx.AsyncClient, who: Person) -> None:
    assert (await _post(client, f"{BANK}/dev/chain/scan", who)).status_code == 204


async def _crypto_deposits(client: httpx.AsyncClient, who: Person) -> list[dict[str, Any]]:
    response = await client.get(f"{BANK}/deposits/crypto", headers=who.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


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
