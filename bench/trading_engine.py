"""The pure trading engine on one core: a fixed seeded mixed workload (passive and crossing
limits, cancels, market orders, stops, amends, transfers) with risk checks, balances and
events on. Prints commands/s, CPU µs per command and p50/p99/p99.9 per command.

Targets (issue #15): >= 300,000 commands/s and p99 <= 50 µs (stretch 1,000,000/s).
Throughput is a plain loop over ``Engine.apply``; latency is a second run of the same
commands on a fresh engine with ``perf_counter_ns`` around every ``apply`` (that run is a
little slower: the timer itself costs ~0.1 µs a command).
"""

from __future__ import annotations

import collections
import gc
import os
import time

from _common import percentile, write_result

from burency_testing.trading_workload import workload
from burency_trading.domain.engine import Engine

SEED = 15
COUNT = int(os.environ.get("BENCH_TRADING_COMMANDS", "300000"))


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
    return wall, cpu, events, engine.state_hash().count("0")


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


def main() -> None:
    commands = workload(SEED, COUNT)
    setup = len(commands) - COUNT
    mix = collections.Counter(
        type(c).__name__ + (f":{c.type.value}" if hasattr(c, "type") else "")
        for c in commands[setup:]
    )
    wall, cpu, events, _ = min(
        (_throughput(commands, setup) for _ in range(3)), key=lambda run: run[0]
    )
    samples = _latencies(commands, setup)
    write_result(
        "trading_engine",
        {
            "commands": COUNT,
            "seed": SEED,
            "mix": dict(sorted(mix.items())),
            "events_per_command": round(events / COUNT, 2),
            "commands_per_s": round(COUNT / wall),
            "commands_per_cpu_s": round(COUNT / cpu),
            "cpu_us_per_command": round(cpu / COUNT * 1e6, 2),
            "p50_us": round(percentile(samples, 50), 2),
            "p99_us": round(percentile(samples, 99), 2),
            "p99_9_us": round(percentile(samples, 99.9), 2),
            "max_us": round(max(samples), 1),
            "target": ">= 300,000 commands/s, p99 <= 50 us",
        },
    )


if __name__ == "__main__":
    main()
