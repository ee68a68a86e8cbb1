"""Idle cost of the embedded platform: CPU a `burency up` burns with no traffic at all.

Starts ``burency up`` on a fresh data directory and a free port, waits until it answers,
lets start-up settle, then reads the process's CPU time (user + system, every thread,
from ``/proc``) over a quiet window. The target (issue #14): below 2 % of one core. The
busiest threads are printed too, since the event-loop thread is what starves requests.

Before the fix (commit 016c597) the same measurement read 64-68 % of a core on this
2-core machine: six outbox relays polling every 0.25 s, and two notification workers
waking each other after every empty poll (every transaction ran its post-commit hooks,
written or not). ``IDLE_SECONDS`` (default 30) sets the window; ``RUNS`` (default 2)
how many fresh starts are measured.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from _common import write_result

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / ".venv" / "bin" / "burency"
TICKS = os.sysconf("SC_CLK_TCK")
WINDOW = float(os.environ.get("IDLE_SECONDS", "30"))
SETTLE = 5.0


def _free_port() -> int:
    import socket  # noqa: PLC0415

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cpu_seconds(stat_path: Path) -> float:
    fields = stat_path.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def _threads(pid: int) -> dict[str, float]:
    found: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            found[f"{name}[{task.name}]"] = _cpu_seconds(task / "stat")
        except OSError:
            continue
    return found


def _wait_ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("burency up exited during start-up")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # polling for readiness with a deadline
    raise SystemExit("burency up did not become ready in 120 s")


def measure(extra_env: dict[str, str]) -> dict[str, object]:
    """Percent of one core used by an idle ``burency up`` over ``WINDOW`` seconds."""
    with tempfile.TemporaryDirectory(prefix="burency-idle-") as data:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("BURENCY_")}
        env.update(BURENCY_PORT=str(port), BURENCY_DATA_DIR=data, **extra_env)
        proc = subprocess.Popen(
            [str(CLI), "up"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            _wait_ready(f"http://127.0.0.1:{port}", proc)
            time.sleep(SETTLE)  # let start-up work (migrations, first relay rounds) finish
            stat = Path(f"/proc/{proc.pid}/stat")
            threads_before, cpu_before, started = (
                _threads(proc.pid),
                _cpu_seconds(stat),
                time.monotonic(),
            )
            time.sleep(WINDOW)  # the idle window being measured: no traffic on purpose
            cpu, elapsed = _cpu_seconds(stat) - cpu_before, time.monotonic() - started
            threads_after = _threads(proc.pid)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
    busiest = sorted(
        ((name, after - threads_before.get(name, 0.0)) for name, after in threads_after.items()),
        key=lambda item: -item[1],
    )[:3]
    return {
        "core_percent": round(100 * cpu / elapsed, 2),
        "cpu_seconds": round(cpu, 2),
        "window_seconds": round(elapsed, 1),
        "busiest_threads": {name: round(100 * s / elapsed, 2) for name, s in busiest},
    }


def main() -> None:
    runs = int(os.environ.get("RUNS", "2"))
    print(f"idle burency up, {WINDOW:.0f} s window, fresh data directory, {runs} runs")
    results = [measure({}) for _ in range(runs)]
    write_result(
        "idle_cost",
        {
            "target_core_percent": "< 2",
            "before_fix_core_percent": "64-68 (commit 016c597, same machine)",
            "idle_core_percent_per_run": [r["core_percent"] for r in results],
            "runs": results,
        },
    )


if __name__ == "__main__":
    main()
