"""Socket.IO fan-out: 1,000 real clients on loopback subscribed to one 100 ms depth stream.

Processes: a server (uvicorn serving the edge, publishing ``btcaed@depth@100ms`` at
``--hz``) and ``--procs`` client processes, each holding its share of real
python-socketio ``AsyncClient``s (websocket transport) that subscribe to the stream and
time each message from its event time ``E`` to receipt. The same run measures, each
with a fresh server process and fresh clients:

* ``fanout``: the gateway as built for production (``build_gateway``: its
  ``RealtimeHub``, :mod:`burency_gateway.realtime_fanout`), publishing with
  ``publish_stream`` (one encoding per message, one queue append per recipient);
* ``baseline``: a stock ``socketio.AsyncServer`` with python-socketio's default
  per-client emit, ``emit(..., to=sid)`` for each subscriber;
* ``room``: the stock server's own room emit (``emit(..., room=...)``: python-socketio
  encodes it once too, but makes a task per recipient), for reference.

Two sources, each run with every mode (said in the output):

* ``synthetic``: a bare server publishing a 10 Hz depth diff of 10 levels a side
  (``--hz``): the server's CPU is the fan-out's, so the CPU target is judged here;
* ``platform``: the embedded platform as ``burency up`` serves it
  (``bench/_realtime_platform.py``: ``bench/_trading_server.py`` with the mode's
  fan-out) under steady order flow from a process of its own (``--rate`` orders/s
  through the gateway's REST API: limit orders around the last price, cancels of the
  oldest, one market order in ten), the market-data sink publishing the real
  ``depthUpdate`` every 100 ms. The server's CPU is measured first with the flow alone,
  then with the subscribers; the difference estimates the fan-out's (noisy: two
  windows of a busy process on a shared machine).

Figures per mode over the measured window: messages delivered/s (and per client),
p50/p99/max latency (``E`` to receipt), the server's CPU share (``/proc``), server CPU
per delivery, the clients' and the order flow's CPU (to show they were not the
bottleneck), and how busy the machine was (``/proc/stat``, ``/proc/pressure/cpu``): it
is shared, so contention from other work shows up as latency. Writes
``bench/results/realtime_fanout.json``.

    .venv/bin/python bench/realtime_fanout.py [--sources synthetic,platform]
        [--clients 1000] [--procs 4] [--seconds 15] [--modes fanout,baseline,room]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import percentile, write_result
from _fanout_roles import STREAM

TARGET_P99_MS = 250.0
TARGET_CPU_PCT = 25.0
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- orchestration


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def _machine() -> tuple[float, float, float]:
    """(busy CPU seconds, all CPU seconds) of the whole machine, CPU pressure (us)."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]
    pressure = 0  # PSI "some" total: microseconds stalled, an integer counter
    with contextlib.suppress(OSError):
        some = Path("/proc/pressure/cpu").read_text().split("\n", 1)[0]
        pressure = int(some.rsplit("total=", 1)[1])
    return (sum(ticks) - idle) / CLK_TCK, sum(ticks) / CLK_TCK, pressure


def _free_port() -> int:
    import socket  # noqa: PLC0415

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(ready: Callable[[], bool], proc: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + 180
    while not ready():
        if proc.poll() is not None:
            raise RuntimeError(f"the server died while {what}")
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.1)  # polling with a deadline


def _listening(port: int) -> bool:
    import socket  # noqa: PLC0415

    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


ROLES = str(Path(__file__).resolve().parent / "_fanout_roles.py")


def _spawn(*args: str, script: str = ROLES, env: dict[str, str] | None = None) -> Any:
    return subprocess.Popen(
        [sys.executable, script, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL if env is not None else subprocess.PIPE,  # the platform logs
        stderr=subprocess.DEVNULL if env is not None else None,
        text=True,
        env=env,
    )


@contextlib.contextmanager
def _server(mode: str, source: str, args: argparse.Namespace) -> Iterator[tuple[Any, str, Any]]:
    """(server process, URL, order-flow process or None), serving until the block ends."""
    port = _free_port()
    if source == "synthetic":
        server = _spawn(
            "--role", "server", "--mode", mode, "--port", str(port), "--hz", str(args.hz)
        )
        try:
            _wait(lambda: _listening(port), server, "starting")
            yield server, f"http://127.0.0.1:{port}", None
        finally:
            _stop(server)
        return
    with tempfile.TemporaryDirectory(prefix="burency-bench-realtime-") as data:
        ready = Path(data) / "ready.json"
        env = {k: v for k, v in os.environ.items() if not k.startswith("BURENCY_")}
        env.update(
            BURENCY_PORT=str(port),
            BURENCY_DATA_DIR=str(Path(data) / "var"),
            BURENCY_RATE_LIMITS="default=1000000000/minute orders=1000000000/10 second "
            "register=100000/minute login=100000/minute email_verification=100000/minute",
            BENCH_READY=str(ready),
            BENCH_USERS="4",
            BENCH_FANOUT=mode,
        )
        script = str(Path(__file__).parent / "_realtime_platform.py")
        server = _spawn(script=script, env=env)
        flow = None
        try:
            _wait(ready.exists, server, "preparing its traders")
            url = f"http://127.0.0.1:{port}"
            flow = _spawn(
                "--role", "flow", "--url", url, "--ready", str(ready), "--rate", str(args.rate)
            )
            yield server, url, flow
        finally:
            for proc in (flow, server):
                if proc is not None:
                    _stop(proc)


def _stop(proc: Any, grace: float = 0.0) -> None:
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=grace)  # the clients disconnect and end by themselves
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _window(pids: list[int], seconds: float) -> tuple[float, list[float], tuple[float, ...]]:
    """Sleep ``seconds``; (t0, t1 epoch), CPU seconds of each pid, machine figures."""
    cpu0, machine0 = [_cpu_seconds(p) for p in pids], _machine()
    t0 = time.time()
    time.sleep(seconds)
    t1 = time.time()
    cpu1, machine1 = [_cpu_seconds(p) for p in pids], _machine()
    wall = t1 - t0
    busy = (machine1[0] - machine0[0]) / (machine1[1] - machine0[1])
    pressure = (machine1[2] - machine0[2]) / 1e6 / wall
    used = [b - a for a, b in zip(cpu0, cpu1, strict=True)]
    return t0, [t1, *used], (round(100 * busy, 1), round(100 * pressure, 1))


def run_mode(mode: str, source: str, args: argparse.Namespace) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    with _server(mode, source, args) as (server, url, flow):
        time.sleep(args.warmup)
        others = [flow.pid] if flow is not None else []
        if flow is not None:  # the same flow without subscribers: the server's own cost
            t0, (t1, idle, *_), _ = _window([server.pid], args.idle_seconds)
            figures["server_cpu_pct_without_subscribers"] = round(100 * idle / (t1 - t0), 1)
        share = [
            args.clients // args.procs + (i < args.clients % args.procs) for i in range(args.procs)
        ]
        procs = [_spawn("--role", "clients", "--url", url, "--count", str(n)) for n in share]
        try:
            for proc in procs:
                if proc.stdout.readline().strip() != "READY":
                    raise RuntimeError(f"{mode}: a client process failed to connect its clients")
            time.sleep(args.warmup)
            pids = [server.pid, *others, *(p.pid for p in procs)]
            t0, (t1, *used), (busy, pressure) = _window(pids, args.seconds)
            for proc in procs:
                proc.stdin.write(f"STOP {t0} {t1}\n")
                proc.stdin.flush()
            results = [json.loads(proc.stdout.readline()) for proc in procs]
        finally:
            for proc in procs:
                _stop(proc, grace=30)
        if flow is not None:
            flow.stdin.write("STOP\n")
            flow.stdin.flush()
            figures["order_flow"] = json.loads(flow.stdout.readline())
    wall = t1 - t0
    latencies = [x for r in results for x in r["latencies"]]
    delivered = sum(r["received"] for r in results)
    server_cpu, flow_cpu, client_cpu = used[0], used[1 : 1 + len(others)], used[1 + len(others) :]
    figures.update(
        clients=args.clients,
        client_processes=args.procs,
        seconds=round(wall, 2),
        messages_delivered_per_s=round(delivered / wall, 1),
        messages_per_s_per_client=round(delivered / wall / args.clients, 2),
        latency_p50_ms=round(percentile(latencies, 50), 1) if latencies else None,
        latency_p99_ms=round(percentile(latencies, 99), 1) if latencies else None,
        latency_max_ms=round(max(latencies), 1) if latencies else None,
        server_cpu_pct_of_core=round(100 * server_cpu / wall, 1),
        server_cpu_us_per_delivery=round(1e6 * server_cpu / max(delivered, 1), 2),
        clients_cpu_pct_of_core_total=round(100 * sum(client_cpu) / wall, 1),
        clients_cpu_pct_of_core_max_process=round(100 * max(client_cpu) / wall, 1),
        machine_busy_pct=busy,
        machine_cpu_pressure_pct=pressure,
    )
    if source == "synthetic":
        figures["delivered_share_of_published"] = round(
            delivered / (args.clients * args.hz * wall), 4
        )
    else:
        figures["order_flow_cpu_pct_of_core"] = round(100 * sum(flow_cpu) / wall, 1)
        fanout = figures["server_cpu_pct_of_core"] - figures["server_cpu_pct_without_subscribers"]
        figures["fanout_cpu_pct_of_core"] = round(fanout, 1)
        figures["fanout_cpu_us_per_delivery"] = round(1e4 * fanout / max(delivered / wall, 1), 2)
    return figures


def _print(mode: str, f: dict[str, Any]) -> None:
    fanout = (
        f", fan-out alone {f['fanout_cpu_pct_of_core']} % "
        f"({f['fanout_cpu_us_per_delivery']} us/delivery;"
        f" {f['server_cpu_pct_without_subscribers']} % without subscribers), "
        f"order flow {f['order_flow']} using {f['order_flow_cpu_pct_of_core']} %"
        if "fanout_cpu_pct_of_core" in f
        else f", {100 * f['delivered_share_of_published']:.1f} % of published delivered"
    )
    print(
        f"{mode:>9}: {f['messages_delivered_per_s']:>7.0f} msg/s delivered, "
        f"p50 {f['latency_p50_ms']} ms, p99 {f['latency_p99_ms']} ms, "
        f"max {f['latency_max_ms']} ms; server {f['server_cpu_pct_of_core']} % of a core "
        f"({f['server_cpu_us_per_delivery']} us/delivery)"
        f"{fanout}; clients {f['clients_cpu_pct_of_core_total']} % (max process "
        f"{f['clients_cpu_pct_of_core_max_process']} %); machine busy {f['machine_busy_pct']} %, "
        f"CPU pressure {f['machine_cpu_pressure_pct']} %",
        flush=True,
    )


def _compare(figures: dict[str, Any], source: str) -> None:
    """Targets: p99 and the fan-out's CPU (the bare server's, in the synthetic run: under
    order flow it is a difference of two noisy windows), at least 2x the baseline's."""
    ours, base = figures["fanout"], figures["baseline"]
    key = "fanout_cpu_us_per_delivery" if source == "platform" else "server_cpu_us_per_delivery"
    ratio = round(base[key] / ours[key], 2) if ours[key] > 0 else None
    figures["fanout_cpu_per_delivery_baseline_over_ours"] = ratio
    figures["targets"] = {
        "p99_ms": TARGET_P99_MS,
        "p99_met": (ours["latency_p99_ms"] or 1e9) <= TARGET_P99_MS,
        "at_least_2x_baseline": ratio is not None and ratio >= 2,
    }
    if source == "synthetic":
        figures["targets"]["fanout_cpu_pct"] = TARGET_CPU_PCT
        figures["targets"]["cpu_met"] = ours["server_cpu_pct_of_core"] <= TARGET_CPU_PCT
    print(f"  fan-out CPU per delivery, baseline / ours: {ratio}x; {figures['targets']}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sources", default="synthetic,platform")
    parser.add_argument("--modes", default="fanout,baseline,room")
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--hz", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--idle-seconds", type=float, default=8.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    args = parser.parse_args()
    figures: dict[str, Any] = {"stream": STREAM, "clients": args.clients}
    for source in args.sources.split(","):
        what = (
            f"the embedded platform under {args.rate:g} orders/s through the gateway"
            if source == "platform"
            else f"synthetic {args.hz:g} Hz depth diffs (10 levels a side)"
        )
        print(
            f"source: {what}, stream {STREAM}; {args.clients} python-socketio clients in "
            f"{args.procs} processes; {os.cpu_count()} CPUs on this machine, shared",
            flush=True,
        )
        run: dict[str, Any] = {"order_rate": args.rate} if source == "platform" else {"hz": args.hz}
        for mode in args.modes.split(","):
            run[mode] = run_mode(mode, source, args)
            _print(mode, run[mode])
        if "fanout" in run and "baseline" in run:
            _compare(run, source)
        figures[source] = run
    write_result("realtime_fanout", figures)


if __name__ == "__main__":
    main()
