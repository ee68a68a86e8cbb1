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
import random
import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
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
from burency_testing.serve_process import ServeProcess
from burency_testing.trading_load import LIVE, KillLoad, order_jobs
from burency_testing.waiting import eventually
from burency_trading.adapters.journal import FileJournal
from burency_trading.domain.model import PlaceOrder

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

SECRET = "distributed-trading-identity-secret-0123456789"
SCALES = {"AED": 2, "BTC": 8}
DONE = {"FILLED", "CANCELED", "EXPIRED"}
STAFF = "trading-e2e-staff"


@dataclass
class Cluster:
    banking: ServeProcess
    trading: ServeProcess
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
    volume = logs / "volume"  # the trading engine's persistent volume
    # snapshots every 100 commands: kills land between (or during) snapshot writes, and
    # restarts recover from a snapshot + the journal after it, not only from seq 1
    trading_env = {**common, "BURENCY_DATABASE_URL": postgres_database_factory(),
                   "BURENCY_JOURNAL_DIR": str(volume), "BURENCY_SNAPSHOT_EVERY": "100",
                   # static Kafka membership: a restarted engine resumes its saga consumers
                   # at once instead of after the killed process's session timeout
                   "BURENCY_KAFKA_INSTANCE_ID": "trading-0"}  # fmt: skip
    trading = ServeProcess("trading", trading_env, logs / "trading.log")
    banking_db = postgres_database_factory()
    banking_env = {**common, "BURENCY_DATABASE_URL": banking_db,
                   "BURENCY_AUTH_URL": "http://127.0.0.1:9", "BURENCY_TRADING_URL": trading.url,
                   "BURENCY_CHAIN_ADDRESS_SEED": secrets.token_urlsafe(32)}  # fmt: skip
    banking = ServeProcess("banking", banking_env, logs / "banking.log")
    try:
        for server in (trading, banking):
            server.spawn()
        for server in (trading, banking):
            server.ready()
        yield Cluster(banking, trading, banking_db, volume)
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


async def send_to_spot(
    bank: httpx.AsyncClient, grants: dict[str, dict[str, str]], key: str = "in"
) -> list[tuple[str, str]]:
    """Every grant funding → trading through banking: ``(user, transfer id)``."""
    sent = []
    for user, amounts in grants.items():
        for asset, amount in amounts.items():
            body = {"asset": asset, "amount": amount}
            got = await bank.post("/v1/transfers/trading", json=body,
                                  headers=signed(user, key=f"{key}-{asset}"))  # fmt: skip
            assert got.status_code == 202, got.text
            sent.append((user, got.json()["id"]))
    return sent


async def completed(bank: httpx.AsyncClient, sent: list[tuple[str, str]]) -> None:
    """Wait until banking sees every transfer to trading completed (never failed)."""

    async def done() -> bool:
        for user, transfer_id in sent:
            got = await bank.get(f"/v1/transfers/trading/{transfer_id}", headers=signed(user))
            assert got.json()["status"] != "failed", got.text
            if got.json()["status"] != "completed":
                return False
        return True

    await eventually(done, "banking to see every transfer to trading completed", 60, 0.05)


async def to_spot(bank: httpx.AsyncClient, grants: dict[str, dict[str, str]]) -> None:
    await completed(bank, await send_to_spot(bank, grants))


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


async def reconciled(bank: httpx.AsyncClient) -> None:
    """Banking's reconciliation passes, its check against trading's positions included:
    per asset funding balances + spot balances + fees = deposits - withdrawals."""
    report: dict[str, Any] = {}

    async def ok() -> bool:
        nonlocal report
        got = await bank.get("/v1/admin/reconciliation", headers=signed(STAFF, staff=True))
        assert got.status_code == 200, got.text
        report = got.json()
        return bool(report["ok"])

    try:
        await eventually(ok, "banking's reconciliation with trading to pass", 30, 0.1)
    except AssertionError:
        raise AssertionError(report["findings"]) from None
    assert "trading_matches_clearing" in report["checks"], report["checks"]


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
        await reconciled(bank)
    assert after["AED"]["fees"] - before["AED"]["fees"] == 1_000
    assert after["AED"]["netTransferred"] - before["AED"]["netTransferred"] == 100_500
    assert after["BTC"]["netTransferred"] - before["BTC"]["netTransferred"] == 40_000_000


# -- the crash test ---------------------------------------------------------------------

TRADERS = 8
PLACES = 480
CLIENTS = 12
KILLS = 4
GRANT = {"AED": "60000.00", "BTC": "1.20000000"}  # to spot before the load
LATE = "500.00"  # AED to spot during the load
BANKED = {"AED": "60500.00", "BTC": "1.20000000"}  # deposited in banking: GRANT + LATE
OUT = "100.00"


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
    await fund_in_banking(cluster.banking_db, {user: dict(BANKED) for user in users})
    async with httpx.AsyncClient(base_url=cluster.banking.url, timeout=30) as bank:
        async with httpx.AsyncClient(base_url=cluster.trading.url, timeout=30) as trade:
            before = await books(trade)
        await to_spot(bank, {user: dict(GRANT) for user in users})
        jobs = order_jobs(rng, users, PLACES, OUT)
        load = KillLoad(cluster.trading, rng, jobs, lambda u, key: signed(u, key=key), CLIENTS)

        async def late_to_spot() -> list[tuple[str, str]]:
            """More money to spot mid-load: the saga meets the kills (redelivery)."""
            await load.acked_at_least(PLACES // 5)
            return await send_to_spot(bank, {user: {"AED": LATE} for user in users}, "late")

        kills = load.killer(sorted(rng.sample(range(30, 300), KILLS)))
        async with asyncio.TaskGroup() as group:  # one failing cancels the others
            group.create_task(load.run())
            group.create_task(kills)
            sending = group.create_task(late_to_spot())
        late = sending.result()
        assert (load.kills, load.unexpected) == (KILLS, [])
        assert load.interrupted, "the kills hit no request in flight"
        assert len(load.acked) > PLACES // 2, load.refused
        assert load.moved_out, "no spot → funding transfer went through"

        await completed(bank, late)  # once Kafka expired the killed consumers (~10 s)

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
            await check_conservation(trade, users, before, load)
        await check_funding(bank, users, load)
        await reconciled(bank)


async def check_orders(trade: httpx.AsyncClient, load: KillLoad) -> None:
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
    trade: httpx.AsyncClient, users: list[str], before: dict[str, dict[str, int]], load: KillLoad
) -> None:
    """Per asset: the traders' spot balances (free + locked) + the fees they paid equal
    what they transferred in (before and during the load) less what they moved out, in
    the engine's books and in their own balances."""
    after = await books(trade)
    for asset, banked in BANKED.items():
        moved = load.moved_out.values() if asset == "AED" else ()
        out = sum(minor(amount, asset) for amount in moved)
        transferred = minor(banked, asset) * len(users) - out
        net = after[asset]["netTransferred"] - before[asset]["netTransferred"]
        fees = after[asset]["fees"] - before[asset]["fees"]
        held = 0
        for user in users:
            free, locked = (await spot(trade, user)).get(asset, ("0", "0"))
            held += minor(free, asset) + minor(locked, asset)
        assert net == transferred, asset
        assert after[asset]["users"] - before[asset]["users"] == held, asset
        assert (held + fees, fees >= 0) == (transferred, True), asset


async def check_funding(bank: httpx.AsyncClient, users: list[str], load: KillLoad) -> None:
    """Banking credited each acknowledged spot → funding transfer once (they were all
    sent while the trading process was being killed), and nothing else."""

    async def credited() -> bool:
        for user in users:
            want = minor(load.moved_out.get(user, "0"), "AED")
            have = minor(await funding(bank, user, "AED"), "AED")
            assert have <= want, f"{user}: credited {have}, moved {want}"
            if have < want:
                return False
        return True

    await eventually(credited, "banking to credit every spot → funding transfer", 60, 0.05)
