"""Priming market data from the live engine, so the market-data sink needs no journal.

:func:`read_engine` runs on the engine's thread (``runner.query`` / ``attach_sink``):
between two batches it copies what the books are made of (every open order: resting
ones and waiting stops) and the seq they are as of. The engine has no public query for
"every open order of every user", so this reads its state directly, read-only, like its
own queries do.
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
    state = engine._st  # read-only, on the engine thread
    return EnginePrime(
        seq=engine.last_seq,
        markets=engine.markets(),
        orders=[state.orders[oid].view() for oid in sorted(state.orders)],
        last_prices={symbol: m.last_price for symbol, m in state.markets.items()},
    )
