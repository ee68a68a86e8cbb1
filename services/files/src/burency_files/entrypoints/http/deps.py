"""FastAPI dependencies shared by the files routers (``Annotated`` aliases)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from burency_common.errors import Unauthenticated
from burency_common.identity import Identity, identity_from_request, require_identity
from burency_common.web import client_ip
from burency_files.domain.errors import ServiceOnly
from burency_files.service.context import Actor, FilesContext, RequestMeta

__all__ = [
    "Ctx",
    "CurrentActor",
    "Meta",
    "ServiceCaller",
    "client_ip",
    "get_ctx",
    "request_meta",
]

SERVICE_ROLE = "service"


def get_ctx(request: Request) -> FilesContext:
    ctx = request.app.state.files
    assert isinstance(ctx, FilesContext)
    return ctx


def request_meta(request: Request) -> RequestMeta:
    request_id = getattr(request.state, "request_id", None)
    return RequestMeta(ip=client_ip(request), request_id=str(request_id) if request_id else None)


async def current_actor(
    identity: Annotated[Identity, Depends(require_identity())],
) -> Actor:
    return Actor(
        user_id=identity.user_id,
        roles=identity.roles,
        staff_capable=identity.auth_method == "jwt",
    )


async def service_caller(request: Request) -> Identity:
    """Internal routes: only another Burency service (role ``service``) may call them."""
    identity = identity_from_request(request)
    if identity is None:
        raise Unauthenticated()
    if SERVICE_ROLE not in identity.roles or not identity.user_id.startswith("service:"):
        raise ServiceOnly()
    return identity


Ctx = Annotated[FilesContext, Depends(get_ctx)]
Meta = Annotated[RequestMeta, Depends(request_meta)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
ServiceCaller = Annotated[Identity, Depends(service_caller)]
