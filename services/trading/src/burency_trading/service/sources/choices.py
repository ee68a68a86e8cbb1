"""The source names an operator can pick for a market (the admin source switch).

A name is ``"simulated"`` or ``"ccxt:<exchange id>"``; the offer is the simulated venue,
every source the deployment configured (``BURENCY_MARKETDATA_SOURCE`` and the per-market
``BURENCY_MARKETDATA_SOURCES``) and every source a market uses now (after a switch), each
with the markets on it. Another ccxt id can still be typed: the switch builds it or
answers 422.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from burency_trading.service.sources.supervisor import MarketSourceStatus

__all__ = ["SourceChoice", "source_choices"]

SIMULATED = "simulated"


@dataclass(frozen=True, slots=True)
class SourceChoice:
    name: str
    markets: tuple[str, ...]  # the markets that use it now (sorted)
    configured: bool  # named by the deployment's settings (or the simulated venue)


def source_choices(
    *, default: str, per_market: Iterable[str], status: Iterable[MarketSourceStatus]
) -> list[SourceChoice]:
    """Every selectable name once, sorted, with the markets on it now."""
    configured = {SIMULATED, default, *per_market}
    using: dict[str, list[str]] = {}
    for row in status:
        using.setdefault(row.source, []).append(row.symbol)
    return [
        SourceChoice(name, tuple(sorted(using.get(name, ()))), name in configured)
        for name in sorted(configured | set(using))
    ]
