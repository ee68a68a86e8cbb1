"""Tables the service writes itself, beside the engine's projection (created by 0002).

* ``funding_answers`` — banking's answer to each trading → funding transfer
  (``COMPLETED`` or ``FAILED``), recorded by the saga's consumer. A transfer-out the
  engine applied that has no answer here after a while is requested again
  (:mod:`burency_trading.adapters.funding_resend`): the request may have been
  dead-lettered by banking, and the user's money must not stay in between.
* ``trading_audit`` — one row per staff action (who, what, which object, details).
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, String, Table

from burency_common.db import UtcDateTime
from burency_trading.adapters.orm import metadata

__all__ = ["funding_answers", "trading_audit"]

funding_answers = Table(
    "funding_answers",
    metadata,
    Column("transfer_id", String(128), primary_key=True),
    Column("outcome", String(16), nullable=False),  # COMPLETED | FAILED
    Column("answered_at", UtcDateTime(), nullable=False),
)

trading_audit = Table(
    "trading_audit",
    metadata,
    Column("id", String(36), primary_key=True),  # UUIDv7: sorts by time
    Column("actor_id", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", String(128), nullable=False),
    Column("details", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)
Index("ix_trading_audit_target", trading_audit.c.target, trading_audit.c.id)
