"""``GET /internal/v1/positions``: banking's reconciliation reads the trading wallets'
totals; nobody else may (no identity 401, a user or another service 403)."""

from __future__ import annotations

import functools

from burency_trading.adapters.positions import read_positions

from .support import Api


async def test_only_banking_reads_the_positions(api: Api) -> None:
    api.ctx.positions = functools.partial(read_positions, api.ctx.history._engine)  # type: ignore[attr-defined]
    await api.fund("alice", "AED", "100.00")
    await api.fund("bob", "BTC", "0.5")
    order = {"symbol": "BTC/AED", "type": "LIMIT", "timeInForce": "GTC",
             "quantity": "0.001", "price": "50000.00"}  # fmt: skip
    for user, side in (("bob", "SELL"), ("alice", "BUY")):
        assert (await api.place(user, side=side, **order)).status_code == 201
    path = "/internal/v1/positions"
    anonymous = await api.client.get(path)
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "INVALID_IDENTITY_HEADER")
    user = await api.client.get(path, headers=api.headers("alice"))
    assert (user.status_code, user.json()["code"]) == (403, "NOT_AN_ALLOWED_SERVICE")
    other = await api.client.get(path, headers=api.headers("service:users", roles={"service"}))
    assert other.status_code == 403
    banking = await api.client.get(path, headers=api.headers("service:banking", roles={"service"}))
    assert banking.status_code == 200, banking.text
    assets = banking.json()["assets"]
    # 50.00 AED changed hands; both 0.05 AED fees (in the quote asset) stay in trading
    assert assets["AED"] == {"users": "99.90", "fees": "0.10", "netTransferred": "100.00",
                             "balanced": True}  # fmt: skip
    assert assets["BTC"] == {"users": "0.50000000", "fees": "0.00000000",
                             "netTransferred": "0.50000000", "balanced": True}  # fmt: skip
