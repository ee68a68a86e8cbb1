"""Embedded mode's mailbox: the e-mails this process "sent", for the developer at the keyboard.

``burency up`` sends no real e-mail, so a new user reads their verification or reset
link here (the web app's ``/dev/mailbox`` page), the way a local mail catcher works.
Those mails carry one-time tokens, so the router is mounted only in embedded mode and
answers only to a client on this machine: whoever can reach loopback can already read
the ``.eml`` files under the data directory. Every other client gets 403 ``NOT_LOOPBACK``.

Behind the gateway the TCP peer is the gateway itself, so the client is the last
``X-Forwarded-For`` entry, the one the gateway appends (a client's own entries come
before it and are never believed); with no such header, the TCP peer.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated

from fastapi import APIRouter, Query, Request

from burency_common.api import ApiModel
from burency_common.errors import NotFound, PermissionDenied
from burency_notifications.domain import links_in
from burency_notifications.entrypoints.http.deps import Ctx

__all__ = ["client_is_loopback", "mailbox_router"]


class MailOut(ApiModel):
    id: str
    to: str | None = None
    subject: str
    text: str
    html: str
    links: list[str]


class MailboxOut(ApiModel):
    items: list[MailOut]


def client_is_loopback(request: Request) -> bool:
    """Whether the caller is on this machine (see the module's docstring)."""
    forwarded = request.headers.get("x-forwarded-for", "")
    chain = [part.strip() for part in forwarded.split(",") if part.strip()]
    host = chain[-1] if chain else (request.client.host if request.client else "")
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
