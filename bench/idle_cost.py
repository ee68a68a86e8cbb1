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
import time
from pathlib import Path

from _common import write_result
from _platform import cpu_seconds, running_platform

WINDOW = float(os.environ.get("IDLE_SECONDS", "30"))
SETTLE = 5.0


def _threads(pid: int) -> dict[str, float]:
    found: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            found[f"{name}[{task.name}]"] = cpu_seconds(task / "stat")
        except OSError:
            continue
    return found


def measure(extra_env: dict[str, str]) -> dict[str, object]:
    """Percent of one core used by an idle ``burency up`` over ``WINDOW`` seconds."""
    with running_platform(extra_env) as platform:
        time.sleep(SETTLE)  # let start-up work (migrations, first relay rounds) finish
        threads_before, cpu_before = _threads(platform.pid), platform.cpu_seconds()
        started = time.monotonic()
        time.sleep(WINDOW)  # the idle window being measured: no traffic on purpose
        cpu, elapsed = platform.cpu_seconds() - cpu_before, time.monotonic() - started
        threads_after = _threads(platform.pid)
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
