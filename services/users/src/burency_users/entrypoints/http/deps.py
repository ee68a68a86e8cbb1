"""FastAPI dependencies shared by the user service routers (``Annotated`` aliases)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from burency_common.identity import Identity, require_identity
from burency_users.service.context import RequestMeta, UsersContext

__all__ = ["Ctx", "CurrentIdentity", "Meta", "get_ctx", "request_meta"]


def get_ctx(request: Request) -> UsersContext:
    ctx = request.app.state.users
    assert isinstance(ctx, UsersContext)
    return ctx


def request_meta(request: Request) -> RequestMeta:
    request_id = getattr(request.state, "request_id", None)
    return RequestMeta(request_id=str(request_id) if request_id else None)


Ctx = Annotated[UsersContext, Depends(get_ctx)]
Meta = Annotated[RequestMeta, Depends(request_meta)]
CurrentIdentity = Annotated[Identity, Depends(require_identity())]
