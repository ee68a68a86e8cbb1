"""Login throttling decisions (pure).

Two limits over a sliding window (15 minutes by default):

* per (account, client IP): after ``max_per_ip`` failures the next attempt from that
  IP is refused *before* the password is checked. Keyed by IP so an attacker cannot
  lock the real user out: the right password from another address still works.
* per account across all IPs (``max_per_account``, e.g. 50): slows a distributed
  guessing campaign. An IP that signed in to this account successfully within the
  last ``known_ip_days`` is exempt, so the owner's usual address keeps working.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["FailureCounts", "throttle_retry_after"]


@dataclass(frozen=True)
class FailureCounts:
    """Failed attempts within the window, and when the oldest of each count happened."""

    from_ip: int
    oldest_from_ip: datetime | None
    total: int
    oldest_total: datetime | None
    known_ip: bool


def _retry_after(oldest: datetime | None, *, now: datetime, window: timedelta) -> int:
    if oldest is None:
        return 1
    return max(1, math.ceil((oldest + window - now).total_seconds()))


def throttle_retry_after(
    counts: FailureCounts,
    *,
    now: datetime,
    window: timedelta,
    max_per_ip: int,
    max_per_account: int,
) -> int | None:
    """Seconds the client must wait, or ``None`` when the attempt may proceed."""
    if counts.from_ip >= max_per_ip:
        return _retry_after(counts.oldest_from_ip, now=now, window=window)
    if counts.total >= max_per_account and not counts.known_ip:
        return _retry_after(counts.oldest_total, now=now, window=window)
    return None
