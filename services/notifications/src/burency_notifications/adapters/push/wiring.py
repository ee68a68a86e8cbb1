"""Choosing the push sender from settings (``BURENCY_PUSH_CHANNEL``)."""

from __future__ import annotations

from pathlib import Path

from burency_common.errors import ConfigurationError
from burency_common.logging import get_logger
from burency_notifications.adapters.channels import RecordingChannel
from burency_notifications.adapters.push.credentials import CredentialsError, ServiceAccount
from burency_notifications.adapters.push.fcm import FcmClient, RecordingPushSender
from burency_notifications.adapters.push.message import PushSender
from burency_notifications.settings import NotificationsSettings

__all__ = ["push_sender"]

_log = get_logger("burency.notifications")


def _account(settings: NotificationsSettings) -> ServiceAccount | None:
    try:
        if settings.fcm_credentials_json is not None:
            return ServiceAccount.from_json(settings.fcm_credentials_json.get_secret_value())
        if settings.fcm_credentials_file:
            return ServiceAccount.from_file(Path(settings.fcm_credentials_file))
    except (CredentialsError, OSError) as exc:
        # the message names the missing fields, never the key itself
        raise ConfigurationError(f"FCM credentials unusable: {exc}") from None
    return None


def push_sender(settings: NotificationsSettings, recorder: RecordingChannel) -> PushSender | None:
    """The recorder (``record``), an :class:`FcmClient` (``fcm`` with credentials), or
    None: push is then not configured and its deliveries are ``skipped``."""
    if settings.push_mode == "record":
        return RecordingPushSender(recorder)
    account = _account(settings)
    if account is None:
        _log.warning("notifications.PUSH_NOT_CONFIGURED", message="no BURENCY_FCM_CREDENTIALS_FILE")
        return None
    return FcmClient(
        account=account,
        base_url=settings.fcm_base_url,
        concurrency=settings.fcm_concurrency,
        timeout=settings.fcm_timeout_seconds,
        token_uri=settings.fcm_token_uri,
    )
