"""Defence in depth for money: banking checks API-key scopes itself, from the signed
identity, so a gateway that mis-authorises a path (it once let a ``trade`` key reach
``/transfers/internal`` through ``x/../``) still cannot move funds.

The attacks here bypass the gateway: they call the banking app directly with a validly
signed ``X-Burency-Identity`` of an API key, as a gateway mistake would forward it. A
key without the scope is refused with the gateway's own 403 ``API_KEY_SCOPE_MISSING``
and nothing moves; with the scope the same request goes through. A walk over every
route makes sure a new write cannot forget to declare its scope."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy import func, select

from burency_banking.adapters.orm import idempotency_keys, ledger_transfers
from burency_banking.app import routers
from burency_common.identity import IDENTITY_HEADER, Identity, required_scope_of, sign_identity
from burency_common.permissions import required_permission_of
from burency_common.timeutil import utc_now

from .banking_testing.harness import Harness

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
# what each write of banking needs from an API key: the gateway's rules exactly
# (docs/api-keys.md; burency_gateway.app.MONEY_OUT_SCOPES, checked below)
EXPECTED_SCOPES = {
    ("POST", "/v1/transfers/internal"): "withdraw",
    ("POST", "/v1/transfers/trading"): "trade",
    ("POST", "/v1/withdrawals/crypto"): "withdraw",
    ("POST", "/v1/withdrawals/fiat"): "withdraw",
    ("POST", "/v1/withdrawals/{withdrawal_id}/cancel"): "withdraw",
    ("POST", "/v1/deposits/fiat"): "trade",
}
ALL_SCOPES = frozenset({"read", "trade", "withdraw"})


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def _writes() -> Iterator[tuple[str, str, APIRoute]]:
    for router in routers():
        for route in router.routes:
            assert isinstance(route, APIRoute)
            for method in sorted(route.methods - READ_METHODS):
                yield method, route.path, route


def _declared(route: APIRoute) -> tuple[set[str], set[str]]:
    calls = list(_calls(route.dependant))
    scopes = {s for s in map(required_scope_of, calls) if s is not None}
    permissions = {p for p in map(required_permission_of, calls) if p is not None}
    return scopes, permissions


def test_every_write_declares_a_scope_or_a_staff_permission() -> None:
    """A new POST/PUT/PATCH/DELETE that names neither fails here: either API keys need
    a scope for it (``needs_scope``), or it is staff-only (``require_permission``,
    which API keys never pass)."""
    undeclared, scoped = [], {}
    for method, path, route in _writes():
        scopes, permissions = _declared(route)
        if scopes:
            assert len(scopes) == 1, (method, path, scopes)
            scoped[(method, path)] = scopes.pop()
        elif not permissions:
            undeclared.append(f"{method} {path}")
    assert undeclared == []
    assert scoped == EXPECTED_SCOPES


def test_the_scopes_are_the_gateways() -> None:
    """Banking and the gateway ask the same scope of every write (one rule, two guards)."""
    pytest.importorskip("burency_gateway")
    from burency_gateway.app import MONEY_OUT_SCOPES  # a test-only peer
    from burency_gateway.security.apikey import path_scopes
    from burency_gateway.security.authn import AuthRequest

    gateway_scope = path_scopes(MONEY_OUT_SCOPES)
    for (method, path), scope in EXPECTED_SCOPES.items():
        public = "/api/banking" + path.replace("{withdrawal_id}", "w-1")
        assert gateway_scope(AuthRequest(method=method, path=public)) == scope, path


def _key_headers(h: Harness, user_id: str, scopes: set[str], key: str) -> dict[str, str]:
    identity = Identity(user_id=user_id, roles=frozenset({"user"}), auth_method="api_key",
                        scopes=frozenset(scopes), email_verified=True)  # fmt: skip
    secret = h.component.app.state.identity_secret
    signed = sign_identity(identity, secret=secret, now=utc_now())
    return {IDENTITY_HEADER: signed, "Idempotency-Key": key}


async def _ledger_state(h: Harness, *users: str) -> tuple[int, int, list[Any]]:
    async with h.ctx.engine.connect() as db:
        transfers = await db.scalar(select(func.count()).select_from(ledger_transfers))
        answers = await db.scalar(select(func.count()).select_from(idempotency_keys))
    balances = [(await h.call("GET", "/v1/accounts", u)).json() for u in users]
    return int(transfers or 0), int(answers or 0), balances


async def _funded_pair(h: Harness) -> tuple[str, str]:
    alice = await h.register(email="alice@example.com")
    bob = await h.register(email="bob@example.com")
    await h.deposit(alice, "AED", 10_000)
    return alice, bob


TRANSFER = {"toEmail": "bob@example.com", "asset": "AED", "amount": "25"}
WITHDRAWALS = {
    "/v1/withdrawals/fiat": {"amount": "60", "iban": "GB82WEST12345698765432",
                             "beneficiaryName": "Alice", "totpCode": "123456"},
    "/v1/withdrawals/crypto": {"asset": "BTC", "network": "BTC", "amount": "0.001",
                               "address": "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
                               "totpCode": "123456"},
}  # fmt: skip


async def test_a_trade_key_cannot_send_money_to_another_user(h: Harness) -> None:
    alice, bob = await _funded_pair(h)
    before = await _ledger_state(h, alice, bob)
    for n, scopes in enumerate(({"read", "trade"}, {"trade"}, {"read"}, set())):
        headers = _key_headers(h, alice, scopes, key=f"steal-{n}")
        refused = await h.client.post("/v1/transfers/internal", json=TRANSFER, headers=headers)
        assert (refused.status_code, refused.json()["code"]) == (403, "API_KEY_SCOPE_MISSING")
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert await _ledger_state(h, alice, bob) == before  # no transfer, no stored answer

    allowed = await h.client.post(
        "/v1/transfers/internal", json=TRANSFER,
        headers=_key_headers(h, alice, {"withdraw"}, key="gift"),
    )  # fmt: skip
    assert allowed.status_code == 201, allowed.text
    session = await h.call("POST", "/v1/transfers/internal", alice, json=TRANSFER,
                           headers={"Idempotency-Key": "by-login"})  # fmt: skip
    assert session.status_code == 201, session.text  # a login session has the user's rights
    after = await _ledger_state(h, alice, bob)
    assert after[0] == before[0] + 2


@pytest.mark.parametrize("path", sorted(WITHDRAWALS))
async def test_a_trade_key_cannot_withdraw(h: Harness, path: str) -> None:
    alice, _ = await _funded_pair(h)
    await h.deposit(alice, "BTC", 10**8)
    before = await _ledger_state(h, alice)
    headers = _key_headers(h, alice, {"read", "trade"}, key="out")
    refused = await h.client.post(path, json=WITHDRAWALS[path], headers=headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "API_KEY_SCOPE_MISSING")
    assert await _ledger_state(h, alice) == before
    # with ``withdraw`` the scope no longer stops it: it goes on to the checks no scope
    # replaces (KYC limits, the 2FA code; this harness has neither a KYC level nor auth)
    headers = _key_headers(h, alice, {"withdraw"}, key="out")
    passed = await h.client.post(path, json=WITHDRAWALS[path], headers=headers)
    assert passed.status_code in (409, 503), passed.text


async def test_writes_between_own_wallets_need_trade(h: Harness) -> None:
    alice, _ = await _funded_pair(h)
    body, deposit = {"asset": "AED", "amount": "5"}, {"asset": "AED", "amount": "20"}
    before = await _ledger_state(h, alice)
    for path, payload in (("/v1/transfers/trading", body), ("/v1/deposits/fiat", deposit)):
        read_only = _key_headers(h, alice, {"read", "withdraw"}, key=f"r-{path}")
        refused = await h.client.post(path, json=payload, headers=read_only)
        assert (refused.status_code, refused.json()["code"]) == (403, "API_KEY_SCOPE_MISSING")
    assert await _ledger_state(h, alice) == before
    trading = await h.client.post("/v1/transfers/trading", json=body,
                                  headers=_key_headers(h, alice, {"trade"}, key="t"))  # fmt: skip
    assert trading.status_code == 202, trading.text
    fiat = await h.client.post("/v1/deposits/fiat", json=deposit,
                               headers=_key_headers(h, alice, {"trade"}, key="d"))  # fmt: skip
    assert fiat.status_code == 201, fiat.text


async def test_api_keys_never_reach_staff_writes(h: Harness) -> None:
    """Staff routes need a permission that API keys never hold, whatever their scopes."""
    headers = _key_headers(h, "ops", set(ALL_SCOPES), key="staff")
    identity = Identity(user_id="ops", roles=frozenset({"admin"}), auth_method="api_key",
                        scopes=ALL_SCOPES)  # fmt: skip
    headers[IDENTITY_HEADER] = sign_identity(
        identity, secret=h.component.app.state.identity_secret, now=utc_now()
    )
    response = await h.client.post("/v1/admin/deposits/fiat/x/approve", json={}, headers=headers)
    assert response.status_code == 403
