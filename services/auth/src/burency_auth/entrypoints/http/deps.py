"""FastAPI dependencies shared by the auth routers (``Annotated`` aliases)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from burency_auth.service.context import AuthContext, RequestMeta
from burency_common.identity import Identity, require_identity
from burency_common.web import client_ip

__all__ = ["Ctx", "CurrentIdentity", "Meta", "client_ip", "get_ctx", "request_meta"]

_MAX_DEVICE = 200


def get_ctx(request: Request) -> AuthContext:
    ctx = request.app.state.auth
    assert isinstance(ctx, AuthContext)
    return ctx


def request_meta(request: Request) -> RequestMeta:
    device = (request.headers.get("user-agent") or "unknown")[:_MAX_DEVICE]
    request_id = getattr(request.state, "request_id", None)
    return RequestMeta(
        ip=client_ip(request),
        device=device,
        request_id=str(request_id) if request_id else None,
    )


Ctx = Annotated[AuthContext, Depends(get_ctx)]
Meta = Annotated[RequestMeta, Depends(request_meta)]
CurrentIdentity = Annotated[Identity, Depends(require_identity())]
