"""The event envelope every Burency event travels in, on Kafka and on the in-process bus.

An envelope carries routing and tracing metadata around a typed payload. The
payload schema is looked up in the shared registry (``burency_common.events.registry``)
by ``type`` and ``version``; producers and consumers therefore agree on one schema
without importing each other's code.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator

from burency_common.ids import new_id
from burency_common.timeutil import parse_iso, to_iso_ms, utc_now

__all__ = ["EventEnvelope", "TraceContext"]


class TraceContext(BaseModel):
    """What lets an operator follow one user action across services."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    request_id: str | None = None
    causation_id: str | None = None
    correlation_id: str | None = None


class EventEnvelope(BaseModel):
    """One event: ``type`` names it (``user.registered``), ``key`` orders it (aggregate id).

    ``id`` is the idempotency key consumers record in their inbox, so a redelivered
    envelope must keep its id: never rebuild an envelope when re-publishing.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(default_factory=new_id)
    type: str = Field(min_length=1, max_length=200)
    version: int = Field(default=1, ge=1)
    occurred_at: datetime = Field(default_factory=utc_now)
    producer: str = Field(min_length=1, max_length=100)
    key: str = Field(min_length=1, max_length=200)
    payload: dict[str, Any] = Field(default_factory=dict)
    trace: TraceContext = Field(default_factory=TraceContext)

    @field_validator("occurred_at", mode="before")
    @classmethod
    def _parse_time(cls, value: object) -> object:
        return parse_iso(value) if isinstance(value, str) else value

    @field_serializer("occurred_at")
    def _serialize_time(self, value: datetime) -> str:
        return to_iso_ms(value)

    def to_bytes(self) -> bytes:
        """Serialize for the wire (compact UTF-8 JSON)."""
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> EventEnvelope:
        """Parse a wire message; raises ``pydantic.ValidationError`` on a malformed one."""
        return cls.model_validate(json.loads(raw))
