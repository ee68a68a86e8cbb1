"""Trading in distributed mode: ``burency serve banking`` and ``burency serve trading``, each
on its own PostgreSQL database, the ``wallet.transfer.*`` saga over Kafka, the engine's
journal in a directory of its own (``BURENCY_JOURNAL_DIR``, the persistent volume).
Callers are signed identities, as the gateway would forward them.

1. The round trip: users funded in banking move money to spot (banking holds, trading
   credits over Kafka, banking posts), trade with fees, move money back (the engine
   debits at once, banking credits from the Kafka event).
2. The crash test the issue asks for: clients place and cancel orders over HTTP while the
   trading process is SIGKILLed at seeded moments (counted in acknowledged orders) and
   restarted on the same journal and database; a request whose answer was lost is sent
   again with its Idempotency-Key (the client order id) until it gets one. Afterwards
   every acknowledged order is resting, filled or cancelled (never 404), an acknowledged
   cancel stuck, the journal has no sequence gap and holds every acknowledged order, the
   projection caught up, and per asset the users' spot balances + fees equal what was
   transferred in (the engine's books, ``GET /v1/admin/reconciliation``, and the users'
   own ``GET /v1/balances``).
"""

from __future__ import annotations

import asyncio
import os
import random
import secrets
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import insert

from burency_banking.adapters.db import create_banking_engine
from burency_banking.adapters.orm import user_directory
from burency_banking.ledger import Ledger, SystemAccount, TransferSpec
from burency_banking.settings import DEFAULT_ASSETS
from burency_common.identity import IDENTITY_HEADER, Identity, sign_identity
from burency_common.ids import new_id
from burency_common.money import AssetRegistry, parse_amount
from burency_common.timeutil import utc_now
from burency_testing.infra import free_port, wait_until_ready
from burency_testing.waiting import eventually
from burency_trading.adapters.journal import FileJournal
from burency_trading.domain.model import PlaceOrder

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

CLI = Path(sys.executable).parent / "burency"
SECRET = "distributed-trading-identity-secret-0123456789"
SCALES = {"AED": 2, "BTC": 8}
LIVE, DONE = {"NEW", "PARTIALLY_FILLED"}, {"FILLED", "CANCELED", "EXPIRED"}
STAFF = "trading-e2e-staff"


class Server:
    """One ``burency serve <service>`` process, restartable on the same environment."""

    def __init__(self, service: str, env: dict[str, str], log: Path) -> None:
        port = free_port()
        self.service, self.log, self.url = service, log, f"http://127.0.0.1:{port}"
        self.env = {**env, "BURENCY_PORT": str(port)}
        self.proc: subprocess.Popen[bytes] | None = None

    def spawn(self) -> None:
        base = {k: v for k, v in os.environ.items() if not k.startswith("BURENCY_")}
        with self.log.open("ab") as out:
            command = [str(CLI), "serve", self.service]
            env = {**base, **self.env}
            self.proc = subprocess.Popen(command, env=env, stdout=out, stderr=out)

    def ready(self) -> None:
        assert self.proc is not None
        wait_until_ready(self.url, self.proc, path="/readyz", log=self.log)

    def start(self) -> None:
        self.spawn()
        self.ready()

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@dataclass
class Cluster:
    banking: Server
    trading: Server
    banking_db: str
    journal: Path


@pytest.fixture(scope="module")
def cluster(
    postgres_database_factory: Callable[..., str],
    kafka_bootstrap: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Cluster]:
    logs = tmp_path_factory.mktemp("trading-e2e")
    common = {
        "BURENCY_MODE": "distributed",
        "BURENCY_IDENTITY_SECRET": SECRET,
        "BURENCY_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "BURENCY_KAFKA_TOPIC_PREFIX": f"e2e-trading-{secrets.token_hex(6)}.",
        "BURENCY_LOG_LEVEL": "WARNING",
    }
    trading = Server("trading", {**common, "BURENCY_DATABASE_URL": postgres_database_factory(),
                                 "BURENCY_JOURNAL_DIR": str(logs / "volume")},
                     logs / "trading.log")  # fmt: skip
    banking_db = postgres_database_factory()
    banking = Server("banking", {**common, "BURENCY_DATABASE_URL": banking_db,
                                 "BURENCY_AUTH_URL": "http://127.0.0.1:9",
                                 "BURENCY_TRADING_URL": trading.url,
                                 "BURENCY_CHAIN_ADDRESS_SEED": secrets.token_urlsafe(32)},
                     logs / "banking.log")  # fmt: skip
    try:
        for server in (trading, banking):
            server.spawn()
        for server in (trading, banking):
            server.ready()
        yield Cluster(banking, trading, banking_db, logs / "volume")
    finally:
        for server in (trading, banking):
            server.stop()


def signed(user: str, *, key: str | None = None, staff: bool = False) -> dict[str, str]:
    """The identity header the gateway would add (a verified e-mail, a session)."""
    roles = frozenset({"admin"} if staff else {"user"})
    identity = Identity(user_id=user, roles=roles, email_verified=True)
    headers = {IDENTITY_HEADER: sign_identity(identity, secret=SECRET.encode(), now=utc_now())}
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


def minor(text: str, asset: str) -> int:
    return parse_amount(text, SCALES[asset])


async def fund_in_banking(url: str, grants: dict[str, dict[str, str]]) -> None:
    """Users as banking learns them from ``user.registered``, and deposits to their
    funding wallets straight in banking's ledger (as an approved deposit would)."""
    engine = create_banking_engine(url)
    ledger = Ledger(AssetRegistry.from_config(DEFAULT_ASSETS))
    try:
        async with engine.begin() as db:
            await db.execute(insert(user_directory), [
                {"user_id": u, "email": f"{u}@example.com", "created_at": utc_now()}
                for u in grants])  # fmt: skip
            for user, amounts in grants.items():
                for asset, amount in amounts.items():
                    account = await ledger.user_account(db, user, asset)
                    source = await ledger.system_account(db, SystemAccount.BANK_OMNIBUS, asset)
                    spec = TransferSpec(new_id(), asset, source, account, minor(amount, asset),
                                        "deposit.fiat")  # fmt: skip
                    await ledger.transfer(db, spec)
    finally:
        await engine.dispose()


async def to_spot(bank: httpx.AsyncClient, grants: dict[str, dict[str, str]]) -> None:
    """Every grant funding → trading through banking, then wait for the saga to end."""
    sent = []
    for user, amounts in grants.items():
        for asset, amount in amounts.items():
            body = {"asset": asset, "amount": amount}
            got = await bank.post("/v1/transfers/trading", json=body,
                                  headers=signed(user, key=f"in-{asset}"))  # fmt: skip
            assert got.status_code == 202, got.text
            sent.append((user, got.json()["id"]))

    async def completed() -> bool:
        for user, transfer_id in sent:
            got = await bank.get(f"/v1/transfers/trading/{transfer_id}", headers=signed(user))
            assert got.json()["status"] != "failed", got.text
            if got.json()["status"] != "completed":
                return False
        return True

    await eventually(completed, "banking to see every transfer to trading completed", 60, 0.05)


async def spot(trade: httpx.AsyncClient, user: str) -> dict[str, tuple[str, str]]:
    got = await trade.get("/v1/balances", headers=signed(user))
    assert got.status_code == 200, got.text
    return {b["asset"]: (b["free"], b["locked"]) for b in got.json()["items"]}


async def funding(bank: httpx.AsyncClient, user: str, asset: str) -> str:
    got = await bank.get("/v1/accounts", headers=signed(user))
    assert got.status_code == 200, got.text
    return next((a["available"] for a in got.json() if a["asset"] == asset), "0")


async def books(trade: httpx.AsyncClient) -> dict[str, dict[str, int]]:
    """The engine's reconciliation: per asset users, fees, netTransferred (minor units)."""
    got = await trade.get("/v1/admin/reconciliation", headers=signed(STAFF, staff=True))
    assert got.status_code == 200, got.text
    assert got.json()["balanced"], got.json()
    fields = ("users", "fees", "netTransferred")
    rows = [row for row in got.json()["assets"] if row["asset"] in SCALES]
    return {row["asset"]: {k: minor(row[k], row["asset"]) for k in fields} for row in rows}


def limit(side: str, qty: str, price: str, tif: str = "GTC") -> dict[str, str]:
    return {"symbol": "BTC/AED", "side": side, "type": "LIMIT", "timeInForce": tif,
            "quantity": qty, "price": price}  # fmt: skip


async def test_funding_to_spot_trade_and_back(cluster: Cluster) -> None:
    buyer, seller = f"buyer-{secrets.token_hex(4)}", f"seller-{secrets.token_hex(4)}"
    await fund_in_banking(cluster.banking_db, {buyer: {"AED": "10000.00"},
                                               seller: {"BTC": "0.50000000"}})  # fmt: skip
    async with (
        httpx.AsyncClient(base_url=cluster.banking.url, timeout=30) as bank,
        httpx.AsyncClient(base_url=cluster.trading.url, timeout=30) as trade,
    ):
        before = await books(trade)
        await to_spot(bank, {buyer: {"AED": "6000.00"}, seller: {"BTC": "0.5"}})
        assert (await spot(trade, buyer))["AED"] == ("6000.00", "0.00")
        assert await funding(bank, buyer, "AED") == "4000.00"

        resting = await trade.post("/v1/orders", json=limit("SELL", "0.1", "50000.00"),
                                   headers=signed(seller))  # fmt: skip
        assert (resting.status_code, resting.json()["status"]) == (201, "NEW"), resting.text
        taken = await trade.post("/v1/orders", json=limit("BUY", "0.1", "50000.00"),
                                 headers=signed(buyer))  # fmt: skip
        assert (taken.status_code, taken.json()["status"]) == (201, "FILLED"), taken.text
        # 0.1 % maker and taker fees in AED: 5.00 each
        assert (await spot(trade, buyer))["AED"] == ("995.00", "0.00")
        assert (await spot(trade, seller))["AED"] == ("4995.00", "0.00")

        for user, asset, amount in ((buyer, "BTC", "0.1"), (seller, "AED", "4995.00")):
            out = await trade.post("/v1/transfers/funding", json={"asset": asset, "amount": amount},
                                   headers=signed(user, key=f"out-{asset}"))  # fmt: skip
            assert (out.status_code, out.json()["status"]) == (202, "pending"), out.text

        async def credited() -> bool:
            return (await funding(bank, buyer, "BTC"), await funding(bank, seller, "AED")) == (
                "0.10000000", "4995.00")  # fmt: skip

        await eventually(credited, "banking to credit both spot → funding transfers", 60, 0.05)
        assert (await spot(trade, seller))["AED"] == ("0.00", "0.00")
        after = await books(trade)
    assert after["AED"]["fees"] - before["AED"]["fees"] == 1_000
    assert after["AED"]["netTransferred"] - before["AED"]["netTransferred"] == 100_500
    assert after["BTC"]["netTransferred"] - before["BTC"]["netTransferred"] == 40_000_000


# -- the crash test ---------------------------------------------------------------------

TRADERS = 8
PLACES = 480
CLIENTS = 12
KILLS = 4
GRANT = {"AED": "60000.00", "BTC": "1.20000000"}
REFUSALS = {"INSUFFICIENT_BALANCE", "NO_LIQUIDITY", "TOO_MANY_OPEN_ORDERS"}


@dataclass(frozen=True)
class Ack:
    user: str
    order_id: int
    status: str
    executed: Decimal


def _orders(rng: random.Random, users: list[str]) -> list[tuple[str, str, dict[str, str]]]:
    """Seeded placements around 50,000 AED: mostly resting and crossing GTC limits, some
    IOC, some market orders; the key is the Idempotency-Key and client order id."""
    jobs = []
    for n in range(PLACES):
        side = rng.choice(["BUY", "SELL"])
        qty = f"0.{rng.randint(100, 2_000):05d}"
        price = f"{rng.randrange(49_500, 50_500, 5)}.00"
        kind = rng.random()
        if kind < 0.1:
            body = {"symbol": "BTC/AED", "side": side, "type": "MARKET", "quantity": qty}
        else:
            body = limit(side, qty, price, "IOC" if kind < 0.2 else "GTC")
        jobs.append((rng.choice(users), f"crash-{n}", body))
    return jobs


class Load:
    """``CLIENTS`` clients working through the placements (and now and then cancelling an
    acknowledged open order). A request that got no answer (the process died) or a 503 is
    sent again, with the same Idempotency-Key, once the server is up: the answer is the
    order (placed now, or found again), never a second order."""

    def __init__(self, server: Server, rng: random.Random, users: list[str]) -> None:
        self.server, self.rng = server, rng
        self.jobs = _orders(rng, users)
        self.up = asyncio.Event()
        self.up.set()
        self.progress = asyncio.Condition()
        self.acked: dict[str, Ack] = {}
        self.cancelled: set[int] = set()
        self.refused: Counter[str] = Counter()
        self.unexpected: list[str] = []
        self.interrupted = self.kills = 0
        self.finished = False

    async def call(self, client: httpx.AsyncClient, method: str, url: str, user: str,
                   key: str | None = None, **kwargs: Any) -> httpx.Response:  # fmt: skip
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while True:
            await self.up.wait()
            try:
                got = await client.request(method, url, headers=signed(user, key=key), **kwargs)
            except httpx.TransportError:
                self.interrupted += 1
            else:
                if got.status_code != 503:
                    return got
            assert loop.time() < deadline, f"{method} {url} got no answer in 60 s"
            if self.up.is_set():  # 503 (busy) or a request cut just before a restart
                await asyncio.sleep(0.02)  # retry backoff, bounded by the deadline above

    async def place(self, client: httpx.AsyncClient, user: str, key: str,
                    body: dict[str, str]) -> None:  # fmt: skip
        got = await self.call(client, "POST", "/v1/orders", user, key, json=body)
        if got.status_code in (200, 201):
            order = got.json()
            assert order["clientOrderId"] == key
            ack = Ack(user, int(order["orderId"]), order["status"], Decimal(order["executedQty"]))
            async with self.progress:
                self.acked[key] = ack
                self.progress.notify_all()
        elif got.status_code == 409 and got.json()["code"] in REFUSALS:
            self.refused[got.json()["code"]] += 1
        else:
            self.unexpected.append(f"POST {key}: {got.status_code} {got.text}")

    async def cancel(self, client: httpx.AsyncClient, user: str) -> None:
        live = [a for a in self.acked.values() if a.user == user and a.status in LIVE]
        if not live:
            return
        target = self.rng.choice(live)
        url = f"/v1/orders/{target.order_id}"
        got = await self.call(client, "DELETE", url, user, params={"symbol": "BTC/AED"})
        if got.status_code == 200:
            assert got.json()["status"] == "CANCELED", got.text
            self.cancelled.add(target.order_id)
        elif got.status_code not in (404, 409):  # filled, or cancelled by an answer lost
            self.unexpected.append(f"DELETE {target.order_id}: {got.status_code} {got.text}")

    async def client(self) -> None:
        async with httpx.AsyncClient(base_url=self.server.url, timeout=30) as client:
            while self.jobs:
                user, key, body = self.jobs.pop()
                await self.place(client, user, key, body)
                if self.rng.random() < 0.2:
                    await self.cancel(client, user)

    async def run(self) -> None:
        try:
            await asyncio.gather(*(self.client() for _ in range(CLIENTS)))
        finally:
            async with self.progress:
                self.finished = True
                self.progress.notify_all()

    async def restart(self, *, kill: bool) -> None:
        self.up.clear()
        await asyncio.to_thread(self.server.kill if kill else self.server.stop)
        await asyncio.to_thread(self.server.start)
        self.up.set()

    def _reached(self, count: int) -> bool:
        return len(self.acked) >= count or self.finished

    async def killer(self, at: list[int]) -> None:
        """SIGKILL when the count of acknowledged orders reaches each of ``at``."""
        for count in at:
            async with self.progress:
                await self.progress.wait_for(partial(self._reached, count))
            if self.finished:
                return
            await self.restart(kill=True)
            self.kills += 1


async def settled(trade: httpx.AsyncClient) -> dict[str, Any]:
    """The engine's health once the projection caught up with the journal."""
    health: dict[str, Any] = {}

    async def caught_up() -> bool:
        nonlocal health
        got = await trade.get("/v1/admin/engine", headers=signed(STAFF, staff=True))
        assert got.status_code == 200, got.text
        health = got.json()
        return bool(health["state"] == "running" and health["seq"] == health["durableSeq"]
                    and health["sinkLag"] == 0 and not health["detachedSinks"])  # fmt: skip

    await eventually(caught_up, "the projection to catch up with the journal", 30, 0.05)
    assert set(health["sinks"].values()) == {health["seq"]}, health
    return health


def journaled_orders(volume: Path) -> tuple[int, dict[str, str]]:
    """Read the journal of a stopped engine: its last seq (after checking every seq from 1
    is there once, in order) and ``client order id -> user`` of every PlaceOrder."""
    journal = FileJournal(volume / "journal")
    try:
        assert journal.first_seq() == 1  # nothing compacted at this size
        placed, expected = {}, 1
        for record in journal.read_from(1):
            assert record.seq == expected, f"seq {record.seq} after {expected - 1}"
            expected += 1
            if isinstance(record.command, PlaceOrder):
                placed[record.command.client_order_id] = record.command.user_id
        assert expected - 1 == journal.last_seq()
        return journal.last_seq(), placed
    finally:
        journal.close()


@pytest.mark.timeout(240)
async def test_sigkill_under_load_loses_no_acknowledged_order(cluster: Cluster) -> None:
    rng = random.Random(15)
    users = [f"crash-{i}-{secrets.token_hex(3)}" for i in range(TRADERS)]
    grants = {user: dict(GRANT) for user in users}
    await fund_in_banking(cluster.banking_db, grants)
    async with (
        httpx.AsyncClient(base_url=cluster.banking.url, timeout=30) as bank,
        httpx.AsyncClient(base_url=cluster.trading.url, timeout=30) as trade,
    ):
        before = await books(trade)
        await to_spot(bank, grants)
    load = Load(cluster.trading, rng, users)
    await asyncio.gather(load.run(), load.killer(sorted(rng.sample(range(30, 300), KILLS))))
    assert (load.kills, load.unexpected) == (KILLS, [])
    assert load.interrupted, "the kills hit no request in flight"
    assert len(load.acked) > PLACES // 2, load.refused

    # a last kill with everything acknowledged: the journal must hold every order
    cluster.trading.kill()
    last_seq, placed = journaled_orders(cluster.journal)
    missing = {k: a.user for k, a in load.acked.items() if placed.get(k) != a.user}
    assert not missing, f"acknowledged but not journaled: {missing}"
    await asyncio.to_thread(cluster.trading.start)

    async with httpx.AsyncClient(base_url=cluster.trading.url, timeout=30) as trade:
        health = await settled(trade)
        assert health["seq"] >= last_seq
        await check_orders(trade, load)
        await check_conservation(trade, users, before)


async def check_orders(trade: httpx.AsyncClient, load: Load) -> None:
    """Every acknowledged order is resting, filled or cancelled: never lost."""
    finals: Counter[str] = Counter()
    for key, ack in load.acked.items():
        got = await trade.get(f"/v1/orders/{ack.order_id}", headers=signed(ack.user))
        assert got.status_code == 200, f"{key}: {got.text}"
        order = got.json()
        finals[order["status"]] += 1
        assert order["clientOrderId"] == key
        assert order["status"] in LIVE | DONE, order
        if ack.status in DONE:
            assert order["status"] == ack.status, (ack, order)
        if ack.order_id in load.cancelled:
            assert order["status"] == "CANCELED", (ack, order)
        assert Decimal(order["executedQty"]) >= ack.executed, (ack, order)
    assert {"NEW", "FILLED", "CANCELED", "EXPIRED"} <= set(finals), finals  # a real mix


async def check_conservation(
    trade: httpx.AsyncClient, users: list[str], before: dict[str, dict[str, int]]
) -> None:
    """Per asset: the traders' spot balances (free + locked) + the fees they paid equal
    what they transferred in, in the engine's books and in their own balances."""
    after = await books(trade)
    for asset, amount in GRANT.items():
        transferred = minor(amount, asset) * len(users)
        net = after[asset]["netTransferred"] - before[asset]["netTransferred"]
        fees = after[asset]["fees"] - before[asset]["fees"]
        held = 0
        for user in users:
            free, locked = (await spot(trade, user)).get(asset, ("0", "0"))
            held += minor(free, asset) + minor(locked, asset)
        assert net == transferred, asset
        assert after[asset]["users"] - before[asset]["users"] == held, asset
        assert (held + fees, fees >= 0) == (transferred, True), asset
