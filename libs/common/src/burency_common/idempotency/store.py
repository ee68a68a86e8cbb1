"""Idempotency-key storage: each (user, scope, key) has its effect once.

The key is claimed *first* in the transaction of the effect and the answer stored in the
same transaction, so they commit together: the same key and request later gets the stored
answer (``replayed``); the same key with another request is ``409 IDEMPOTENCY_CONFLICT``.
On PostgreSQL a concurrent duplicate waits on the claimed row and then gets the stored
answer. A request that fails stores nothing: its transaction rolled back, so the key may
be retried. Stored answers are purged after a retention (:meth:`IdempotencyStore.purge`),
after which the key is free again; ``IDEMPOTENCY_KEY_EXPIRED`` (409) tells a client whose
answer went meanwhile to send the request again with a fresh key.

No web code here: the HTTP side (the header, the replayed response) is
:mod:`burency_common.idempotency.http`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import (
    JSON,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    select,
    tuple_,
    update,
)

from burency_common.db import UtcDateTime, insert_ignore
from burency_common.errors import Conflict, IdempotencyConflict
from burency_common.outbox.writer import UnitOfWork

__all__ = [
    "Answer",
    "IdempotencyStore",
    "StoredAnswer",
    "derived_id",
    "idempotency_keys_table",
    "request_hash",
    "run_idempotent",
]

Transaction = Callable[[], AbstractAsyncContextManager[Any]]
"""A service's unit of work factory (``ctx.transaction``)."""


def idempotency_keys_table(metadata: MetaData, name: str = "idempotency_keys") -> Table:
    """The table of claimed keys and their stored answers (banking's schema)."""
    table = Table(
        name,
        metadata,
        Column("user_id", String(64), primary_key=True),
        Column("scope", String(64), primary_key=True),
        Column("key", String(128), primary_key=True),
        Column("request_hash", String(64), nullable=False),
        Column("status_code", Integer, nullable=True),
        Column("response", JSON, nullable=True),
        Column("created_at", UtcDateTime(), nullable=False),
    )
    Index(f"ix_{name}_created_at", table.c.created_at)
    return table


def derived_id(*parts: str) -> str:
    """A stable id (64 hex chars) for the effect of (user, scope, key), e.g. a ledger
    transfer id: the same request always maps to the same movement."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def request_hash(request: BaseModel | Mapping[str, Any]) -> str:
    """The fingerprint of a request body (canonical JSON, SHA-256)."""
    data = request.model_dump(mode="json") if isinstance(request, BaseModel) else dict(request)
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class StoredAnswer:
    """The answer given the first time: replay it as it was."""

    status_code: int
    body: Any


@dataclass(frozen=True)
class Answer:
    """What :func:`run_idempotent` answers: ``replayed`` when it comes from the store."""

    status_code: int
    body: Any
    replayed: bool = False


def _expired() -> Conflict:
    return Conflict(
        "this Idempotency-Key's answer has expired: send the request again with a new key",
        code="IDEMPOTENCY_KEY_EXPIRED",
    )


class IdempotencyStore:
    """Claims, answers and purges keys in one service's table."""

    def __init__(self, table: Table) -> None:
        self.table = table

    async def claim(
        self, db: UnitOfWork, *, user_id: str, scope: str, key: str, digest: str, now: datetime
    ) -> StoredAnswer | None:
        """Claim the key (None), or the stored answer of an earlier identical request."""
        values = {"user_id": user_id, "scope": scope, "key": key}
        if await insert_ignore(
            db, self.table, {**values, "request_hash": digest, "created_at": now}
        ):
            return None
        c = self.table.c
        row = (
            await db.execute(
                select(c.request_hash, c.status_code, c.response).where(
                    c.user_id == user_id, c.scope == scope, c.key == key
                )
            )
        ).first()
        if row is None:  # purged between the insert's conflict and this read
            raise Conflict(
                "this Idempotency-Key is being reused: retry", code="IDEMPOTENCY_KEY_EXPIRED"
            )
        if row.request_hash != digest or row.status_code is None:
            raise IdempotencyConflict(
                "this Idempotency-Key was used with a different request",
                code="IDEMPOTENCY_CONFLICT",
            )
        return StoredAnswer(status_code=row.status_code, body=row.response)

    async def record(
        self, db: UnitOfWork, *, user_id: str, scope: str, key: str, answer: StoredAnswer
    ) -> None:
        """Store the answer of a claimed key (in the transaction that claimed it)."""
        c = self.table.c
        await db.execute(
            update(self.table)
            .where(c.user_id == user_id, c.scope == scope, c.key == key)
            .values(status_code=answer.status_code, response=answer.body)
        )

    async def purge(self, transaction: Transaction, *, before: datetime, batch: int = 1000) -> int:
        """Delete answers created before ``before``, ``batch`` rows per transaction (short
        transactions: requests keep going); returns how many went."""
        c = self.table.c
        removed = 0
        while True:
            oldest = select(c.user_id, c.scope, c.key).where(c.created_at < before).limit(batch)
            async with transaction() as db:
                result = await db.execute(
                    delete(self.table).where(tuple_(c.user_id, c.scope, c.key).in_(oldest))
                )
            count = int(getattr(result, "rowcount", 0) or 0)
            removed += count
            if count < batch:
                return removed


async def run_idempotent(
    store: IdempotencyStore,
    transaction: Transaction,
    *,
    key: str,
    user_id: str,
    scope: str,
    request: BaseModel | Mapping[str, Any],
    action: Callable[[Any], Awaitable[BaseModel]],
    now: datetime,
    status_code: int = 201,
    replay_only: bool = False,
) -> Answer:
    """Run ``action(db)`` once per (user, scope, key) and return its answer as data.

    ``replay_only``: the caller skipped a check (a 2FA code) because the key had an
    answer; if the purge removed that answer meanwhile, nothing runs and the client is
    told to send a fresh request (409 ``IDEMPOTENCY_KEY_EXPIRED``).
    """
    digest = request_hash(request)
    async with transaction() as db:
        stored = await store.claim(
            db, user_id=user_id, scope=scope, key=key, digest=digest, now=now
        )
        if stored is not None:
            return Answer(stored.status_code, stored.body, replayed=True)
        if replay_only:
            raise _expired()
        body = (await action(db)).model_dump(mode="json", by_alias=True)
        answer = StoredAnswer(status_code=status_code, body=body)
        await store.record(db, user_id=user_id, scope=scope, key=key, answer=answer)
    return Answer(status_code, body)
