"""``Idempotency-Key`` handling for every POST that moves money (shared by all flows):
banking's use of the shared store (:mod:`burency_common.idempotency`), which stores
answers and returns them as data (an :class:`Answer`). The HTTP side (the header
dependency, the response with ``Idempotent-Replayed``) is
:mod:`burency_banking.entrypoints.http.idempotency`.

Usage in a route (the flows reuse exactly this)::

    from burency_banking.entrypoints.http.idempotency import IdempotencyKey, idempotent

    @router.post("/v1/things", status_code=201, response_model=ThingOut)
    async def create(body: ThingIn, key: IdempotencyKey, ctx: Ctx, who: CurrentIdentity):
        async def action(db: AsyncConnection) -> ThingOut:
            ...  # the effect, in the transaction ``db``
        return await idempotent(ctx, key, user_id=who.user_id, scope="things.create",
                                request=body, action=action, status_code=201)

Rules (the shared store's): a missing header is ``400 IDEMPOTENCY_KEY_REQUIRED``, a
malformed one ``400 INVALID_IDEMPOTENCY_KEY``. Keys are per user and per ``scope`` (the
operation). The key is claimed *first* in the transaction of the effect and the
response stored in it, so they commit together: the same key and body later returns the
stored response (with ``Idempotent-Replayed: true``); the same key with another body is
``409 IDEMPOTENCY_CONFLICT``. On PostgreSQL a concurrent duplicate waits on the claimed
row and then gets the stored response. A request that fails (4xx) stores nothing: its
transaction rolled back, so the key may be retried.

Answers are kept ``BURENCY_IDEMPOTENCY_KEY_RETENTION_HOURS`` (7 days by default; a
background loop deletes older ones), after which the key is free again, as with
payment APIs' keys. Money stays safe past that for transfers: internal and trading
transfers derive their ledger transfer id from (user, key) (``stable_event_id`` in
``service.transfers`` and ``service.saga``), so one resent after the window finds its
original ledger movement instead of moving the money twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from burency_banking.adapters.orm import idempotency_keys
from burency_banking.service.context import BankingContext
from burency_common.idempotency import Answer, derived_id, run_idempotent
from burency_common.logging import get_logger

__all__ = [
    "Answer",
    "answered",
    "derived_id",
    "idempotent",
    "purge_expired",
    "run_purge_loop",
]

_log = get_logger("burency.banking")


async def idempotent(
    ctx: BankingContext,
    key: str,
    *,
    user_id: str,
    scope: str,
    request: BaseModel | Mapping[str, Any],
    action: Callable[[AsyncConnection], Awaitable[BaseModel]],
    status_code: int = 201,
    replay_only: bool = False,
) -> Answer:
    """Run ``action`` once per (user, scope, key); see the module docstring.

    ``replay_only``: the caller skipped a check (the 2FA code) because the key had an
    answer; if the purge removed that answer meanwhile, nothing runs and the client is
    told to send a fresh request (409 ``IDEMPOTENCY_KEY_EXPIRED``)."""
    return await run_idempotent(
        ctx.idempotency, ctx.transaction, key=key, user_id=user_id, scope=scope,
        request=request, action=action, now=ctx.clock.now(), status_code=status_code,
        replay_only=replay_only,
    )  # fmt: skip


async def answered(ctx: BankingContext, *, user_id: str, scope: str, key: str) -> bool:
    """Has (user, scope, key) a stored answer? A request that has one may only replay it
    (withdrawals skip their 2FA check then: the code was spent by the first attempt)."""
    c = idempotency_keys.c
    async with ctx.engine.connect() as db:
        found = await db.scalar(
            select(c.status_code).where(c.user_id == user_id, c.scope == scope, c.key == key)
        )
    return found is not None


async def purge_expired(ctx: BankingContext, *, before: datetime, batch: int = 1000) -> int:
    """Delete stored answers created before ``before``, ``batch`` rows per transaction
    (short transactions: placing requests keep going); returns how many went."""
    return await ctx.idempotency.purge(ctx.transaction, before=before, batch=batch)


async def run_purge_loop(ctx: BankingContext, stop: asyncio.Event) -> None:
    """Background loop: purge answers older than the retention, then wait."""
    retention = timedelta(hours=ctx.settings.idempotency_key_retention_hours)
    while not stop.is_set():
        try:
            removed = await purge_expired(ctx, before=ctx.clock.now() - retention)
            if removed:
                _log.info("banking.idempotency_keys_purged", count=removed)
        except Exception:  # the next pass retries; placing requests are unaffected
            _log.exception("banking.idempotency_purge_failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), ctx.settings.idempotency_purge_seconds)
