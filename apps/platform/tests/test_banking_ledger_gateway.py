"""The ledger side of banking through the embedded platform's gateway: registration
opens the AED account, an internal transfer by e-mail, history and CSV statement, a
transfer to trading answered by the platform's trading core, and reconciliation (banking
and trading) for staff only."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from burency_auth.service import bootstrap
from burency_banking.component import BankingComponent
from burency_banking.ledger import SystemAccount, TransferSpec
from burency_common.ids import new_id
from burency_platform.embedded import Platform, build_platform
from burency_platform.settings import PlatformSettings
from burency_testing.waiting import eventually

from .platform_testing import PlatformClient, verify_email

PASSWORD = "a perfectly long pass phrase"
BANK = "/api/banking/v1"


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


async def _sign_in(
    client: httpx.AsyncClient, email: str, register: bool = True
) -> tuple[str, dict[str, str]]:
    if register:
        r = await client.post("/api/auth/v1/register", json={"email": email, "password": PASSWORD})
        assert r.status_code == 202, r.text
        await verify_email(client, email)  # money moves only from a verified address
    login = await client.post("/api/auth/v1/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    token = login.json()["accessToken"]
    segment = token.split(".")[1]
    sub = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))["sub"]
    headers = {"Authorization": f"Bearer {token}"}

    async def account_opened() -> bool:  # banking learns of the user from user.registered
        return bool(await _accounts(client, headers))

    await eventually(account_opened, f"banking to open {email}'s account", timeout=10)
    return str(sub), headers


async def _deposit(built: Platform, user_id: str, amount: int) -> None:
    banking = next(c for c in built.components if isinstance(c, BankingComponent))
    ctx = banking.context
    async with ctx.transaction() as db:
        account = await ctx.ledger.user_account(db, user_id, "AED")
        omnibus = await ctx.ledger.system_account(db, SystemAccount.BANK_OMNIBUS, "AED")
        spec = TransferSpec(new_id(), "AED", omnibus, account, amount, "deposit.fiat")
        await ctx.ledger.transfer(db, spec)


async def _accounts(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, str]]:
    response = await client.get(f"{BANK}/accounts", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json())


async def test_ledger_flows_through_the_gateway(
    platform: tuple[Platform, httpx.AsyncClient],
) -> None:
    built, client = platform
    alice_id, alice = await _sign_in(client, "alice@example.com")
    bob_id, bob = await _sign_in(client, "bob@example.com")
    assert await _accounts(client, alice) == [
        {"asset": "AED", "total": "0.00", "held": "0.00", "available": "0.00"}
    ]
    await _deposit(built, alice_id, 50_000)

    sent = await client.post(
        f"{BANK}/transfers/internal",
        headers={**alice, "Idempotency-Key": "g1"},
        json={"toEmail": "bob@example.com", "asset": "AED", "amount": "75.50"},
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["toUserId"] == bob_id
    assert (await _accounts(client, bob))[0]["available"] == "75.50"
    nokey = await client.post(
        f"{BANK}/transfers/internal",
        headers=alice,
        json={"toEmail": "bob@example.com", "asset": "AED", "amount": "1"},
    )
    assert (nokey.status_code, nokey.json()["code"]) == (400, "IDEMPOTENCY_KEY_REQUIRED")

    history = await client.get(f"{BANK}/accounts/AED/transactions", headers=alice)
    assert [i["kind"] for i in history.json()["items"]] == ["internal", "deposit.fiat"]
    csv = await client.get(f"{BANK}/accounts/AED/statement.csv", headers=bob)
    assert csv.status_code == 200
    assert csv.text.splitlines()[1].split(",")[2:6] == ["internal", "posted", "credit", "75.50"]

    moved = await client.post(
        f"{BANK}/transfers/trading",
        headers={**alice, "Idempotency-Key": "t1"},
        json={"asset": "AED", "amount": "100"},
    )
    assert moved.status_code == 202, moved.text
    saga = f"{BANK}/transfers/trading/{moved.json()['id']}"

    async def completed() -> bool:
        return (await client.get(saga, headers=alice)).json()["status"] == "completed"

    await eventually(completed, "the saga to complete", timeout=10)
    assert (await _accounts(client, alice))[0] == {
        "asset": "AED",
        "total": "324.50",
        "held": "0.00",
        "available": "324.50",
    }

    refused = await client.get(f"{BANK}/admin/reconciliation", headers=alice)
    assert refused.status_code == 403
    await bootstrap.create_admin(built.auth.context, email="ops@example.com", password=PASSWORD)
    _, admin = await _sign_in(client, "ops@example.com", register=False)
    report = await client.get(f"{BANK}/admin/reconciliation", headers=admin)
    assert report.status_code == 200, report.text
    assert report.json()["ok"] is True
