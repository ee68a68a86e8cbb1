"""FastAPI dependencies shared by the notification routers (``Annotated`` aliases)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from burency_common.identity import Identity, require_identity
from burency_notifications.service.context import NotificationsContext

__all__ = ["Ctx", "CurrentIdentity", "get_ctx"]


def get_ctx(request: Request) -> NotificationsContext:
    ctx = request.app.state.notifications
    assert isinstance(ctx, NotificationsContext)
    return ctx


Ctx = Annotated[NotificationsContext, Depends(get_ctx)]
CurrentIdentity = Annotated[Identity, Depends(require_identity())]
