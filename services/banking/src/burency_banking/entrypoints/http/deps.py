"""FastAPI dependencies shared by the banking routers (``Annotated`` aliases)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from burency_banking.service.context import BankingContext
from burency_common.identity import Identity, require_identity

__all__ = ["Ctx", "CurrentIdentity", "get_ctx"]


def get_ctx(request: Request) -> BankingContext:
    ctx = request.app.state.banking
    assert isinstance(ctx, BankingContext)
    return ctx


Ctx = Annotated[BankingContext, Depends(get_ctx)]
CurrentIdentity = Annotated[Identity, Depends(require_identity())]
