"""Event types, channels and the preference rules (pure, no I/O).

Security events must always reach the user by email: a preference can switch their
other channels off, never email (``CHANNEL_REQUIRED``). Marketing is opt-in on SMS.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from burency_common.errors import BurencyError
from burency_common.events.notification_types import NOTIFICATION_TYPES

__all__ = [
    "CHANNELS",
    "EVENT_TYPES",
    "LANGUAGES",
    "SECURITY_EVENTS",
    "ChannelRequired",
    "default_enabled",
    "feed_link",
    "is_required",
    "links_in",
]

CHANNELS: tuple[str, ...] = ("push", "email", "sms", "in_app")
LANGUAGES: tuple[str, ...] = ("en", "ar")
EVENT_TYPES: tuple[str, ...] = tuple(NOTIFICATION_TYPES)
SECURITY_EVENTS: frozenset[str] = frozenset(
    t.name for t in NOTIFICATION_TYPES.values() if t.security
)


class ChannelRequired(BurencyError):
    status = 422
    default_code = "CHANNEL_REQUIRED"
    title = "Channel required"


def is_required(event: str, channel: str) -> bool:
    """Security events always go out by email; a type that carries a secret always
    goes to its owner channel (the only one that can carry the link or code)."""
    kind = NOTIFICATION_TYPES.get(event)
    if kind is not None and kind.secrets and channel == kind.owner:
        return True
    return event in SECURITY_EVENTS and channel == "email"


_OPT_IN_BY_MAIL_OR_SMS = frozenset({"order.filled"})
"""Events a trader may get many times a minute: in the app and by push unless switched
off, by e-mail or SMS only when asked for (as exchanges do; a bot's fills would flood
an inbox and cost an SMS each)."""


def default_enabled(event: str, channel: str) -> bool:
    """Everything is on by default except marketing by SMS, and fills by e-mail or SMS."""
    if channel in ("email", "sms") and event in _OPT_IN_BY_MAIL_OR_SMS:
        return False
    return not (event.startswith("marketing.") and channel == "sms")


_LINK = re.compile(r"https?://[^\s<>\"')]+")


def links_in(text: str) -> list[str]:
    """The URLs in a message's text, each once, without the sentence's final punctuation
    (``Open https://…/verify?token=abc.`` gives the link without the dot)."""
    links = (match.rstrip(".,;:!?") for match in _LINK.findall(text))
    return list(dict.fromkeys(link for link in links if link))


# Where a feed item leads in the web app (its routes, frontend/src/app/router.tsx).
_WALLET_PREFIXES = ("deposit.", "withdrawal.", "banking.")
_FIXED_LINKS: dict[str, str] = {
    "auth.welcome": "/markets",
    "auth.new_login": "/settings/sessions",
    "auth.session_revoked": "/settings/sessions",
    "auth.password_changed": "/settings/sessions",
    "auth.2fa_enabled": "/settings/2fa",
    "auth.2fa_disabled": "/settings/2fa",
    "auth.api_key_created": "/settings/api-keys",
    "auth.api_key_revoked": "/settings/api-keys",
    "kyc.approved": "/kyc",
    "kyc.rejected": "/kyc",
}
_PAIR = re.compile(r"^([A-Z0-9]{2,10})[/-]([A-Z0-9]{2,10})$")


def feed_link(event: str, data: Mapping[str, Any]) -> str | None:
    """The web app path a feed item of ``event`` opens (``/wallet`` for a deposit,
    ``/trade/BTC-AED`` for a fill), or None when it leads nowhere in particular.

    Built only from the event type and the item's public data (a market symbol is
    accepted only in its ``BASE/QUOTE`` shape), never from free text, so a producer's
    data cannot make the link point outside the app.
    """
    if event in _FIXED_LINKS:
        return _FIXED_LINKS[event]
    if event.startswith(_WALLET_PREFIXES):
        return "/wallet"
    if event in ("order.filled", "price.alert"):
        symbol = data.get("symbol")
        match = _PAIR.match(symbol.upper()) if isinstance(symbol, str) else None
        return f"/trade/{match.group(1)}-{match.group(2)}" if match else "/markets"
    return None
