"""Helpers shared by the benchmarks: timing, percentiles and writing results."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def write_result(name: str, figures: dict[str, Any]) -> None:
    """Print the figures and store them with the machine they were measured on."""
    record = {
        "benchmark": name,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"python": platform.python_version(), "cpu": platform.processor() or "?"},
        "figures": figures,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(record, indent=2) + "\n")
    for key, value in figures.items():
        print(f"  {key:<32} {value}")


ENGINE_BUILDS = ("compiled", "interpreted")
_CHILD = "BENCH_ENGINE_CHILD"


def engine_build_child() -> str | None:
    """In a child run by :func:`per_engine_build`: the build it measures; else None."""
    return os.environ.get(_CHILD)


def per_engine_build(script: str, rounds: int) -> dict[str, list[dict[str, Any]]]:
    """Run ``script`` once per round and engine build (compiled by ``make``, and the
    interpreted sources with ``BURENCY_ENGINE=python``), interleaved so both see the
    same machine load; each child prints its figures as one JSON line last. Fails when
    the compiled build is missing or stale (``make engine`` builds it)."""
    runs: dict[str, list[dict[str, Any]]] = {build: [] for build in ENGINE_BUILDS}
    for _ in range(rounds):
        for build in ENGINE_BUILDS:
            env = {**os.environ, _CHILD: build,
                   "BURENCY_ENGINE": "python" if build == "interpreted" else ""}  # fmt: skip
            out = subprocess.run([sys.executable, script], env=env, check=True,
                                 capture_output=True, text=True).stdout  # fmt: skip
            figures = json.loads(out.strip().splitlines()[-1])
            if figures.pop("engine_build") != build:
                raise SystemExit(f"{build} engine not loaded: run `make engine` first")
            runs[build].append(figures)
    return runs
