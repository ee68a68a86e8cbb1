"""``build_component``: the auth service as the platform runs it (embedded or alone).

Building creates no connection and starts nothing; :meth:`AuthComponent.start`
migrates the database and starts the outbox relay, :meth:`AuthComponent.stop`
undoes that. The key ring is exposed (``keyring`` / ``key_resolver``) so an
embedded gateway can verify access tokens in-process instead of fetching JWKS.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Table
from sqlalchemy.engine import make_url

from burency_auth.adapters.crypto import Sealer
from burency_auth.adapters.hasher import Argon2Hasher
from burency_auth.adapters.orm import outbox
from burency_auth.app import create_app
from burency_auth.service import bootstrap
from burency_auth.service.context import AuthContext, KeyRingHolder
from burency_auth.settings import AuthSettings
from burency_common.component import ComponentBase
from burency_common.db import create_engine, create_session_factory
from burency_common.events import default_registry
from burency_common.logging import get_logger
from burency_common.timeutil import Clock, SystemClock
from burency_common.tokens import KeyRing, SigningKey

__all__ = ["MIGRATIONS", "AuthComponent", "build_component"]

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
_log = get_logger("burency.auth")


@dataclass
class AuthComponent(ComponentBase[AuthSettings, AuthContext]):
    """The auth service, built but not started (``burency_common.component.ServiceComponent``)."""

    name: str = "auth"
    migrations: ClassVar[Path | None] = MIGRATIONS
    outbox_table: ClassVar[Table | None] = outbox

    @property
    def keyring(self) -> KeyRing:
        """The current key ring (read it on every use: rotation swaps it)."""
        return self.context.keys.ring

    def key_resolver(self, kid: str) -> Ed25519PublicKey | None:
        """``kid -> public key`` for ``verify_token(keys=...)`` or the gateway's
        ``LocalKeySource``; unlike a captured ``keyring`` it follows rotations."""
        return self.context.keys.ring.resolve(kid)

    async def ensure_demo_admin(self) -> tuple[str, str] | None:
        return await bootstrap.ensure_demo_admin(self.context)

    async def ensure_system_user(self, *, user_id: str, email: str, via: str) -> bool:
        return await bootstrap.ensure_system_user(
            self.context, user_id=user_id, email=email, via=via
        )

    def rotate_signing_key(self) -> SigningKey:
        return bootstrap.rotate_signing_key(self.context)


def _key_ring(settings: AuthSettings) -> KeyRing:
    keys = [SigningKey.from_pem(pem.get_secret_value()) for pem in settings.signing_keys]
    if not keys:
        _log.warning(
            "auth.EPHEMERAL_SIGNING_KEY",
            message="no BURENCY_SIGNING_KEYS: generated a signing key for this process only; "
            "access tokens will not survive a restart (refresh tokens will)",
        )
        keys = [SigningKey.generate()]
    return KeyRing(keys[0], keys[1:])


def _data_key(settings: AuthSettings) -> bytes:
    """The data key; in embedded mode without one, a key file beside the SQLite database."""
    if settings.data_key is not None:
        return settings.data_key.get_secret_value().encode()
    url = make_url(settings.database_url)
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        _log.warning(
            "auth.EPHEMERAL_DATA_KEY", message="TOTP enrolments will not survive a restart"
        )
        return secrets.token_bytes(32)
    path = Path(database).with_suffix(".datakey")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
        _log.warning("auth.GENERATED_DATA_KEY", path=str(path))
    return path.read_bytes()


def build_component(
    settings: AuthSettings,
    *,
    identity_secret: bytes | None = None,
    clock: Clock | None = None,
) -> AuthComponent:
    """Build the auth service from ``settings`` (nothing connects until ``start``)."""
    identity_secret = identity_secret or settings.identity_secret_bytes()
    engine = create_engine(settings.database_url)
    context = AuthContext(
        settings=settings,
        sessions=create_session_factory(engine),
        keys=KeyRingHolder(_key_ring(settings)),
        hasher=Argon2Hasher(
            time_cost=settings.argon2_time_cost,
            memory_cost_kib=settings.argon2_memory_cost_kib,
            parallelism=settings.argon2_parallelism,
        ),
        data_sealer=Sealer(_data_key(settings)),
        clock=clock or SystemClock(),
        registry=default_registry(),
    )
    app = create_app(context, engine=engine, identity_secret=identity_secret)
    return AuthComponent(settings=settings, app=app, context=context, engine=engine)
