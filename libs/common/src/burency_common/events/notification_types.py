"""The notification types services may ask for, and the template data each one needs.

This is the contract between the services that publish ``SEND_NOTIFICATION`` (auth,
users, banking, ...) and the notification service's templates: a producer must send
every key of its type's ``data`` (checked by :func:`check_notification` when the
command is built, so a producer's own tests catch a missing key), and a template may
only use those keys (checked by the notification service's template tests). Without it
a renamed key fails only at delivery time, as a permanent failure nobody sees.

Secrets. Some data proves ownership of an address: a password-reset or e-mail
verification link, a one-time code sent to a phone. Whoever reads it can take the
account over or "verify" an address that is not theirs, so it must reach only the
channel that proves ownership of what it verifies (``owner``: the mailbox for an
e-mail link, the phone for an SMS code) and never an in-app feed, push or live socket,
which a stolen session reads. A type lists those keys in ``secrets``; :meth:`view`
is the only way to get data for a channel, and it leaves them out for every channel
but the owner (and leaves out every key the catalogue does not declare, so a secret
sent under an undeclared name reaches no template either).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "NOTIFICATION_TYPES",
    "OWNER_CHANNELS",
    "NotificationType",
    "UnknownNotification",
    "check_notification",
]

# The channels that prove ownership of an address; only they may ever carry a secret.
OWNER_CHANNELS: frozenset[str] = frozenset({"email", "sms"})


@dataclass(frozen=True)
class NotificationType:
    name: str
    data: frozenset[str] = frozenset()
    security: bool = False  # always delivered by e-mail, whatever the preferences
    secrets: frozenset[str] = frozenset()  # data keys only ``owner`` may receive
    owner: str | None = None  # the channel that proves ownership (email | sms)

    def __post_init__(self) -> None:
        if not self.secrets <= self.data:
            raise ValueError(f"{self.name}: secrets {sorted(self.secrets - self.data)} not in data")
        if self.secrets and self.owner not in OWNER_CHANNELS:
            raise ValueError(f"{self.name}: secrets need an owner channel in {OWNER_CHANNELS}")

    def view(self, data: Mapping[str, Any], channel: str) -> dict[str, Any]:
        """The data a template of ``channel`` may see: declared keys only, and the
        secrets only when ``channel`` is the owner."""
        allowed = self.data if channel == self.owner else self.data - self.secrets
        return {key: data[key] for key in allowed if key in data}

    def public(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The declared data without any secret (what may be kept or shown anywhere)."""
        return {key: data[key] for key in self.data - self.secrets if key in data}


def _t(
    name: str,
    *data: str,
    security: bool = False,
    secrets: tuple[str, ...] = (),
    owner: str | None = None,
) -> NotificationType:
    return NotificationType(
        name, frozenset(data) | frozenset(secrets), security, frozenset(secrets), owner
    )


_MONEY = ("amount", "asset")

NOTIFICATION_TYPES: Mapping[str, NotificationType] = {
    t.name: t
    for t in (
        _t("auth.welcome"),
        _t("auth.verify_email", security=True, secrets=("url",), owner="email"),
        _t("auth.password_reset", security=True, secrets=("url",), owner="email"),
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
    holds a non-null value for each key its templates need.

    A type that carries secrets takes no undeclared key: a producer cannot slip a
    second copy of its secret (a raw token beside the link) in under another name.
    """
    kind = NOTIFICATION_TYPES.get(event)
    if kind is None:
        raise UnknownNotification(f"unknown notification event {event[:60]!r}")
    missing = sorted(key for key in kind.data if data.get(key) is None)
    if missing:
        raise UnknownNotification(f"{event} needs data {missing}")
    if kind.secrets:
        extra = sorted(key[:40] for key in data if key not in kind.data)
        if extra:
            raise UnknownNotification(f"{event} carries a secret and takes no other data {extra}")
