"""The refresh-token family state machine (pure).

A login session is a *family*. Each refresh rotates: the presented token is marked
rotated and a successor is issued. What a presented token leads to::

    session revoked ....................... REVOKED  (401 REFRESH_TOKEN_REVOKED)
    absolute lifetime or idle timeout over  EXPIRED  (401 REFRESH_TOKEN_EXPIRED)
    not rotated yet ....................... ROTATE   (new pair)
    rotated < grace ago, successor unused . REPLAY   (the SAME new pair again: two tabs
                                                      refreshing at once both succeed)
    rotated otherwise ..................... REUSED   (a copy is in someone else's hands:
                                                      revoke the family, 401 REFRESH_TOKEN_REUSED)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

__all__ = ["RefreshOutcome", "RefreshState", "decide_refresh"]


class RefreshOutcome(StrEnum):
    ROTATE = "ROTATE"
    REPLAY = "REPLAY"
    REUSED = "REUSED"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"


@dataclass(frozen=True)
class RefreshState:
    """What the decision needs to know about a presented token and its session."""

    session_expires_at: datetime
    session_last_used_at: datetime
    session_revoked: bool
    rotated_at: datetime | None
    successor_available: bool


def decide_refresh(
    state: RefreshState, *, now: datetime, idle_timeout: timedelta, grace: timedelta
) -> RefreshOutcome:
    """Classify a refresh attempt; see the module docstring."""
    if state.session_revoked:
        return RefreshOutcome.REVOKED
    if now >= state.session_expires_at or now - state.session_last_used_at >= idle_timeout:
        return RefreshOutcome.EXPIRED
    if state.rotated_at is None:
        return RefreshOutcome.ROTATE
    if state.successor_available and now - state.rotated_at <= grace:
        return RefreshOutcome.REPLAY
    return RefreshOutcome.REUSED
