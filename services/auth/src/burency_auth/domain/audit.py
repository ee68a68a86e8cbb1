"""An entry of the audit log: who did what to whom, from where (pure data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["AuditRecord"]


@dataclass(frozen=True)
class AuditRecord:
    id: str
    actor_id: str | None
    action: str
    target: str | None
    details: dict[str, Any]
    ip: str | None
    request_id: str | None
    at: datetime
