"""Crash test: ``burency serve banking`` on PostgreSQL (and Kafka) is killed with SIGKILL
at random moments while clients send internal transfers over HTTP (30% of them sent
again with the same Idempotency-Key), then restarted. A request whose answer was lost
is retried with its key until it gets one. Afterwards every asset sums to zero, no
user account is negative, the reconciliation passes, and every acknowledged transfer
exists exactly once with the amount that was acknowledged."""

from __future__ import annotations

import asyncio
import os
import random
import secrets
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, insert, select

from burency_banking.adapters.orm import ledger_transfers, user_directory
from burency_banking.service.reconciliation import reconcile
from burency_common.identity import IDENTITY_HEADER, Identity, sign_identity
from burency_common.money import format_amount
from burency_common.timeutil import utc_now
from burency_testing.infra import free_port, wait_until_ready

from .banking_testing.harness import LedgerDb, ledger_database

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

CLI = Path(sys.executable).parent / "burency"
SECRET = "crash-test-identity-secret-0123456789abcdef"
USERS = [f"crash-user-{i:02d}" for i in range(20)]
ASSETS = ["AED", "BTC", "USDT"]
REQUESTS = 600
KILLS = 4
SCALES = {"AED": 2, "BTC": 8, "USDT": 6}


class Server:
    def __init__(self, env: dict[str, str], log: Path, port: int) -> None:
        self.env, self.log, self.url = env, log, f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        base = {k: v for k, v in os.environ.items() if not k.startswith("BURENCY_")}
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen([str(CLI), "serve", "banking"], env={**base, **self.env},
                                         stdout=out, stderr=out)  # fmt: skip
        proc = self.proc
        await asyncio.to_thread(wait_until_ready, self.url, proc, path="/readyz", log=self.log)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def _headers(user: str, key: str) -> dict[str, str]:
    identity = Identity(user_id=user, roles=frozenset({"user"}), email_verified=True)
    signed = sign_identity(identity, secret=SECRET.encode(), now=utc_now())
    return {IDENTITY_HEADER: signed, "Idempotency-Key": key}


async def _seed(ldb: LedgerDb) -> None:
    async with ldb.engine.begin() as db:
        rows = [{"user_id": u, "email": f"{u}@example.com", "created_at": utc_now()} for u in USERS]
        await db.execute(insert(user_directory), rows)
    for user in USERS:
        for asset in ASSETS:
            await ldb.fund(user, asset, 200_000)


Request = tuple[str, str, dict[str, str]]  # (sender, Idempotency-Key, body)


def _requests(rng: random.Random) -> list[Request]:
    requests = []
    for n in range(REQUESTS):
        a, b = rng.sample(USERS, 2)
        asset = rng.choice(ASSETS)
        amount = format_amount(rng.randint(1, 4_000), SCALES[asset])
        body = {"toUserId": b, "asset": asset, "amount": amount}
        requests.append((a, f"k{n}", body))
        if rng.random() < 0.3:
            requests.append((a, f"k{n}", body))
    return requests


class Load:
    """Clients sending the requests in batches of 16; a request without an answer (the
    server died) is sent again with its key until it gets one."""

    def __init__(self, server: Server, requests: list[Request]) -> None:
        self.server, self.pending = server, list(requests)
        self.acked: dict[str, dict[str, Any]] = {}
        self.interrupted: list[str] = []

    async def send(self, client: httpx.AsyncClient, user: str, key: str,
                   body: dict[str, str]) -> bool:  # fmt: skip
        try:
            r = await client.post("/v1/transfers/internal", json=body, headers=_headers(user, key))
        except httpx.TransportError:
            self.interrupted.append(key)
            return False
        if r.status_code == 201:
            previous = self.acked.setdefault(key, r.json())
            assert previous == r.json(), key  # a replay answers the same
            return True
        if r.status_code == 409 and r.json()["code"] == "INSUFFICIENT_FUNDS":
            return True
        assert r.status_code >= 500, r.text  # only a dying server may fail
        return False

    async def run(self) -> None:
        async with httpx.AsyncClient(base_url=self.server.url, timeout=10) as client:
            while self.pending:
                batch, self.pending = self.pending[:16], self.pending[16:]
                answered = await asyncio.gather(*(self.send(client, *req) for req in batch))
                self.pending += [req for req, ok in zip(batch, answered, strict=True) if not ok]


async def _killer(server: Server, rng: random.Random) -> None:
    for _ in range(KILLS):
        await asyncio.sleep(rng.uniform(0.3, 1.5))  # a random moment under load
        server.kill()
        await server.start()


async def _check_ledger(url: str, acked: dict[str, dict[str, Any]]) -> None:
    async with ledger_database(url) as ldb:
        async with ldb.engine.connect() as conn:
            rows = (await conn.execute(
                select(ledger_transfers.c.id, ledger_transfers.c.amount, func.count())
                .where(ledger_transfers.c.kind == "internal")
                .group_by(ledger_transfers.c.id, ledger_transfers.c.amount))).all()  # fmt: skip
        stored = {tid: (amount, count) for tid, amount, count in rows}
        assert len(stored) == len(acked)  # nothing unacknowledged slipped in, nothing lost
        for body in acked.values():
            amount, count = stored[body["id"]]
            assert count == 1
            assert format_amount(amount, SCALES[body["asset"]]) == body["amount"]
        async with ldb.engine.begin() as db:
            report = await reconcile(db, assets=ASSETS)
        assert report.ok, report.findings
        for asset in ASSETS:
            assert await ldb.sum_posted(asset) == 0


@pytest.mark.timeout(900)
async def test_sigkill_during_load_loses_nothing_acknowledged(
    postgres_database_factory: Callable[..., str], kafka_bootstrap: str, tmp_path: Path
) -> None:
    url = postgres_database_factory()
    async with ledger_database(url) as ldb:
        await _seed(ldb)
    port = free_port()
    env = {"BURENCY_MODE": "distributed", "BURENCY_DATABASE_URL": url, "BURENCY_PORT": str(port),
           "BURENCY_KAFKA_BOOTSTRAP": kafka_bootstrap, "BURENCY_IDENTITY_SECRET": SECRET,
           "BURENCY_KAFKA_TOPIC_PREFIX": f"crash-{secrets.token_hex(6)}.",
           "BURENCY_AUTH_URL": "http://127.0.0.1:9", "BURENCY_LOG_LEVEL": "WARNING",
           "BURENCY_CHAIN_ADDRESS_SEED": secrets.token_urlsafe(32)}  # fmt: skip
    server = Server(env, tmp_path / "banking.log", port)
    rng = random.Random(11)
    load = Load(server, _requests(rng))
    await server.start()
    try:
        await asyncio.gather(_killer(server, rng), load.run())
    finally:
        server.stop()
    assert len(load.acked) > REQUESTS // 2
    assert load.interrupted  # the kills really hit requests in flight
    await _check_ledger(url, load.acked)
    assert "Traceback" not in (tmp_path / "banking.log").read_text(errors="replace")
