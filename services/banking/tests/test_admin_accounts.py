"""Staff read a user's balances and history (permission ``banking.read``): support,
compliance and admin may; a user may not; unknown users and accounts are 404."""

from __future__ import annotations

import pytest
from structlog.testing import capture_logs

from .banking_testing.harness import Harness


async def _customer(h: Harness) -> str:
    user = await h.register(email="customer@example.com")
    await h.deposit(user, "AED", 12_345)
    return user


@pytest.mark.parametrize("role", ["support", "compliance", "admin"])
async def test_staff_see_a_users_accounts_and_history(h: Harness, role: str) -> None:
    user = await _customer(h)
    staff = await h.register(email=f"{role}@example.com")
    listed = await h.call("GET", f"/v1/admin/users/{user}/accounts", staff, role)
    assert listed.status_code == 200, listed.text
    assert listed.json() == [
        {"asset": "AED", "total": "123.45", "held": "0.00", "available": "123.45"}
    ]
    path = f"/v1/admin/users/{user}/accounts/AED/transactions"
    with capture_logs() as logs:
        history = await h.call("GET", path, staff, role, params={"limit": 10})
    assert [(e["event"], e["actor_id"], e["user_id"]) for e in logs
            if e["event"].startswith("banking.staff_viewed")] == [
        ("banking.staff_viewed_transactions", staff, user)
    ]  # fmt: skip
    assert history.status_code == 200, history.text
    [entry] = history.json()["items"]
    assert (entry["kind"], entry["direction"], entry["amount"]) == (
        "deposit.fiat",
        "credit",
        "123.45",
    )


async def test_users_cannot_read_other_users_accounts(h: Harness) -> None:
    user = await _customer(h)
    other = await h.register(email="nosy@example.com")
    for path in (f"/v1/admin/users/{user}/accounts",
                 f"/v1/admin/users/{user}/accounts/AED/transactions"):  # fmt: skip
        refused = await h.call("GET", path, other)
        assert (refused.status_code, refused.json()["code"]) == (403, "PERMISSION_DENIED")


async def test_unknown_users_and_accounts_are_404(h: Harness) -> None:
    user = await _customer(h)
    staff = await h.register(email="support@example.com")
    nobody = await h.call("GET", "/v1/admin/users/no-such-user/accounts", staff, "support")
    assert (nobody.status_code, nobody.json()["code"]) == (404, "USER_NOT_FOUND")
    path = f"/v1/admin/users/{user}/accounts/BTC/transactions"
    with capture_logs() as logs:
        no_btc = await h.call("GET", path, staff, "support")
    assert no_btc.status_code == 404, no_btc.text
    assert not [e for e in logs if e["event"].startswith("banking.staff_viewed")], logs
