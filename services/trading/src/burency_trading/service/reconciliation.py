"""Reconciliation of the trading wallets: per asset, users + fees == net transferred.

The engine keeps that equality by construction (every fill moves money between two
users and the fee account; only transfers bring money in or out), so a difference
means money was created or lost: the projection is behind, or something is wrong.
Banking compares the net transferred with its ``trading_clearing`` account over the
internal API (``GET /internal/v1/positions``), which closes the loop across services:
funding balances + trading balances + fees = deposits - withdrawals.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

__all__ = ["Position", "Positions", "PositionsReader"]


@dataclass(frozen=True)
class Position:
    """One asset's totals in minor units."""

    users: int
    fees: int
    net_transferred: int

    @property
    def balanced(self) -> bool:
        return self.users + self.fees == self.net_transferred


@dataclass(frozen=True)
class Positions:
    seq: int  # the projection's last applied journal seq (what the totals include)
    assets: dict[str, Position]


PositionsReader = Callable[[], Awaitable[Positions]]
