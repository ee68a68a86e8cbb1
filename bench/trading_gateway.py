"""Orders end to end through the embedded gateway over HTTP: orders/s, p50/p99, CPU µs.

Starts the embedded platform (``bench/_trading_server.py``: ``burency up`` plus bench-only
funding of ``BENCH_USERS`` traders by ``TransferIn`` commands, see its docstring), then
drives ``POST /api/trading/v1/orders`` and ``DELETE /api/trading/v1/orders/{id}`` with
``wrk`` and ``bench/lua/orders.lua`` (64 connections, rotating the traders' JWTs; resting
and crossing BTC/AED limit orders and cancels of resting ones). ``wrk`` is a C load
generator: it is not the bottleneck, unlike an httpx client (~1 ms of CPU a request).

Printed and written to ``bench/results/trading_gateway.json``:

* requests/s and orders/s (placements and cancels answered 2xx), p50/p90/p99 (wrk's);
* the server process's CPU µs per request, from ``/proc/<pid>/stat``, and per thread
  (``/proc/<pid>/task/*/stat``): the event loop (gateway, trading routes, projection,
  everything async) against the engine thread (matching, journal writes and fsync);
* the engine's seq delta (every command it applied) as a cross-check of accepted
  commands, and the answers by status: ``errors`` counts every non-2xx except a cancel
  of an order already filled (404 ``ORDER_NOT_FOUND``, counted as ``cancel_gone``).

A/B in one run: ``BENCH_BASELINE=<git rev>[,<git rev>...]`` also measures those
revisions' code (their ``libs``/``services``/``apps`` sources exported with ``git
archive`` to a temporary directory and put first on ``PYTHONPATH``), alternating them
with the working tree in rounds (``BENCH_ROUNDS`` each, default 2) so all see the same
machine load; each variant's figures are the median over its rounds.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from _common import write_result
from _platform import ROOT, TICKS, _free_port

DURATION = int(os.environ.get("WRK_DURATION", "20"))
WARMUP = int(os.environ.get("WRK_WARMUP", "5"))
CONNECTIONS = int(os.environ.get("WRK_CONNECTIONS", "64"))
USERS = os.environ.get("BENCH_USERS", "16")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
LUA = Path(__file__).parent / "lua" / "orders.lua"
RATE_LIMITS = (
    "default=1000000000/minute register=100000/minute login=100000/minute "
    "orders=1000000000/10 second email_verification=100000/minute"
)


def _thread_cpu(pid: int) -> dict[int, float]:
    """CPU seconds (user + system) of each thread of ``pid``."""
    out: dict[int, float] = {}
    for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue  # a thread that ended meanwhile
        out[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / TICKS
    return out


def _process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class Server:
    def __init__(self, proc: subprocess.Popen[bytes], ready: Path) -> None:
        self.proc = proc
        self.ready = ready

    def health(self) -> dict[str, Any]:
        """The engine's health, dumped by the server on SIGUSR1."""
        path = self.ready.with_suffix(".health")
        path.unlink(missing_ok=True)
        self.proc.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if path.exists() and path.stat().st_size:
                found: dict[str, Any] = json.loads(path.read_text())
                return found
            time.sleep(0.02)  # polling for the dump with a deadline
        raise SystemExit("the server did not dump its health")


def _pythonpath(baseline: str, into: Path) -> str:
    """Export ``baseline``'s sources to ``into``; its ``src`` folders as a PYTHONPATH."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", baseline, "libs", "services", "apps"],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return os.pathsep.join(str(p) for p in sorted(into.glob("*/*/src")))


@contextmanager
def _server(pythonpath: str | None) -> Iterator[Server]:
    with tempfile.TemporaryDirectory(prefix="burency-bench-trading-") as data:
        port = _free_port()
        ready = Path(data) / "ready.json"
        env = {k: v for k, v in os.environ.items() if not k.startswith("BURENCY_")}
        env.update(
            BURENCY_PORT=str(port),
            BURENCY_DATA_DIR=str(Path(data) / "var"),
            BURENCY_RATE_LIMITS=RATE_LIMITS,
            BURENCY_LIVE_MARKETS="false",  # the load sets its own prices on empty books
            BENCH_READY=str(ready),
            BENCH_USERS=USERS,
        )
        if pythonpath:
            env["PYTHONPATH"] = pythonpath
        script = Path(__file__).parent / "_trading_server.py"
        proc = subprocess.Popen(  # logs as `burency up` writes them, to nowhere
            [sys.executable, str(script)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 180
            while not ready.exists():
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the trading bench server did not start")
                time.sleep(0.1)  # polling for readiness with a deadline
            server = Server(proc, ready)
            server.url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
            yield server
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wrk(url: str, tokens: Path, seconds: int) -> tuple[str, dict[str, Any]]:
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "-s", str(LUA)]
    env = {**os.environ, "BENCH_TOKENS": str(tokens)}
    done = subprocess.run([*command, url], capture_output=True, text=True, check=True, env=env)
    found = re.search(r"BENCH_COUNTS (\{.*\})", done.stdout)
    if found is None:
        raise SystemExit(f"wrk printed no counts:\n{done.stdout}\n{done.stderr}")
    return done.stdout, json.loads(found.group(1))


def _cancel_all(url: str, traders: list[dict[str, str]]) -> None:
    """Cancel the warm-up's resting orders (its Lua state, and so their ids, are gone):
    left on the book they would push traders to the engine's 200 open orders."""
    for trader in traders:
        answer = httpx.delete(
            f"{url}/api/trading/v1/open-orders",
            params={"symbol": "BTC/AED"},
            headers={"Authorization": f"Bearer {trader['token']}"},
            timeout=30,
        )
        answer.raise_for_status()


def _thread_names(server: Server, health: dict[str, Any]) -> dict[int, str]:
    names = {int(tid): name for tid, name in health.get("threads", {}).items()}
    names[server.proc.pid] = "event-loop"
    return names


def _group(name: str) -> str:
    if name in ("event-loop", "trading-engine"):
        return name
    return "other-threads"


def _measure(pythonpath: str | None) -> dict[str, Any]:
    with _server(pythonpath) as server:
        traders = json.loads(server.ready.read_text())["traders"]
        tokens = server.ready.with_suffix(".tokens")
        tokens.write_text("".join(t["token"] + "\n" for t in traders))
        url: str = server.url  # type: ignore[attr-defined]
        _wrk(url, tokens, WARMUP)
        _cancel_all(url, traders)
        pid = server.proc.pid
        before_health = server.health()
        before_threads, before_cpu = _thread_cpu(pid), _process_cpu(pid)
        started = time.monotonic()
        output, counts = _wrk(url, tokens, DURATION)
        elapsed = time.monotonic() - started
        after_cpu, after_threads = _process_cpu(pid), _thread_cpu(pid)
        after_health = server.health()
        names = _thread_names(server, after_health)
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    orders = counts["placed"] + counts["canceled"]
    per_group: dict[str, float] = {}
    for tid, cpu in after_threads.items():
        group = _group(names.get(tid, "other"))
        per_group[group] = per_group.get(group, 0.0) + cpu - before_threads.get(tid, 0.0)
    cpu = after_cpu - before_cpu
    return {
        "requests_per_s": round(requests / elapsed),
        "orders_per_s": round(orders / elapsed),
        "placements_per_s": round(counts["placed"] / elapsed),
        "p50_ms": counts["p50_us"] / 1000,
        "p90_ms": counts["p90_us"] / 1000,
        "p99_ms": counts["p99_us"] / 1000,
        "server_cpu_us_per_order": round(cpu / orders * 1e6) if orders else None,
        "server_cpu_cores": round(cpu / elapsed, 2),
        "cpu_us_per_order_by_thread": {
            k: round(v / orders * 1e6) if orders else None for k, v in sorted(per_group.items())
        },
        "engine_seq_delta": after_health["seq"] - before_health["seq"],
        "gc_ms_per_s": [  # time in the cyclic GC per generation, per second of the run
            round((a - b) / elapsed * 1000, 1)
            for a, b in zip(after_health["gc_seconds"], before_health["gc_seconds"], strict=True)
        ],
        "loop_lag_ms": _lag_percentiles(after_health.get("loop_lag_s", [])),
        "answers": counts,
        "errors": counts["errors"],
    }


def _lag_percentiles(samples: list[float]) -> dict[str, float] | None:
    """p50/p99/max of how late the server's 2 ms probe timer fired during the run."""
    if not samples:
        return None  # a revision from before the probe
    ordered = sorted(samples)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)

    return {"p50": at(0.5), "p99": at(0.99), "max": round(ordered[-1] * 1000, 1)}


def _median(runs: list[dict[str, Any]], key: str) -> Any:
    return round(statistics.median(r[key] for r in runs), 3)


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("orders_per_s", "p50_ms", "p99_ms", "server_cpu_us_per_order")
    summary = {k: _median(runs, k) for k in keys}
    summary["runs"] = runs
    return summary


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is required: apt-get install wrk (bench/run.sh installs it)")
    baseline = os.environ.get("BENCH_BASELINE")
    figures: dict[str, Any] = {
        "connections": CONNECTIONS,
        "duration_s": DURATION,
        "traders": int(USERS),
        "load_average": os.getloadavg()[0],
    }
    with tempfile.TemporaryDirectory(prefix="burency-bench-baseline-") as base_dir:
        variants: dict[str, str | None] = {}
        for revision in baseline.split(",") if baseline else []:
            into = Path(base_dir) / revision
            into.mkdir()
            variants[f"at {revision}"] = _pythonpath(revision, into)
        variants["current"] = None
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in variants}
        for _ in range(ROUNDS):
            for name, pythonpath in variants.items():
                result = _measure(pythonpath)
                print(
                    f"  {name}: {json.dumps({k: v for k, v in result.items() if k != 'answers'})}"
                )
                runs[name].append(result)
    for name, measured in runs.items():
        figures[name] = _summary(measured)
    write_result("trading_gateway", figures)


if __name__ == "__main__":
    main()
