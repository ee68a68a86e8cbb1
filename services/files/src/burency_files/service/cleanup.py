"""Deleting the objects of soft-deleted files (run by the CLI or the component's timer)."""

from __future__ import annotations

from burency_common.logging import get_logger
from burency_files.adapters import files_repo
from burency_files.service.context import FilesContext

__all__ = ["purge_deleted"]

_log = get_logger("burency.files")


async def purge_deleted(ctx: FilesContext, *, batch: int = 100) -> int:
    """Delete stored objects of soft-deleted files; returns how many files were purged.

    Idempotent: a storage delete of a missing object succeeds, and a row is marked
    purged only after its objects are gone, so a crash mid-way is retried next run.
    """
    purged = 0
    while True:
        async with ctx.transaction() as db:
            pending = await files_repo.purgeable(db, batch)
        if not pending:
            return purged
        for record in pending:
            await ctx.storage.delete(record.storage_key)
            if record.thumbnail_key:
                await ctx.storage.delete(record.thumbnail_key)
            async with ctx.transaction() as db:
                await files_repo.mark_purged(db, record.id, ctx.now())
            purged += 1
        _log.info("files.PURGED", count=len(pending))
