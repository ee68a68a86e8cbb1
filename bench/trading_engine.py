"""The pure trading engine on one core: a fixed seeded mixed workload (passive and crossing
limits, cancels, market orders, stops, amends, transfers) with risk checks, balances and
events on. Prints commands/s, CPU µs per command and p50/p99/p99.9 per command.

Targets (issue #15): >= 300,000 commands/s and p99 <= 50 µs (stretch 1,000,000/s).
Throughput is a plain loop over ``Engine.apply``; latency is a second run of the same
commands on a fresh engine with ``perf_counter_ns`` around every ``apply`` (that run is a
little slower: the timer itself costs ~0.1 µs a command).

Both builds of the same engine are measured, each in its own process, interleaved over
``BENCH_ROUNDS`` rounds (best round of each): the one ``make`` ships, compiled by mypyc
(``scripts/build_engine.py``), and the interpreted sources (``BURENCY_ENGINE=python``).
Both must reach the same state hash.
"""

from __future__ import annotations

import collections
import gc
import json
import os
import time

from _common import engine_build_child, per_engine_build, percentile, write_result

from burency_testing.trading_workload import workload
from burency_trading.domain.engine import Engine

SEED = 15
COUNT = int(os.environ.get("BENCH_TRADING_COMMANDS", "300000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))


def _throughput(commands: list, setup: int) -> tuple[float, float, int, int]:
    engine = Engine()
    apply = engine.apply
    for seq, command in enumerate(commands[:setup], 1):
        apply(command, seq, seq)
    events = 0
    gc.disable()
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        for seq, command in enumerate(commands[setup:], setup + 1):
            events += len(apply(command, seq, seq))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        gc.enable()
    return wall, cpu, events, engine.state_hash()


def _latencies(commands: list, setup: int) -> list[float]:
    engine = Engine()
    apply = engine.apply
    for seq, command in enumerate(commands[:setup], 1):
        apply(command, seq, seq)
    samples: list[float] = []
    add = samples.append
    now = time.perf_counter_ns
    gc.disable()
    try:
        for seq, command in enumerate(commands[setup:], setup + 1):
            started = now()
            apply(command, seq, seq)
            add((now() - started) / 1_000)
    finally:
        gc.enable()
    return samples


def _measure() -> dict[str, object]:
    """One build, in this process: throughput (best of 3 runs) and latencies."""
    from burency_trading.domain import _native  # noqa: PLC0415 - after BURENCY_ENGINE is set

    commands = workload(SEED, COUNT)
    setup = len(commands) - COUNT
    wall, cpu, events, state_hash = min(
        (_throughput(commands, setup) for _ in range(3)), key=lambda run: run[0]
    )
    samples = _latencies(commands, setup)
    return {
        "engine_build": _native.engine_build()["build"],
        "state_hash": state_hash,
        "events_per_command": round(events / COUNT, 2),
        "commands_per_s": round(COUNT / wall),
        "commands_per_cpu_s": round(COUNT / cpu),
        "cpu_us_per_command": round(cpu / COUNT * 1e6, 2),
        "p50_us": round(percentile(samples, 50), 2),
        "p99_us": round(percentile(samples, 99), 2),
        "p99_9_us": round(percentile(samples, 99.9), 2),
        "max_us": round(max(samples), 1),
    }


def main() -> None:
    if engine_build_child():
        print(json.dumps(_measure()))  # read by the parent
        return
    commands = workload(SEED, COUNT)
    mix = collections.Counter(
        type(c).__name__ + (f":{c.type.value}" if hasattr(c, "type") else "")
        for c in commands[len(commands) - COUNT :]
    )
    runs = per_engine_build(__file__, ROUNDS)
    best = {build: max(found, key=lambda f: f["commands_per_s"]) for build, found in runs.items()}
    hashes = {f.pop("state_hash") for found in runs.values() for f in found}
    if len(hashes) != 1:
        raise SystemExit(f"the builds reached different states: {hashes}")
    figures: dict[str, object] = {
        "commands": COUNT,
        "seed": SEED,
        "rounds": ROUNDS,
        "mix": dict(sorted(mix.items())),
        "same_state_hash": True,
    }
    for build, found in best.items():
        figures.update({f"{build}_{key}": value for key, value in found.items()})
    figures["compiled_speedup"] = round(
        best["compiled"]["commands_per_cpu_s"] / best["interpreted"]["commands_per_cpu_s"], 2
    )
    figures["target"] = ">= 300,000 commands/s, p99 <= 50 us"
    write_result("trading_engine", figures)


if __name__ == "__main__":
    main()
