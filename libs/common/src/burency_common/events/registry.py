"""One registry of event payload schemas, shared by every service.

Schemas are keyed by ``(type, version)``. Within a version only additive changes are
allowed (new optional fields); a breaking change is a new version registered beside
the old one, so consumers can migrate at their own pace.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import BaseModel, ValidationError

from burency_common.errors import EventSchemaError
from burency_common.events.envelope import EventEnvelope

__all__ = ["EventRegistry", "EventSchema"]


@dataclass(frozen=True)
class EventSchema:
    """A registered event: its type, version, payload model and the aggregate it is keyed by."""

    name: str
    version: int
    payload: type[BaseModel]
    key_field: str
    description: str = ""


@dataclass
class EventRegistry:
    """Lookup of payload models by ``(type, version)``; built by :func:`default_registry`."""

    _schemas: dict[tuple[str, int], EventSchema] = field(default_factory=dict)

    def register(self, schema: EventSchema) -> None:
        """Add a schema; registering the same ``(type, version)`` twice is a programming error."""
        ident = (schema.name, schema.version)
        if ident in self._schemas:
            raise ValueError(f"event schema {schema.name} v{schema.version} registered twice")
        if schema.key_field not in schema.payload.model_fields:
            raise ValueError(f"{schema.name}: key field {schema.key_field!r} not in payload")
        self._schemas[ident] = schema

    def get(self, event_type: str, version: int = 1) -> EventSchema:
        """Return the schema or raise :class:`EventSchemaError` (``UNKNOWN_EVENT_TYPE``)."""
        try:
            return self._schemas[(event_type, version)]
        except KeyError:
            raise EventSchemaError(
                f"unknown event type {event_type!r} version {version}",
                code="UNKNOWN_EVENT_TYPE",
            ) from None

    def __contains__(self, ident: object) -> bool:
        return ident in self._schemas

    def __iter__(self) -> Iterator[EventSchema]:
        return iter(sorted(self._schemas.values(), key=lambda s: (s.name, s.version)))

    def parse_payload(self, envelope: EventEnvelope) -> BaseModel:
        """Validate an envelope's payload against its registered schema."""
        schema = self.get(envelope.type, envelope.version)
        try:
            return schema.payload.model_validate(envelope.payload)
        except ValidationError as exc:
            raise EventSchemaError(
                f"{envelope.type} v{envelope.version} payload invalid: "
                f"{exc.error_count()} error(s)",
                code="INVALID_EVENT_PAYLOAD",
                details=[
                    {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                    for e in exc.errors()
                ],
            ) from None

    def build(
        self,
        payload: BaseModel,
        *,
        event_type: str,
        producer: str,
        version: int = 1,
        **envelope_fields: object,
    ) -> EventEnvelope:
        """Make an envelope for ``payload``, keyed by the schema's aggregate field."""
        schema = self.get(event_type, version)
        if not isinstance(payload, schema.payload):
            raise TypeError(f"{event_type} expects {schema.payload.__name__}")
        data = payload.model_dump(mode="json")
        return EventEnvelope.model_validate(
            {
                "type": event_type,
                "version": version,
                "producer": producer,
                "key": str(data[schema.key_field]),
                "payload": data,
                **envelope_fields,
            }
        )
