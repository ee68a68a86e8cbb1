"""Embedded mode: each outgoing e-mail's subject and links printed on the operator's console.

``burency up`` sends no real e-mail; the developer at the keyboard sees at once that a
verification or reset mail went out and can open its link. This is the process's
standard output, which only the person who started it reads: never the structured
log, which may be shipped elsewhere. Distributed mode never echoes.
"""

from __future__ import annotations

import sys
from typing import TextIO

from burency_notifications.adapters.channels import OutboundMessage
from burency_notifications.domain import links_in

__all__ = ["echo_email"]


def echo_email(message: OutboundMessage, stream: TextIO | None = None) -> None:
    out = stream if stream is not None else sys.stdout
    lines = [f"  [mail] to {message.address or '?'}: {message.subject}"]
    lines += [f"         {link}" for link in links_in(message.text)]
    print("\n".join(lines), file=out, flush=True)
