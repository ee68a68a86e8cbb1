"""The outside probe's path attacks, replayed against the whole embedded platform served
by uvicorn, over a raw socket (httpx would remove the ``..`` before sending).

* A trade-only API key tried to move funds to another user through
  ``/api/banking/v1/x/../transfers/internal``: the gateway checked the harmless path
  and banking served the money-moving one (201).
* ``/api/auth/v1/x/../login`` escaped the login rate limit.
* Token refresh shared the login class: a user who refreshed a few times was locked out.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from burency_banking.component import BankingComponent
from burency_banking.ledger import SystemAccount, TransferSpec
from burency_common.apikeys import sign
from burency_common.ids import new_id
from burency_common.timeutil import to_epoch_ms, utc_now
from burency_platform.embedded import Platform, build_platform
from burency_platform.settings import PlatformSettings
from burency_testing.raw_http import RawResponse, ServedApp, raw_request

PASSWORD = "a perfectly long pass phrase"
JSON = {"Content-Type": "application/json"}


class Outsider:
    """Raw HTTP/1.1 to the served platform, JSON in and out."""

    def __init__(self, served: ServedApp, platform: Platform) -> None:
        self.served, self.platform = served, platform

    def send(
        self, method: str, target: str | bytes, body: Any = None, **headers: str
    ) -> RawResponse:
        raw = target if isinstance(target, bytes) else target.encode()
        data = (
            body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
        )
        return raw_request(self.served.port, method, raw, headers={**JSON, **headers}, body=data)

    def json(self, response: RawResponse) -> Any:
        return json.loads(response.body)

    def sign_up(self, email: str) -> dict[str, str]:
        answer = self.send("POST", "/api/auth/v1/register", {"email": email, "password": PASSWORD})
        assert answer.status == 202, answer.body
        return self.login(email)

    def login(self, email: str, path: str = "/api/auth/v1/login") -> dict[str, str]:
        answer = self.send("POST", path, {"email": email, "password": PASSWORD})
        assert answer.status == 200, answer.body
        return dict(self.json(answer))


@pytest.fixture
def outsider(tmp_path: Path, settings_factory: Any) -> Iterator[Outsider]:
    platform = build_platform(settings_factory(PlatformSettings, data_dir=tmp_path / "var"))
    with ServedApp(platform) as served:
        yield Outsider(served, platform)


def _bearer(tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['accessToken']}"}


async def _deposit(platform: Platform, user_id: str, amount: int) -> None:
    banking = next(c for c in platform.components if isinstance(c, BankingComponent))
    ctx = banking.context
    async with ctx.transaction() as db:
        account = await ctx.ledger.user_account(db, user_id, "AED")
        omnibus = await ctx.ledger.system_account(db, SystemAccount.BANK_OMNIBUS, "AED")
        spec = TransferSpec(new_id(), "AED", omnibus, account, amount, "deposit.fiat")
        await ctx.ledger.transfer(db, spec)


def _user_id(tokens: dict[str, str]) -> str:
    segment = tokens["accessToken"].split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))["sub"])


def _balance(outsider: Outsider, tokens: dict[str, str]) -> str | None:
    answer = outsider.send("GET", "/api/banking/v1/accounts", **_bearer(tokens))
    assert answer.status == 200, answer.body
    accounts = outsider.json(answer)
    return str(accounts[0]["available"]) if accounts else None


def _signed(key: dict[str, str], path: str, body: bytes) -> tuple[bytes, dict[str, str]]:
    query = f"timestamp={to_epoch_ms(utc_now())}&recvWindow=5000"
    target = f"{path}?{query}&signature={sign(key['secret'], query, body)}"
    return target.encode(), {"X-BURENCY-APIKEY": key["id"], "Idempotency-Key": new_id()}


def test_a_trade_only_key_cannot_move_funds_through_a_dot_segment_path(
    outsider: Outsider,
) -> None:
    alice = outsider.sign_up("alice@example.com")
    bob = outsider.sign_up("bob@example.com")
    made = outsider.send(
        "POST",
        "/api/auth/v1/api-keys",
        {"label": "bot", "scopes": ["read", "trade"]},
        **_bearer(alice),
    )
    assert made.status == 201, made.body
    key = outsider.json(made)
    deadline = time.monotonic() + 30
    while _balance(outsider, alice) is None or _balance(outsider, bob) is None:
        # banking opens an account when it hears of the new user (a relayed event)
        assert time.monotonic() < deadline, "banking never opened the accounts"
        time.sleep(0.05)  # the poll period
    outsider.served.run(_deposit(outsider.platform, _user_id(alice), 50_000))
    before = (_balance(outsider, alice), _balance(outsider, bob))

    body = json.dumps({"toEmail": "bob@example.com", "asset": "AED", "amount": "100"}).encode()
    for path in (
        "/api/banking/v1/x/../transfers/internal",
        "/api/banking/v1/x/%2e%2E/transfers/internal",
        "/api/banking//v1/transfers/%69nternal",
    ):
        target, headers = _signed(key, path, body)
        answer = outsider.send("POST", target, body, **headers)
        assert answer.status == 403, (path, answer.body)
        assert outsider.json(answer)["code"] == "API_KEY_SCOPE_MISSING"
    assert (_balance(outsider, alice), _balance(outsider, bob)) == before

    # The key itself works, and a dot-segment path is served as its canonical form.
    target, headers = _signed(key, "/api/banking/v1/x/../accounts", b"")
    listed = outsider.send("GET", target, **headers)
    assert listed.status == 200, listed.body
    assert outsider.json(listed)[0]["available"] == "500.00"


def test_the_login_limit_holds_for_every_spelling_and_refresh_is_not_counted(
    outsider: Outsider,
) -> None:
    tokens = outsider.sign_up("carol@example.com")  # login 1 of 5 a minute
    for _ in range(8):  # more refreshes than the login class allows
        answer = outsider.send(
            "POST", "/api/auth/v1/token/refresh", {"refreshToken": tokens["refreshToken"]}
        )
        assert answer.status == 200, answer.body
        tokens = outsider.json(answer)
    for path in (
        "/api/auth/v1/login",
        "/api/auth/v1/x/../login",
        "/api/auth//v1/%6Cogin",
        "/api/auth/v1/./login",
    ):
        outsider.login("carol@example.com", path)  # logins 2 to 5
    for path in ("/api/auth/v1/x/../login", "/api/auth/v1/%2e/login", "/api/auth/v1/login"):
        refused = outsider.send("POST", path, {"email": "carol@example.com", "password": PASSWORD})
        assert refused.status == 429, (path, refused.body)
