"""Accounts over HTTP: opened on user.registered (once), balances as decimal strings,
transaction history with filters and cursor pages, the CSV statement."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import func, select

from burency_banking.adapters.orm import inbox, ledger_accounts
from burency_common.timeutil import to_iso_ms, utc_now

from .banking_testing.harness import Harness, registered_event


async def test_user_registered_opens_one_aed_account_even_when_redelivered(h: Harness) -> None:
    event = registered_event("u-1", "Alice@Example.com")
    for _ in range(3):
        await h.bus.publish(event)
    await h.component.handlers["user.registered"](registered_event("u-1", "alice@example.com"))
    response = await h.call("GET", "/v1/accounts", "u-1")
    assert response.status_code == 200
    assert response.json() == [{"asset": "AED", "total": "0.00", "held": "0.00",
                                "available": "0.00"}]  # fmt: skip
    async with h.component.engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(ledger_accounts)) == 1
        assert await conn.scalar(select(func.count()).select_from(inbox)) == 2


async def test_balances_are_decimal_strings_at_the_asset_scale(h: Harness) -> None:
    user = await h.register()
    await h.deposit(user, "AED", 12_345)
    await h.deposit(user, "BTC", 1_500_000)
    body = (await h.call("GET", "/v1/accounts", user)).json()
    assert body == [
        {"asset": "AED", "total": "123.45", "held": "0.00", "available": "123.45"},
        {"asset": "BTC", "total": "0.01500000", "held": "0.00000000",
         "available": "0.01500000"},
    ]  # fmt: skip


async def test_accounts_need_an_identity(h: Harness) -> None:
    response = await h.client.get("/v1/accounts")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_history_pages_newest_first_and_filters(h: Harness) -> None:
    user = await h.register()
    for amount in (100, 200, 300, 400, 500):
        await h.deposit(user, "AED", amount)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await h.call("GET", "/v1/accounts/AED/transactions", user, params=params)).json()
        seen += [item["amount"] for item in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == ["5.00", "4.00", "3.00", "2.00", "1.00"]
    other = await h.call("GET", "/v1/accounts/AED/transactions", user, params={"kind": "fee"})
    assert other.json() == {"items": [], "nextCursor": None}
    future = to_iso_ms(utc_now() + timedelta(days=1))
    later = await h.call("GET", "/v1/accounts/AED/transactions", user, params={"from": future})
    assert later.json()["items"] == []
    item = (await h.call("GET", "/v1/accounts/AED/transactions", user)).json()["items"][0]
    assert (item["kind"], item["status"], item["direction"]) == ("deposit.fiat", "posted", "credit")


async def test_history_errors(h: Harness) -> None:
    user = await h.register()
    missing = await h.call("GET", "/v1/accounts/BTC/transactions", user)
    assert (missing.status_code, missing.json()["code"]) == (404, "ACCOUNT_NOT_FOUND")
    unknown = await h.call("GET", "/v1/accounts/DOGE/transactions", user)
    assert unknown.status_code == 404
    bad = await h.call("GET", "/v1/accounts/AED/transactions", user, params={"cursor": "!!"})
    assert (bad.status_code, bad.json()["code"]) == (422, "INVALID_CURSOR")


async def test_statement_csv_lists_every_movement_and_defuses_formulas(h: Harness) -> None:
    user = await h.register()
    await h.deposit(user, "AED", 10_000)
    friend = await h.register(email="friend@example.com")
    sent = await h.call(
        "POST", "/v1/transfers/internal", user, headers={"Idempotency-Key": "k1"},
        json={"toEmail": "friend@example.com", "asset": "AED", "amount": "25",
              "memo": "=HYPERLINK(\"http://evil\")"},
    )  # fmt: skip
    assert sent.status_code == 201, sent.text
    response = await h.call("GET", "/v1/accounts/AED/statement.csv", user)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["kind"], r["direction"], r["amount"]) for r in rows] == [
        ("internal", "debit", "25.00"),
        ("deposit.fiat", "credit", "100.00"),
    ]
    assert rows[0]["memo"].startswith("'=")
    assert friend
