"""``require_scope``: the services' own API-key scope check (defence in depth)."""

from __future__ import annotations

import secrets

import httpx
import pytest
from fastapi import Depends, FastAPI

from burency_common.identity import (
    IDENTITY_HEADER,
    Identity,
    require_scope,
    required_scope_of,
    sign_identity,
)
from burency_common.permissions import require_permission, required_permission_of
from burency_common.timeutil import utc_now
from burency_common.web.app import create_service_app

SECRET = secrets.token_bytes(32)


def _app() -> FastAPI:
    app = create_service_app(name="scopes", version="0", description="", routers=[])

    @app.post("/move", dependencies=[Depends(require_scope("withdraw"))])
    async def move() -> dict[str, str]:
        return {"moved": "yes"}

    app.state.identity_secret = SECRET
    return app


def _headers(identity: Identity) -> dict[str, str]:
    return {IDENTITY_HEADER: sign_identity(identity, secret=SECRET, now=utc_now())}


@pytest.mark.parametrize(
    ("identity", "status", "code"),
    [
        (Identity("u", auth_method="api_key", scopes=frozenset({"read", "trade"})), 403,
         "API_KEY_SCOPE_MISSING"),
        (Identity("u", auth_method="api_key"), 403, "API_KEY_SCOPE_MISSING"),
        (Identity("u", auth_method="api_key", scopes=frozenset({"withdraw"})), 200, None),
        (Identity("u"), 200, None),  # a login session: the user's full rights
        (None, 401, "UNAUTHENTICATED"),
    ],
)  # fmt: skip
async def test_api_keys_need_the_scope_sessions_do_not(
    identity: Identity | None, status: int, code: str | None
) -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        headers = _headers(identity) if identity is not None else {}
        response = await client.post("/move", headers=headers)
    assert response.status_code == status
    if code is not None:
        assert response.json()["code"] == code


def test_the_declared_scope_and_permission_can_be_read_back() -> None:
    assert required_scope_of(require_scope("trade")) == "trade"
    assert required_permission_of(require_permission("banking.read")) == "banking.read"
    assert required_scope_of(require_permission("banking.read")) is None
    assert required_permission_of(lambda: None) is None
    with pytest.raises(ValueError, match="unknown scope"):
        require_scope("transfer")
