"""``Idempotency-Key``: the service side (:mod:`.store`: claim, answer, replay, purge)
apart from the entrypoint side (:mod:`.http`: the header dependency and the replayed
response). Import the HTTP half only from entrypoints; the store imports no web code.
"""

from burency_common.idempotency.store import (
    Answer,
    IdempotencyStore,
    StoredAnswer,
    derived_id,
    idempotency_keys_table,
    request_hash,
    run_idempotent,
)

__all__ = [
    "Answer",
    "IdempotencyStore",
    "StoredAnswer",
    "derived_id",
    "idempotency_keys_table",
    "request_hash",
    "run_idempotent",
]
