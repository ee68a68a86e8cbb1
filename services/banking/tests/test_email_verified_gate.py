"""Banking refuses money requests from an address nobody proved to own (issue 13,
finding 5), from the signed identity: a deposit request or address, a withdrawal, a
transfer to another user or towards trading answer 403 ``EMAIL_NOT_VERIFIED``; reading
one's own accounts and history, and cancelling a withdrawal, stay open."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute

from burency_banking.app import routers

from .banking_testing.harness import Harness

GATED: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/v1/deposits/crypto/address"): {"asset": "BTC", "network": "BTC"},
    ("POST", "/v1/deposits/fiat"): {"asset": "AED", "amount": "10.00"},
    ("POST", "/v1/withdrawals/crypto"): {"asset": "BTC", "network": "BTC", "amount": "0.01",
                                         "address": "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
                                         "totpCode": "123456"},
    ("POST", "/v1/withdrawals/fiat"): {"asset": "AED", "amount": "10.00", "totpCode": "123456",
                                       "iban": "GB82WEST12345698765432"},
    ("POST", "/v1/transfers/internal"): {"toUserId": "someone", "asset": "AED", "amount": "1"},
    ("POST", "/v1/transfers/trading"): {"asset": "AED", "amount": "1"},
}  # fmt: skip


def _gated_routes() -> set[tuple[str, str]]:
    found = set()
    for router in routers():
        for route in router.routes:
            if not isinstance(route, APIRoute):
                continue
            calls = [getattr(d.call, "__qualname__", "") for d in route.dependant.dependencies]
            if any(c.startswith("require_verified_email") for c in calls):
                found.update((method, route.path) for method in route.methods)
    return found


def test_exactly_the_money_requests_declare_the_check() -> None:
    assert _gated_routes() == set(GATED)


@pytest.mark.parametrize(("method", "path"), sorted(GATED))
async def test_an_unverified_address_is_refused(h: Harness, method: str, path: str) -> None:
    user = await h.register()
    headers = {**h.headers(user, email_verified=False), "Idempotency-Key": f"k-{path}"}
    body = GATED[(method, path)]
    if method == "GET":
        response = await h.client.get(path, params=body, headers=headers)
    else:
        response = await h.client.post(path, json=body, headers=headers)
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "EMAIL_NOT_VERIFIED"


async def test_reading_stays_open(h: Harness) -> None:
    user = await h.register()
    headers = h.headers(user, email_verified=False)
    for path in ("/v1/accounts", "/v1/deposits/fiat", "/v1/withdrawals"):
        response = await h.client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.text)
