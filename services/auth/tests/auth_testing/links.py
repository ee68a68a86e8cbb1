"""The one-time token of a queued reset / verification notification.

The token travels only inside the link (``data.url``), the catalogue's secret that
only the e-mail channel renders; tests read it from there, as the mailbox owner would.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit


def link_token(note: dict[str, Any]) -> str:
    """The ``token`` query parameter of the notification's link."""
    [token] = parse_qs(urlsplit(str(note["data"]["url"])).query)["token"]
    return token
