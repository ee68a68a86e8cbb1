"""FastAPI dependencies shared by the banking routers (``Annotated`` aliases)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from burency_banking.service.context import BankingContext
from burency_common.identity import Identity, require_identity, require_scope

__all__ = ["Ctx", "CurrentIdentity", "get_ctx", "needs_scope"]


def get_ctx(request: Request) -> BankingContext:
    ctx = request.app.state.banking
    assert isinstance(ctx, BankingContext)
    return ctx


Ctx = Annotated[BankingContext, Depends(get_ctx)]
CurrentIdentity = Annotated[Identity, Depends(require_identity())]


def needs_scope(scope: str) -> list[Any]:
    """``dependencies=`` of a route that moves money: an API key must carry ``scope``.

    Checked here from the signed identity, not only at the gateway (defence in depth,
    DESIGN §6). The scopes are the gateway's (``MONEY_OUT_SCOPES``, docs/api-keys.md):
    ``withdraw`` for money that leaves the user (withdrawals, transfers to another
    user), ``trade`` for other writes. ``tests/test_api_key_scopes.py`` walks every
    route and fails on a write that declares neither a scope nor a staff permission.
    """
    return [Depends(require_scope(scope))]
