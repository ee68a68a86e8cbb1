"""The notification types services may ask for, and the template data each one needs.

This is the contract between the services that publish ``SEND_NOTIFICATION`` (auth,
users, banking, ...) and the notification service's templates: a producer must send
every key of its type's ``data`` (checked by :func:`check_notification` when the
command is built, so a producer's own tests catch a missing key), and a template may
only use those keys (checked by the notification service's template tests). Without it
a renamed key fails only at delivery time, as a permanent failure nobody sees.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "NOTIFICATION_TYPES",
    "NotificationType",
    "UnknownNotification",
    "check_notification",
]


@dataclass(frozen=True)
class NotificationType:
    name: str
    data: frozenset[str] = frozenset()
    security: bool = False  # always delivered by e-mail, whatever the preferences


def _t(name: str, *data: str, security: bool = False) -> NotificationType:
    return NotificationType(name, frozenset(data), security)


_MONEY = ("amount", "asset")

NOTIFICATION_TYPES: Mapping[str, NotificationType] = {
    t.name: t
    for t in (
        _t("auth.welcome"),
        _t("auth.verify_email", "url", security=True),
        _t("auth.password_reset", "url", security=True),
        _t("auth.new_login", "ip", "device", security=True),
        _t("auth.register_attempt"),
        _t("auth.password_changed"),
        _t("auth.session_revoked", "reason"),
        _t("auth.2fa_enabled"),
        _t("auth.2fa_disabled"),
        _t("auth.api_key_created", "label"),
        _t("auth.api_key_revoked", "label"),
        _t("kyc.approved", "level"),
        _t("kyc.rejected", "reason"),
        _t("deposit.credited", *_MONEY),
        _t("deposit.rejected", "asset", "reason"),
        _t("withdrawal.sent", *_MONEY, "address", security=True),
        _t("withdrawal.rejected", *_MONEY, "reason"),
        _t("withdrawal.cancelled", *_MONEY),
        _t("withdrawal.failed", *_MONEY, "reason"),
        _t("banking.transfer.sent", *_MONEY),
        _t("banking.transfer.received", *_MONEY),
        _t("banking.trading_transfer.completed", *_MONEY),
        _t("banking.trading_transfer.failed", *_MONEY),
        _t("order.filled", "symbol", "side", "amount", "price"),
        _t("price.alert", "symbol", "price"),
        _t("marketing.announcement", "title", "body"),
    )
}


class UnknownNotification(ValueError):
    """A notification type that is not in the catalogue, or data it needs is missing."""


def check_notification(event: str, data: Mapping[str, object]) -> None:
    """Raise :class:`UnknownNotification` unless ``event`` is a known type and ``data``
    holds a non-null value for each key its templates need."""
    kind = NOTIFICATION_TYPES.get(event)
    if kind is None:
        raise UnknownNotification(f"unknown notification event {event[:60]!r}")
    missing = sorted(key for key in kind.data if data.get(key) is None)
    if missing:
        raise UnknownNotification(f"{event} needs data {missing}")
