"""Ledger throughput before and after a change, in the same run, printed side by side.

The shared machine's throughput swings by a quarter from minute to minute, so two
benchmark runs made at different times cannot say whether a change made the ledger
slower. This one checks out the ``before`` revision in a git worktree
(``var/bench-worktrees/<rev>``, with its own virtual environment from ``make sync``)
and alternates the two trees, round after round, running each tree's own
``bench/banking_transfers.py`` configuration in a fresh process: host noise lands on
both sides alike, and the mean of the rounds is compared.

    .venv/bin/python bench/banking_ab.py            # before = 016c597 (ahead of issue #14)
    BENCH_AB_BEFORE=<rev> BENCH_AB_ROUNDS=5 BENCH_AB_CONFIG=postgres_2proc ...

``BENCH_AB_CONFIG`` is ``postgres_1proc``, ``postgres_2proc`` (default) or ``sqlite``;
``BENCH_SECONDS`` (default 6) is each run's measuring time. Needs PostgreSQL
(``source var/infra.env``).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
from pathlib import Path

from _common import write_result

ROOT = Path(__file__).resolve().parent.parent
BEFORE = os.environ.get("BENCH_AB_BEFORE", "016c597")
ROUNDS = int(os.environ.get("BENCH_AB_ROUNDS", "5"))
CONFIG = os.environ.get("BENCH_AB_CONFIG", "postgres_2proc")

# Runs inside either tree with that tree's interpreter: both revisions' banking_transfers
# have _load_infra_env, _postgres(processes) and _sqlite().
_ONE_RUN = """
import asyncio, json, sys
sys.path.insert(0, "bench")
import banking_transfers as bt
bt._load_infra_env()
config = sys.argv[1]
run = bt._sqlite() if config == "sqlite" else bt._postgres(int(config[len("postgres_")]))
print("AB-RESULT " + json.dumps(asyncio.run(run)))
"""


def _worktree(rev: str) -> Path:
    """A checked-out, synced tree of ``rev`` (kept between runs: syncing takes a while)."""
    sha = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip()  # fmt: skip
    tree = ROOT / "var/bench-worktrees" / sha
    if not (tree / ".venv/bin/python").exists():
        if not tree.exists():
            subprocess.run(["git", "worktree", "add", "--detach", str(tree), sha], cwd=ROOT,
                           check=True, capture_output=True)  # fmt: skip
        subprocess.run(["make", "sync"], cwd=tree, check=True, capture_output=True)
    return tree


def _one_run(tree: Path) -> dict[str, float]:
    env = {**os.environ, "BENCH_SECONDS": os.environ.get("BENCH_SECONDS", "6")}
    done = subprocess.run([str(tree / ".venv/bin/python"), "-c", _ONE_RUN, CONFIG], cwd=tree,
                          env=env, check=True, capture_output=True, text=True)  # fmt: skip
    line = next(x for x in done.stdout.splitlines() if x.startswith("AB-RESULT "))
    figures: dict[str, float] = json.loads(line.removeprefix("AB-RESULT "))
    return figures


def main() -> None:
    trees = {"before": _worktree(BEFORE), "after": ROOT}
    runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    for round_ in range(1, ROUNDS + 1):
        for side, tree in trees.items():
            figures = _one_run(tree)
            runs[side].append(figures)
            print(f"round {round_} {side:<6} {figures['transfers_per_s']:>6} transfers/s  "
                  f"{figures['python_cpu_us_per_transfer']:>4} µs Python CPU/transfer")  # fmt: skip
    result: dict[str, object] = {"before_rev": BEFORE, "config": CONFIG, "rounds": ROUNDS}
    for side, side_runs in runs.items():
        rates = [r["transfers_per_s"] for r in side_runs]
        cpu = [r["python_cpu_us_per_transfer"] for r in side_runs]
        result[f"{side}_transfers_per_s_runs"] = rates
        result[f"{side}_transfers_per_s_mean"] = round(statistics.mean(rates))
        result[f"{side}_python_cpu_us_per_transfer_mean"] = round(statistics.mean(cpu))
    ratio = result["after_transfers_per_s_mean"] / result["before_transfers_per_s_mean"]  # type: ignore[operator]
    result["after_over_before"] = round(ratio, 3)
    write_result(f"banking_ab_{CONFIG}", result)


if __name__ == "__main__":
    main()
