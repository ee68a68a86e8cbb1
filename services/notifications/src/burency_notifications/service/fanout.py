"""The fan-out worker of mass announcements: resumable from persisted state.

Per announcement, one worker at a time holds a lease (``lease_owner``/``lease_until``,
renewed in every batch's transaction). Work happens in two phases:

1. **materialise**: the segment's users are read in id order, ``broadcast_materialise_batch``
   at a time; each batch inserts its ``announcement_targets`` (one per device for push,
   one per user for email and in-app; ``skipped`` when a preference or a missing device
   or address says so) and advances ``cursor`` *in the same transaction*, so a crash
   repeats at most an uncommitted batch.
2. **send**, per channel (:mod:`.fanout_send`): a batch of queued targets is marked
   ``sending`` (committed) before anything leaves, and the outcome of the whole batch is
   recorded in one transaction right after. A target recorded ``sent`` is never sent
   again. A worker that takes over an expired lease puts the previous owner's
   ``sending`` targets back to ``queued``: that batch (at most ``broadcast_push_batch``
   pushes) is the only thing that may reach a device twice, and every push carries the
   announcement id as collapse key, so the device shows it once. In-app items are
   written in the same transaction as their status and are exactly once.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from burency_common.ids import new_id
from burency_common.logging import get_logger
from burency_notifications.adapters.orm import (
    announcement_targets,
    announcements,
)
from burency_notifications.adapters.push.message import PushSender
from burency_notifications.service.context import NotificationsContext
from burency_notifications.service.fanout_send import (
    Batcher,
    send_email_batch,
    send_in_app_batch,
    send_push_batch,
)
from burency_notifications.service.materialise import materialise_batch
from burency_notifications.service.segments import parse_segment, users_after

__all__ = ["ACTIVE", "FanoutWorker"]

ACTIVE = ("materialising", "sending")
_log = get_logger("burency.notifications.fanout")


@dataclass
class FanoutWorker:
    ctx: NotificationsContext
    push: PushSender | None
    owner: str = field(default_factory=new_id)
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Loop until ``stop``: work on active announcements, then wait for a wake-up.

        ``stop`` is also checked between batches: stopping never waits for a whole
        announcement."""
        self._stop = stop
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:  # the loop must survive a database or provider hiccup
                _log.exception("fanout.loop_failed")
            self._wake.clear()
            waiters = [asyncio.ensure_future(e.wait()) for e in (stop, self._wake)]
            await asyncio.wait(
                waiters,
                timeout=self.ctx.settings.worker_poll_seconds,
                return_when=asyncio.FIRST_COMPLETED,
            )
            for waiter in waiters:
                waiter.cancel()

    async def run_once(self) -> int:
        """Advance every active announcement this worker can lease; returns targets handled."""
        query = select(announcements.c.id).where(announcements.c.status.in_(ACTIVE))
        async with self.ctx.transaction() as db:
            ids = list(await db.scalars(query.order_by(announcements.c.created_at)))
        done = 0
        for announcement_id in ids:
            if await self._acquire(announcement_id):
                done += await self._process(announcement_id)
        return done

    def _lease_until(self) -> datetime:
        return self.ctx.clock.now() + timedelta(seconds=self.ctx.settings.broadcast_lease_seconds)

    async def renew(self, db: AsyncSession, announcement_id: str) -> bool:
        """Extend our lease inside the caller's transaction; False when it was lost."""
        result = await db.execute(
            update(announcements)
            .where(announcements.c.id == announcement_id, announcements.c.lease_owner == self.owner)
            .values(lease_until=self._lease_until(), updated_at=self.ctx.clock.now())
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def _acquire(self, announcement_id: str) -> bool:
        now = self.ctx.clock.now()
        a = announcements
        async with self.ctx.transaction() as db:
            row = (
                await db.execute(
                    select(a.c.lease_owner, a.c.lease_until).where(a.c.id == announcement_id)
                )
            ).one()
            mine = row.lease_owner == self.owner
            if (
                not mine
                and row.lease_owner is not None
                and row.lease_until is not None
                and row.lease_until > now
            ):
                return False
            owner_was = (
                a.c.lease_owner.is_(None)
                if row.lease_owner is None
                else a.c.lease_owner == row.lease_owner
            )
            taken = await db.execute(
                update(a)
                .where(a.c.id == announcement_id, owner_was)
                .values(lease_owner=self.owner, lease_until=self._lease_until())
            )
            if getattr(taken, "rowcount", 0) != 1:
                return False
            # a batch still ``sending`` now was in flight when its sender died (or its
            # record failed): its outcome is unknown, so it is sent again (collapse ids)
            t = announcement_targets
            await db.execute(
                update(t)
                .where(t.c.announcement_id == announcement_id, t.c.status == "sending")
                .values(status="queued", batch=None)
            )
        if mine:
            return True
        _log.info(
            "fanout.lease_taken",
            announcement_id=announcement_id,
            previous=row.lease_owner is not None,
        )
        return True

    async def _process(self, announcement_id: str) -> int:
        async with self.ctx.transaction() as db:
            ann = (
                await db.execute(select(announcements).where(announcements.c.id == announcement_id))
            ).one()
        if ann.status == "materialising" and not await self._materialise(ann):
            return 0
        batcher = Batcher(ctx=self.ctx, announcement=ann, renew=self.renew, push=self.push)
        handled = 0
        for channel, send in (
            ("in_app", send_in_app_batch),
            ("push", send_push_batch),
            ("email", send_email_batch),
        ):
            if channel not in ann.channels:
                continue
            while not self._stop.is_set() and (n := await send(batcher)) > 0:
                handled += n
            if batcher.lost:
                return handled
        await self._finish_if_done(announcement_id)
        return handled

    async def _materialise(self, ann: Any) -> bool:
        """Materialise the remaining targets; False when the lease was lost or stopping."""
        segment = parse_segment(ann.segment)
        cursor = ann.cursor
        limit = self.ctx.settings.broadcast_materialise_batch
        while not self._stop.is_set():
            async with self.ctx.transaction() as db:
                if not await self.renew(db, ann.id):
                    return False
                users = await users_after(db, segment, after=cursor, limit=limit)
                if not users:
                    await db.execute(
                        update(announcements)
                        .where(announcements.c.id == ann.id)
                        .values(status="sending")
                    )
                    _log.info("fanout.materialised", announcement_id=ann.id)
                    return True
                await materialise_batch(
                    db, ann, segment, after=cursor, last=users[-1], now=self.ctx.clock.now()
                )
                cursor = users[-1]
                await db.execute(
                    update(announcements).where(announcements.c.id == ann.id).values(cursor=cursor)
                )
        return False  # stopping

    async def _finish_if_done(self, announcement_id: str) -> None:
        t = announcement_targets
        async with self.ctx.transaction() as db:
            left = await db.scalar(
                select(t.c.target)
                .where(
                    t.c.announcement_id == announcement_id,
                    or_(t.c.status == "queued", t.c.status == "sending"),
                )
                .limit(1)
            )
            if left is not None:
                return
            now = self.ctx.clock.now()
            await db.execute(
                update(announcements)
                .where(
                    and_(
                        announcements.c.id == announcement_id,
                        announcements.c.lease_owner == self.owner,
                    )
                )
                .values(
                    status="done",
                    finished_at=now,
                    updated_at=now,
                    lease_owner=None,
                    lease_until=None,
                )
            )
        _log.info("fanout.done", announcement_id=announcement_id)
