"""Embedded mode's mailbox: the e-mails this process "sent", for the developer at the keyboard.

``burency up`` sends no real e-mail, so a new user reads their verification or reset
link here (the web app's ``/dev/mailbox`` page), the way a local mail catcher works.
Those mails carry one-time tokens, so the router is mounted only in embedded mode and
answers only to a client on this machine: whoever can reach loopback can already read
the ``.eml`` files under the data directory. Every other client gets 403 ``NOT_LOOPBACK``.

Behind the gateway the TCP peer is the gateway itself, so the client is the last
``X-Forwarded-For`` entry, the one the gateway appends. The peer and every *other*
address the request names must be loopback too: an earlier ``X-Forwarded-For`` entry,
``X-Real-IP`` or ``Forwarded: for=`` is what a reverse proxy on this machine adds for
the visitor it serves, and that visitor is not at this machine's keyboard (a client
forging them only refuses itself). A local proxy that names nobody cannot be told from
a local browser: do not put one in front of ``burency up``.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated

from fastapi import APIRouter, Query, Request

from burency_common.api import ApiModel
from burency_common.errors import NotFound, PermissionDenied
from burency_notifications.domain import links_in
from burency_notifications.entrypoints.http.deps import Ctx

__all__ = ["client_is_loopback", "mailbox_router"]

_FORWARDED_FOR = re.compile(r"(?i)(?:^|[;,\s])for=(\"[^\"]*\"|[^;,\s]+)")


class MailOut(ApiModel):
    id: str
    to: str | None = None
    subject: str
    text: str
    html: str
    links: list[str]


class MailboxOut(ApiModel):
    items: list[MailOut]


def _named_addresses(request: Request) -> list[str]:
    """Every address the request names: the TCP peer and the forwarding headers."""
    headers = request.headers
    names = [request.client.host if request.client else ""]
    names += [p.strip() for v in headers.getlist("x-forwarded-for") for p in v.split(",")]
    names += [v.strip() for v in headers.getlist("x-real-ip")]
    names += _FORWARDED_FOR.findall(",".join(headers.getlist("forwarded")))
    return [name for name in names if name] or [""]


def _is_loopback(name: str) -> bool:
    host = name.strip('"')
    if host.startswith("["):  # Forwarded: for="[::1]:4711"
        host = host[1:].partition("]")[0]
    elif host.count(":") == 1:  # an IPv4 address with a port
        host = host.partition(":")[0]
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def client_is_loopback(request: Request) -> bool:
    """Whether the caller is on this machine (see the module's docstring)."""
    return all(_is_loopback(name) for name in _named_addresses(request))


def mailbox_router() -> APIRouter:
    """``GET /v1/dev/mailbox``; include it only in embedded mode."""
    router = APIRouter(
        prefix="/v1/dev",
        tags=["dev"],
        responses={403: {"description": "not a loopback client"}, 404: {"description": "off"}},
    )

    @router.get(
        "/mailbox",
        response_model=MailboxOut,
        summary="E-mails sent in embedded mode, newest first (loopback clients only)",
    )
    async def mailbox(
        request: Request, ctx: Ctx, limit: Annotated[int, Query(ge=1, le=500)] = 100
    ) -> MailboxOut:
        if ctx.recorder is None or not ctx.settings.embedded:
            raise NotFound("the mailbox exists only in embedded mode")
        if not client_is_loopback(request):
            raise PermissionDenied(
                "the mailbox answers only to clients on this machine", code="NOT_LOOPBACK"
            )
        mails = [m for m in reversed(ctx.recorder.sent) if m.channel == "email"][:limit]
        return MailboxOut(
            items=[
                MailOut(
                    id=m.delivery_id,
                    to=m.address,
                    subject=m.subject,
                    text=m.text,
                    html=m.html,
                    links=links_in(m.text),
                )
                for m in mails
            ]
        )

    return router
