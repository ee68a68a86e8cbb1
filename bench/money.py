"""Throughput of strict amount parsing and formatting (on every API request with money)."""

from __future__ import annotations

import time

from _common import write_result

from burency_common.money import format_amount, parse_amount

N = 200_000


def main() -> None:
    texts = [f"{i}.{i % 100_000_000:08d}" for i in range(N)]
    started = time.perf_counter()
    values = [parse_amount(t, 8) for t in texts]
    parse_s = time.perf_counter() - started
    started = time.perf_counter()
    for v in values:
        format_amount(v, 8)
    format_s = time.perf_counter() - started
    write_result(
        "money",
        {
            "parse_amount_per_s": round(N / parse_s),
            "format_amount_per_s": round(N / format_s),
        },
    )


if __name__ == "__main__":
    main()
