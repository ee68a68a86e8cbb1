"""Operator commands: ``python -m burency_files.entrypoints.cli <command>``.

* ``cleanup``: delete the stored objects of soft-deleted files (the running service
  also does this on a timer; this is for cron jobs and after incidents).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from burency_common.bus import InMemoryBus
from burency_common.config import load_settings
from burency_common.errors import BurencyError
from burency_files.component import build_component
from burency_files.service.cleanup import purge_deleted
from burency_files.settings import FilesSettings

__all__ = ["main"]


async def _cleanup(settings: FilesSettings) -> int:
    component = build_component(settings.model_copy(update={"cleanup_interval_seconds": 0}))
    bus = InMemoryBus()
    await component.start(bus)
    try:
        return await purge_deleted(component.context)
    finally:
        await component.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="burency-files")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("cleanup", help="delete objects of soft-deleted files")
    parser.parse_args(argv)
    try:
        purged = asyncio.run(_cleanup(load_settings(FilesSettings)))
    except BurencyError as exc:
        sys.stderr.write(f"error: {exc.code}: {exc.detail}\n")
        return 1
    sys.stdout.write(f"purged {purged} file(s)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
