"""HTTP load on the trading service while its process is SIGKILLed and restarted (the
distributed crash test, ``tests/e2e/test_distributed_trading.py``).

:func:`order_jobs` makes a seeded stream of BTC/AED placements and spot → funding
transfers; :class:`KillLoad` sends them from concurrent clients, resends a request
whose answer a kill ate (same Idempotency-Key) once the server is back, records what
was acknowledged (orders, cancels, transfers), and kills the server when the number
of acknowledged orders reaches given counts: moments chosen by progress, not by time.
Nothing here imports a service; callers pass the signed identity headers.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

import httpx

from burency_testing.serve_process import ServeProcess

__all__ = ["LIVE", "ORDER_REFUSALS", "Ack", "Headers", "Job", "KillLoad", "order_jobs"]

Job = tuple[str, str, dict[str, str]]
"""(user, Idempotency-Key, body): a key starting ``out-`` is a spot → funding transfer."""
Headers = Callable[[str, str | None], dict[str, str]]
"""(user, Idempotency-Key or None) -> the request's identity (and key) headers."""
LIVE = frozenset({"NEW", "PARTIALLY_FILLED"})
ORDER_REFUSALS = frozenset({"INSUFFICIENT_BALANCE", "NO_LIQUIDITY", "TOO_MANY_OPEN_ORDERS"})


@dataclass(frozen=True)
class Ack:
    """An acknowledged order as its answer showed it (a replay shows its state then)."""

    user: str
    order_id: int
    status: str
    executed: Decimal


def order_jobs(rng: random.Random, users: list[str], places: int, out: str) -> list[Job]:
    """Seeded BTC/AED placements around 50,000 AED: mostly resting and crossing GTC
    limits, some IOC, some market orders (the key is the Idempotency-Key and client order
    id), and for every user one ``out`` AED spot → funding transfer among them."""
    jobs: list[Job] = []
    for n in range(places):
        side = rng.choice(["BUY", "SELL"])
        qty = f"0.{rng.randint(100, 2_000):05d}"
        price = f"{rng.randrange(49_500, 50_500, 5)}.00"
        kind = rng.random()
        if kind < 0.1:
            body = {"symbol": "BTC/AED", "side": side, "type": "MARKET", "quantity": qty}
        else:
            tif = "IOC" if kind < 0.2 else "GTC"
            body = {"symbol": "BTC/AED", "side": side, "type": "LIMIT", "timeInForce": tif,
                    "quantity": qty, "price": price}  # fmt: skip
        jobs.append((rng.choice(users), f"crash-{n}", body))
    for user in users:  # each trader also moves some AED back to funding, mid-load
        jobs.insert(
            rng.randrange(len(jobs)), (user, f"out-{user}", {"asset": "AED", "amount": out})
        )
    return jobs


class KillLoad:
    """``clients`` concurrent clients working through ``jobs`` (and now and then
    cancelling one of their acknowledged open orders) while :meth:`killer` SIGKILLs and
    restarts the server. A request that got no answer (the process died) or a 503 is sent
    again, with the same Idempotency-Key, once the server is up again: the answer is the
    order or transfer (made now, or found again), never a second one."""

    def __init__(self, server: ServeProcess, rng: random.Random, jobs: list[Job],
                 headers: Headers, clients: int = 12) -> None:  # fmt: skip
        self.server, self.rng, self.jobs = server, rng, list(jobs)
        self.headers, self.clients = headers, clients
        self.up = asyncio.Event()
        self.up.set()
        self.progress = asyncio.Condition()
        self.acked: dict[str, Ack] = {}
        self.cancelled: set[int] = set()
        self.moved_out: dict[str, str] = {}  # user -> AED acknowledged spot → funding
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
                got = await client.request(method, url, headers=self.headers(user, key), **kwargs)
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
        elif got.status_code == 409 and got.json()["code"] in ORDER_REFUSALS:
            self.refused[got.json()["code"]] += 1
        else:
            self.unexpected.append(f"POST {key}: {got.status_code} {got.text}")

    async def to_funding(self, client: httpx.AsyncClient, user: str, key: str,
                         body: dict[str, str]) -> None:  # fmt: skip
        got = await self.call(client, "POST", "/v1/transfers/funding", user, key, json=body)
        if got.status_code == 202:
            self.moved_out[user] = body["amount"]
        elif got.status_code != 409 or got.json()["code"] != "INSUFFICIENT_BALANCE":
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
                if key.startswith("out-"):
                    await self.to_funding(client, user, key, body)
                    continue
                await self.place(client, user, key, body)
                if self.rng.random() < 0.2:
                    await self.cancel(client, user)

    async def run(self) -> None:
        try:
            await asyncio.gather(*(self.client() for _ in range(self.clients)))
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

    async def acked_at_least(self, count: int) -> None:
        """Return once ``count`` orders are acknowledged (or the load is over)."""
        async with self.progress:
            await self.progress.wait_for(partial(self._reached, count))

    async def killer(self, at: list[int]) -> None:
        """SIGKILL when the count of acknowledged orders reaches each of ``at``."""
        for count in at:
            await self.acked_at_least(count)
            if self.finished:
                return
            await self.restart(kill=True)
            self.kills += 1
