"""``build_component``: the files service as the platform runs it (embedded or alone).

Building creates no connection and starts nothing; :meth:`FilesComponent.start`
migrates the database, prepares the storage (directory or bucket) and starts the
cleanup timer, :meth:`FilesComponent.stop` undoes that. The service emits no events.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from burency_common.component import ComponentBase, LoopFn
from burency_common.db import create_engine, create_session_factory
from burency_common.logging import get_logger
from burency_common.timeutil import Clock, SystemClock
from burency_files.adapters.storage.local import LocalStorage, UrlSigner
from burency_files.adapters.storage.port import ObjectStorage
from burency_files.adapters.storage.s3 import S3Config, S3Storage
from burency_files.app import create_app
from burency_files.service.cleanup import purge_deleted
from burency_files.service.context import FilesContext
from burency_files.settings import FilesSettings

__all__ = ["MIGRATIONS", "FilesComponent", "build_component", "build_storage"]

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
_log = get_logger("burency.files")


@dataclass
class FilesComponent(ComponentBase[FilesSettings, FilesContext]):
    """The files service, built but not started (``burency_common.component.ServiceComponent``)."""

    name: str = "files"
    migrations: ClassVar[Path | None] = MIGRATIONS

    async def prepare(self) -> None:
        await self.context.storage.ensure_ready()

    def background_loops(self) -> Iterable[tuple[str, LoopFn]]:
        interval = self.settings.cleanup_interval_seconds
        if interval <= 0:
            return ()

        async def cleanup(stop: asyncio.Event) -> None:
            await self._cleanup_loop(stop, interval)

        return [("files-cleanup", cleanup)]

    async def _cleanup_loop(self, stop: asyncio.Event, interval: float) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
            if stop.is_set():
                return
            try:
                await purge_deleted(self.context)
            except Exception as exc:  # the next run retries; never kill the timer
                _log.warning("files.CLEANUP_FAILED", error=type(exc).__name__)


def _signing_key(settings: FilesSettings, identity_secret: bytes) -> bytes:
    """The local-URL key; without one, derived from the identity secret (domain-separated),
    so URLs stay valid across restarts whenever the identity secret does."""
    if settings.url_signing_key is not None:
        return settings.url_signing_key.get_secret_value().encode()
    return hmac.new(identity_secret, b"burency-files.url-signing", hashlib.sha256).digest()


def build_storage(settings: FilesSettings, *, signer: UrlSigner | None = None) -> ObjectStorage:
    """The storage back-end the settings choose (connects to nothing yet)."""
    if settings.storage_backend == "s3":
        key_id, secret = settings.s3_access_key_id, settings.s3_secret_access_key
        return S3Storage(
            S3Config(
                bucket=settings.s3_bucket,
                region=settings.s3_region,
                endpoint_url=settings.s3_endpoint_url,
                access_key_id=key_id.get_secret_value() if key_id else None,
                secret_access_key=secret.get_secret_value() if secret else None,
                server_side_encryption=settings.s3_server_side_encryption,
                create_bucket=settings.s3_create_bucket,
                public_base_url=settings.s3_public_base_url,
                part_size=settings.s3_part_size_bytes,
            )
        )
    if signer is None:
        raise ValueError("local storage needs a URL signer")
    return LocalStorage(
        settings.local_storage_dir, signer=signer, base_url=settings.public_base_url
    )


def build_component(
    settings: FilesSettings,
    *,
    identity_secret: bytes | None = None,
    clock: Clock | None = None,
    storage: ObjectStorage | None = None,
) -> FilesComponent:
    """Build the files service from ``settings`` (nothing connects until ``start``)."""
    identity_secret = identity_secret or settings.identity_secret_bytes()
    clock = clock or SystemClock()
    signer = None
    if settings.storage_backend == "local":
        signer = UrlSigner(_signing_key(settings, identity_secret), clock)
    engine = create_engine(settings.database_url)
    context = FilesContext(
        settings=settings,
        sessions=create_session_factory(engine),
        storage=storage or build_storage(settings, signer=signer),
        clock=clock,
        signer=signer,
    )
    app = create_app(context, engine=engine, identity_secret=identity_secret)
    return FilesComponent(settings=settings, app=app, context=context, engine=engine)
