"""Building each service as a component, for embedded mode and for ``burency serve``.

The platform is the only place that knows every service; adding a service means adding
its embedded builder here, its entry in :data:`burency_platform.served.SERVED_SERVICES`
and its route in the gateway's table.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from burency_auth.component import AuthComponent
from burency_auth.component import build_component as build_auth
from burency_auth.settings import AuthSettings
from burency_banking.component import BankingComponent
from burency_banking.component import build_component as build_banking
from burency_banking.settings import BankingSettings
from burency_common.config import RunMode, load_settings
from burency_common.logging import get_logger
from burency_common.private_files import private_file
from burency_common.realtime import RealtimePublisher
from burency_common.tokens import SigningKey
from burency_files.component import FilesComponent
from burency_files.component import build_component as build_files
from burency_files.settings import FilesSettings
from burency_notifications.component import NotificationsComponent
from burency_notifications.component import build_component as build_notifications
from burency_notifications.settings import NotificationsSettings
from burency_platform.liquidity_funding import BOT_USER_ID
from burency_platform.settings import PlatformSettings
from burency_trading.component import TradingComponent
from burency_trading.component import build_component as build_trading
from burency_trading.settings import TradingSettings
from burency_users.component import UsersComponent
from burency_users.component import build_component as build_users
from burency_users.settings import UsersSettings

__all__ = [
    "SERVICES",
    "embedded_auth",
    "embedded_banking",
    "embedded_files",
    "embedded_notifications",
    "embedded_trading",
    "embedded_users",
]

SERVICES = ("gateway", "auth", "users", "files", "notifications", "banking", "trading")
_log = get_logger("burency.platform")


def _embedded_signing_key(data_dir: Path) -> str:
    """A signing key kept beside the embedded databases, so tokens survive a restart.

    Embedded mode only: distributed deployments pass ``BURENCY_SIGNING_KEYS``.
    """
    path = data_dir / "auth.signing-key.pem"
    if path.exists():
        return private_file(path).read_text()
    pem = SigningKey.generate().to_pem().decode()
    private_file(path, pem.encode())
    _log.warning("platform.DEV_SIGNING_KEY_CREATED", path=str(path), mode="embedded only")
    return pem


def embedded_auth(settings: PlatformSettings, identity_secret: bytes) -> AuthComponent:
    auth_settings = load_settings(
        AuthSettings,
        mode=RunMode.EMBEDDED,
        database_url=settings.sqlite_url("auth"),
        public_base_url=settings.public_url,
        signing_keys=[_embedded_signing_key(settings.data_dir)],
    )
    return build_auth(auth_settings, identity_secret=identity_secret)


def embedded_files(settings: PlatformSettings, identity_secret: bytes) -> FilesComponent:
    """Files on local disk under ``data_dir/files``; object URLs go through the gateway."""
    files_settings = load_settings(
        FilesSettings,
        mode=RunMode.EMBEDDED,
        database_url=settings.sqlite_url("files"),
        storage_backend="local",
        local_storage_dir=settings.data_dir / "files",
        public_base_url=f"{settings.public_url}/api/files",
    )
    return build_files(files_settings, identity_secret=identity_secret)


def embedded_users(
    settings: PlatformSettings, identity_secret: bytes, files: httpx.AsyncClient
) -> UsersComponent:
    """Users, calling the in-process files service through ``files`` (an ASGI client)."""
    users_settings = load_settings(
        UsersSettings, mode=RunMode.EMBEDDED, database_url=settings.sqlite_url("users")
    )
    return build_users(users_settings, identity_secret=identity_secret, files_client=files)


def embedded_notifications(
    settings: PlatformSettings, identity_secret: bytes
) -> NotificationsComponent:
    """Notifications recorded in-app and in the dev outbox instead of sent (embedded mode)."""
    notification_settings = load_settings(
        NotificationsSettings,
        mode=RunMode.EMBEDDED,
        database_url=settings.sqlite_url("notifications"),
        email_channel="record",
    )
    return build_notifications(notification_settings, identity_secret=identity_secret)


def embedded_banking(
    settings: PlatformSettings,
    identity_secret: bytes,
    auth: httpx.AsyncClient | None = None,
    trading: httpx.AsyncClient | None = None,
) -> BankingComponent:
    """Banking on its own SQLite file; ``auth`` and ``trading`` are in-process clients of
    those services (2FA checks; the cross-service reconciliation)."""
    banking_settings = load_settings(
        BankingSettings, mode=RunMode.EMBEDDED, database_url=settings.sqlite_url("banking")
    )
    return build_banking(
        banking_settings, identity_secret=identity_secret, auth_client=auth, trading_client=trading
    )


def embedded_trading(
    settings: PlatformSettings,
    identity_secret: bytes,
    realtime: RealtimePublisher | None = None,
    fund_liquidity_bot: Callable[[], Awaitable[None]] | None = None,
) -> TradingComponent:
    """Trading: its projection on its own SQLite file, its journal and snapshots beside it;
    market data and private updates published to ``realtime`` (the gateway's hub). With
    ``live_markets`` (the default), simulated reference prices and the liquidity bot,
    trading as the platform's bot account and funded by ``fund_liquidity_bot``."""
    live: dict[str, object] = {}
    if settings.live_markets:
        # the source stays configurable (simulated by default, or ccxt:<id>); the bot is on
        # unless BURENCY_LIQUIDITY_BOT=false, as the platform's own account
        live = {"marketdata_enabled": True, "liquidity_bot_user": BOT_USER_ID}
    trading_settings = load_settings(
        TradingSettings,
        mode=RunMode.EMBEDDED,
        database_url=settings.sqlite_url("trading"),
        journal_dir=settings.data_dir / "trading",
        **live,
    )
    return build_trading(
        trading_settings,
        identity_secret=identity_secret,
        realtime=realtime,
        fund_liquidity_bot=fund_liquidity_bot if settings.live_markets else None,
    )
