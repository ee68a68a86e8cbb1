"""The child processes of ``bench/realtime_fanout.py``: a Socket.IO server in one of the
three fan-out modes, a process of subscribed clients, and the platform's order flow.

``python bench/_fanout_roles.py --role server|clients|flow ...``: each prints what the
orchestrator reads (readiness, then its measurements as JSON lines) and runs until
stopped (SIGINT, or its stdin closing).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sys
import time
from collections import deque
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

STREAM = "btcaed@depth@100ms"


# ---------------------------------------------------------------- server side


def _diff(update_id: int) -> dict[str, Any]:
    """A depth diff shaped like trading's (10 changed levels a side)."""
    bids = [
        [f"{250000 - i * 5 - update_id % 7}.50", f"{(update_id + i) % 9}.125"] for i in range(10)
    ]
    asks = [
        [f"{250100 + i * 5 + update_id % 5}.25", f"{(update_id * 3 + i) % 7}.5"] for i in range(10)
    ]
    return {
        "e": "depthUpdate",
        "E": int(time.time() * 1000),
        "s": "BTCAED",
        "U": update_id,
        "u": update_id,
        "pu": update_id - 1,
        "b": bids,
        "a": asks,
    }


def _fanout_app() -> tuple[Any, Any]:
    from burency_gateway.app import build_gateway  # noqa: PLC0415
    from burency_gateway.security import LocalKeySource  # noqa: PLC0415
    from burency_gateway.settings import GatewaySettings  # noqa: PLC0415

    gateway = build_gateway(
        GatewaySettings(_env_file=None), services={}, key_source=LocalKeySource({})
    )
    hub = gateway.realtime

    async def publish(message: dict[str, Any]) -> None:
        await hub.publish_stream(STREAM, message)

    return gateway.app, publish


def _stock_app(per_client: bool) -> tuple[Any, Any]:
    import socketio  # noqa: PLC0415

    server = socketio.AsyncServer(async_mode="asgi", logger=False, engineio_logger=False)
    room = f"stream:{STREAM}"

    async def subscribe(sid: str, data: Any) -> dict[str, Any]:
        await server.enter_room(sid, room)
        return {"result": data.get("streams", [])}

    server.on("subscribe", subscribe)

    async def publish(message: dict[str, Any]) -> None:
        payload = {"stream": STREAM, "data": message}
        if not per_client:
            await server.emit("stream", payload, room=room)
            return
        for sid, _ in list(server.manager.get_participants("/", room)):
            await server.emit("stream", payload, to=sid)

    return socketio.ASGIApp(server), publish


async def _serve(mode: str, port: int, hz: float) -> None:
    import uvicorn  # noqa: PLC0415

    from burency_platform.gc_tuning import freeze_start_up_heap  # noqa: PLC0415

    app, publish = _fanout_app() if mode == "fanout" else _stock_app(mode == "baseline")
    freeze_start_up_heap()  # the GC settings `burency serve gateway` runs with, every mode
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="auto")
    )
    serving = asyncio.create_task(server.serve())
    period = 1.0 / hz
    update_id = 1
    loop = asyncio.get_running_loop()
    next_at = loop.time()
    while not serving.done():
        await publish(_diff(update_id))
        update_id += 1
        next_at += period
        await asyncio.sleep(max(0.0, next_at - loop.time()))  # the publisher's cadence


# ---------------------------------------------------------------- client side


async def _clients(url: str, count: int) -> None:
    import socketio  # noqa: PLC0415

    received: list[tuple[float, float]] = []  # (receipt time, latency ms)

    def make() -> Any:
        client = socketio.AsyncClient(reconnection=False)

        async def on_stream(message: dict[str, Any]) -> None:
            now = time.time() * 1000
            received.append((now, now - message["data"]["E"]))

        client.on("stream", on_stream)
        return client

    clients = [make() for _ in range(count)]
    gate = asyncio.Semaphore(25)

    async def start(client: Any) -> None:
        async with gate:
            await client.connect(url, transports=["websocket"], wait_timeout=60)
            await client.call("subscribe", {"streams": [STREAM]}, timeout=60)

    await asyncio.gather(*(start(c) for c in clients))
    print("READY", flush=True)
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    _, t0, t1 = line.split()
    start_ms, end_ms = float(t0) * 1000, float(t1) * 1000
    window = [lat for at, lat in received if start_ms <= at < end_ms]
    print(json.dumps({"received": len(window), "latencies": [round(x, 1) for x in window]}))
    sys.stdout.flush()
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)


# ---------------------------------------------------------------- order flow


async def _flow(url: str, ready: str, rate: float) -> None:
    """Orders through the gateway at ``rate``/s until told to stop; prints its counts."""
    import httpx  # noqa: PLC0415

    traders = json.loads(Path(ready).read_text())["traders"]  # noqa: ASYNC240 - once, at start
    rng = random.Random(16)
    books: list[deque[int]] = [deque() for _ in traders]
    counts: dict[str, Any] = {"placed": 0, "cancelled": 0, "failed": 0}
    stop = asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        loop = asyncio.get_running_loop()
        next_at, n, mid = loop.time(), 0, 200000
        while not stop.done():
            i = n % len(traders)
            headers = {"Authorization": f"Bearer {traders[i]['token']}"}
            if n % 200 == 0:  # follow the market (the price band is around the last trade)
                mid = await _mid(http)
            side = rng.choice(["BUY", "SELL"])
            body: dict[str, Any] = {"symbol": "BTC/AED", "side": side, "quantity": "0.01"}
            if n % 10 == 9:  # takes liquidity: trades, tickers, klines
                body.update(type="MARKET", quantity="0.003")
            else:
                away = rng.randint(1, 40) * 10
                price = mid + away if side == "SELL" else mid - away
                body.update(type="LIMIT", timeInForce="GTC", price=str(price))
            placed = await http.post("/api/trading/v1/orders", json=body, headers=headers)
            counts["placed" if placed.status_code == 201 else "failed"] += 1
            if placed.status_code != 201 and "refused" not in counts:
                counts["refused"] = placed.json().get("code", placed.status_code)
            if placed.status_code == 201 and body["type"] == "LIMIT":
                books[i].append(int(placed.json()["orderId"]))
            if len(books[i]) > 20:
                gone = await http.delete(
                    f"/api/trading/v1/orders/{books[i].popleft()}", headers=headers
                )
                counts["cancelled" if gone.status_code == 200 else "failed"] += 1
            n += 1
            next_at += 1.0 / rate
            await asyncio.sleep(max(0.0, next_at - loop.time()))  # the flow's cadence
    print(json.dumps(counts), flush=True)


async def _mid(http: Any) -> int:
    """The last trade price (whole AED), or the middle of the book, or 200,000."""
    got = await http.get("/api/trading/v1/ticker/24hr", params={"symbol": "BTCAED"})
    last = Decimal(got.json().get("lastPrice") or 0) if got.status_code == 200 else Decimal(0)
    if not last:
        got = await http.get("/api/trading/v1/ticker/bookTicker", params={"symbol": "BTCAED"})
        book = got.json() if got.status_code == 200 else {}
        bid, ask = Decimal(book.get("bidPrice") or 0), Decimal(book.get("askPrice") or 0)
        last = (bid + ask) / 2 if bid and ask else Decimal(200000)
    return round(last)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--role", required=True, choices=["server", "clients", "flow"])
    parser.add_argument("--mode", default="fanout")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--hz", type=float, default=10.0)
    parser.add_argument("--url", default="")
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--ready", default="")
    parser.add_argument("--rate", type=float, default=20.0)
    args = parser.parse_args()
    role = {
        "server": lambda: _serve(args.mode, args.port, args.hz),
        "clients": lambda: _clients(args.url, args.count),
        "flow": lambda: _flow(args.url, args.ready, args.rate),
    }[args.role]
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(role())


if __name__ == "__main__":
    main()
