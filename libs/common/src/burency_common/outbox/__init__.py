"""Transactional outbox and inbox.

A service writes its state change and the events announcing it in one transaction
(:func:`add_to_outbox`); :class:`OutboxRelay` publishes committed rows at least once;
a consumer calls :func:`claim_in_inbox` first in its own transaction so that a
redelivered event has no second effect. Together: exactly-once *effects* over an
at-least-once bus.
"""

from burency_common.outbox.emitter import Outbox, stable_event_id
from burency_common.outbox.relay import OutboxRelay
from burency_common.outbox.runner import BackgroundLoop, OutboxRelayRunner
from burency_common.outbox.tables import create_outbox_tables, drop_outbox_tables, outbox_tables
from burency_common.outbox.writer import add_to_outbox, claim_in_inbox

__all__ = [
    "BackgroundLoop",
    "Outbox",
    "OutboxRelay",
    "OutboxRelayRunner",
    "add_to_outbox",
    "claim_in_inbox",
    "create_outbox_tables",
    "drop_outbox_tables",
    "outbox_tables",
    "stable_event_id",
]
