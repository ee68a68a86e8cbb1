"""Priming market data from the live engine, so the market-data sink needs no journal.

:func:`read_engine` runs on the engine's thread (``runner.query`` / ``attach_sink``):
between two batches it copies what the books are made of (every open order: resting
ones and waiting stops) and the seq they are as of, through the engine's read-only
queries.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine import Engine
from ..model import MarketSpec, OrderView

__all__ = ["EnginePrime", "read_engine"]


@dataclass(frozen=True, slots=True)
class EnginePrime:
    seq: int  # the last command the engine applied: the books are as of it
    markets: list[MarketSpec]
    orders: list[OrderView]  # every open order, by order id
    last_prices: dict[str, int]  # market -> last trade price (ticks; 0: none yet)


def read_engine(engine: Engine) -> EnginePrime:
    return EnginePrime(
        seq=engine.last_seq,
        markets=engine.markets(),
        orders=engine.all_open_orders(),
        last_prices=engine.last_prices(),
    )
