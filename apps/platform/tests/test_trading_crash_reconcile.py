"""``make run``'s process SIGKILLed while users trade: after the restart every acknowledged
order is still there (resting, filled or cancelled), the money moves back to funding,
and ``burency reconcile`` proves funding + trading balances + fees = deposits, to the
minor unit, across both services."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from burency_testing.infra import free_port
from burency_testing.waiting import eventually_sync

from .platform_testing.up import BurencyUp, mailed_token

PASSWORD = "a perfectly long pass phrase"
BANK, TRADE = "/api/banking/v1", "/api/trading/v1"
LIVE = {"NEW", "PARTIALLY_FILLED", "FILLED", "CANCELED", "EXPIRED"}


@dataclass
class User:
    email: str
    headers: dict[str, str]


@pytest.fixture
def up(tmp_path: Path) -> Iterator[BurencyUp]:
    # empty books without a reference price: the traders here set their own prices
    running = BurencyUp(tmp_path / "var", free_port(), tmp_path / "up.log",
                        env={"BURENCY_LIVE_MARKETS": "false"})  # fmt: skip
    try:
        yield running.start()
    finally:
        running.kill()


def _login(http: httpx.Client, email: str, password: str = PASSWORD) -> User:
    login = http.post("/api/auth/v1/login", json={"email": email, "password": password})
    assert login.status_code == 200, login.text
    return User(email, {"Authorization": f"Bearer {login.json()['accessToken']}"})


def _user(http: httpx.Client, up: BurencyUp, email: str) -> User:
    registered = http.post("/api/auth/v1/register", json={"email": email, "password": PASSWORD})
    assert registered.status_code == 202, registered.text

    token = eventually_sync(lambda: _try_token(up, email), "the verification link")
    assert http.post("/api/auth/v1/email-verification", json={"token": token}).status_code == 200
    return _login(http, email)


def _try_token(up: BurencyUp, email: str) -> str | None:
    try:
        return mailed_token(up.data_dir, email)
    except AssertionError:
        return None


def _post(http: httpx.Client, path: str, who: User, body: object, key: str) -> httpx.Response:
    return http.post(path, json=body, headers={**who.headers, "Idempotency-Key": key})


def _funded(http: httpx.Client, up: BurencyUp) -> tuple[User, User, User]:
    email, password = up.wait_for(r"email:\s+(\S+)\s+password:\s+(\S+)").groups()
    ops = _login(http, email, password)  # the demo admin printed by the first start
    buyer, seller = _user(http, up, "buyer@example.com"), _user(http, up, "seller@example.com")
    deposit = _post(http, f"{BANK}/deposits/fiat", buyer, {"amount": "20000.00"}, "d1")
    approve = f"{BANK}/admin/deposits/fiat/{deposit.json()['id']}/approve"
    assert _post(http, approve, ops, {}, "a1").status_code == 200
    address = http.get(f"{BANK}/deposits/crypto/address", headers=seller.headers,
                       params={"asset": "BTC", "network": "BTC"}).json()["address"]  # fmt: skip
    chain = f"{BANK}/dev/chain"
    _post(http, f"{chain}/BTC/send", ops, {"address": address, "amount": "1"}, "c1")
    _post(http, f"{chain}/BTC/mine", ops, {"blocks": 6}, "c2")
    assert _post(http, f"{chain}/scan", ops, {}, "c3").status_code == 204
    for who, asset, amount in ((buyer, "AED", "20000.00"), (seller, "BTC", "1")):
        sent = _post(http, f"{BANK}/transfers/trading", who, {"asset": asset, "amount": amount},
                     f"in-{asset}")  # fmt: skip
        assert sent.status_code == 202, sent.text
        status = f"{BANK}/transfers/trading/{sent.json()['id']}"
        eventually_sync(lambda w=who, s=status: http.get(s, headers=w.headers).json()["status"]
                        == "completed", f"{asset} to reach the spot wallet")  # fmt: skip
    return ops, buyer, seller


def _trade_until_killed(up: BurencyUp, buyer: User, seller: User) -> list[tuple[int, User]]:
    """Four clients place orders; the process is SIGKILLed after 40 acknowledgements."""
    acked: list[tuple[int, User]] = []
    lock = threading.Lock()

    def client(who: User, side: str) -> None:
        with httpx.Client(base_url=up.url, timeout=10) as http:
            for i in range(200):
                price = f"{50000 + (i % 7) * (1 if side == 'SELL' else -1)}.00"
                body = {"symbol": "BTC/AED", "side": side, "type": "LIMIT",
                        "timeInForce": "GTC", "quantity": "0.001", "price": price}  # fmt: skip
                try:
                    placed = http.post(f"{TRADE}/orders", json=body, headers=who.headers)
                except httpx.HTTPError:
                    return  # the process is gone
                if placed.status_code == 429:
                    continue  # the order rate limit: this one was not accepted
                assert placed.status_code == 201, placed.text
                with lock:
                    acked.append((placed.json()["orderId"], who))
                    if len(acked) == 40:
                        up.kill()

    pairs = [(buyer, "BUY"), (seller, "SELL")] * 2
    threads = [threading.Thread(target=client, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(acked) >= 40
    return acked


def _spot(http: httpx.Client, who: User) -> dict[str, str]:
    items = http.get(f"{TRADE}/balances", headers=who.headers).json()["items"]
    return {b["asset"]: b["free"] for b in items}


def test_sigkill_while_trading_loses_nothing_and_the_books_agree(up: BurencyUp) -> None:
    with httpx.Client(base_url=up.url, timeout=10) as http:
        ops, buyer, seller = _funded(http, up)
    acked = _trade_until_killed(up, buyer, seller)
    up.start()  # same data directory: the engine recovers from its snapshot + journal
    with httpx.Client(base_url=up.url, timeout=10) as http:
        for order_id, owner in acked:
            got = http.get(f"{TRADE}/orders/{order_id}", headers=owner.headers)
            assert got.status_code == 200, (order_id, got.text)  # never lost
            assert got.json()["status"] in LIVE, got.text
        for who in (buyer, seller):
            assert http.delete(f"{TRADE}/open-orders", params={"symbol": "BTC/AED"},
                               headers=who.headers).status_code == 200  # fmt: skip
            for asset, free in _spot(http, who).items():
                if free.strip("0."):  # not zero
                    moved = _post(http, f"{TRADE}/transfers/funding", who,
                                  {"asset": asset, "amount": free}, f"out-{asset}")  # fmt: skip
                    assert moved.status_code == 202, moved.text

        def all_back() -> bool:
            return all(not free.strip("0.") for w in (buyer, seller)
                       for free in _spot(http, w).values())  # fmt: skip

        eventually_sync(all_back, "every spot balance to move back to funding")

        def banking_credited() -> bool:  # spot is empty at once; banking credits a moment later
            report = http.get(f"{BANK}/admin/reconciliation", headers=ops.headers).json()
            return bool(report["ok"])

        eventually_sync(banking_credited, "banking to credit every transfer back to funding")
    up.stop()
    code, out = _reconcile(up.data_dir)
    report = json.loads(out)
    assert code == 0, report["findings"]
    assert "trading_matches_clearing" in report["checks"]


def _reconcile(data_dir: Path) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BURENCY_")}
    env |= {"BURENCY_DATA_DIR": str(data_dir)}
    done = subprocess.run([sys.executable, "-m", "burency_platform.cli", "reconcile"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    return done.returncode, done.stdout
