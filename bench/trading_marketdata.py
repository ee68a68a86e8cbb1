"""Market data per engine result (#16): CPU µs per result the market-data state spends
on the seeded engine workload (books from events, two depth-diff streams, trades,
candles, tickers), without and with the private per-user messages, plus one 100 ms
tick's flush cost. Single thread, ``time.process_time`` (the 2-core box is shared:
CPU time is the steadier figure). Median of REPEAT runs.

    .venv/bin/python bench/trading_marketdata.py [COMMANDS]
"""

from __future__ import annotations

import statistics
import sys
import time

from _common import write_result

from burency_testing.trading_workload import workload
from burency_trading.domain.engine import Engine
from burency_trading.service.marketdata.state import MarketData
from burency_trading.service.ports import CommandResult

SEED = 16
REPEAT = 3
CHUNK = 1_000  # results per handle() call, as the runner batches them
TICK = 10_000  # results between two flushes (a busy 100 ms tick)


def _results(count: int) -> list[CommandResult]:
    engine = Engine()
    out = []
    for seq, command in enumerate(workload(SEED, count), start=1):
        ts = 1_700_000_000_000_000 + seq * 100
        out.append(CommandResult(seq, ts, command, engine.apply(command, seq, ts)))
    return out


def _run(results: list[CommandResult], private: bool) -> tuple[float, float]:
    data = MarketData(private=private)
    flush = 0.0
    started = time.process_time()
    for i in range(0, len(results), CHUNK):
        data.apply(results[i : i + CHUNK], 0)
        if (i + CHUNK) % TICK == 0:
            t = time.process_time()
            data.take_fast(0)
            data.take_slow(0)
            flush += time.process_time() - t
    total = time.process_time() - started
    return total / len(results) * 1e6, flush / max(1, len(results) // TICK) * 1e3


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    results = _results(count)
    figures: dict[str, object] = {"results": len(results)}
    for private in (False, True):
        runs = [_run(results, private) for _ in range(REPEAT)]
        us = statistics.median(r[0] for r in runs)
        tick_ms = statistics.median(r[1] for r in runs)
        label = "with_private" if private else "public_only"
        figures[f"{label}_cpu_us_per_result"] = round(us, 2)
        figures[f"{label}_results_per_cpu_second"] = round(1e6 / us)
        figures[f"{label}_flush_ms_per_{TICK}_results"] = round(tick_ms, 2)
    write_result("trading_marketdata", figures)


if __name__ == "__main__":
    main()
