"""Roles, the permission map and the ``require_permission`` dependency."""

from __future__ import annotations

import secrets
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI

from burency_common.identity import IDENTITY_HEADER, Identity, sign_identity
from burency_common.permissions import (
    PERMISSIONS,
    ROLE_PERMISSIONS,
    ROLES,
    has_permission,
    permissions_of,
    require_permission,
)
from burency_common.timeutil import utc_now
from burency_common.web.app import create_service_app


def test_every_role_is_mapped_and_admin_has_everything() -> None:
    assert set(ROLE_PERMISSIONS) == ROLES == {"user", "support", "compliance", "admin"}
    assert ROLE_PERMISSIONS["admin"] == PERMISSIONS
    assert ROLE_PERMISSIONS["user"] == frozenset()
    for granted in ROLE_PERMISSIONS.values():
        assert granted <= PERMISSIONS


@pytest.mark.parametrize(
    ("roles", "permission", "allowed"),
    [
        (["user"], "users.read", False),
        (["support"], "users.read", True),
        (["support"], "kyc.review", False),
        (["compliance"], "kyc.review", True),
        (["compliance"], "withdrawals.approve", True),
        (["compliance"], "roles.grant", False),
        (["admin"], "roles.grant", True),
        (["user", "support"], "audit.read", True),
        (["superuser"], "users.read", False),
        ([], "users.read", False),
    ],
)
def test_has_permission(roles: list[str], permission: str, allowed: bool) -> None:
    assert has_permission(roles, permission) is allowed


def test_unknown_permission_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown permission"):
        has_permission(["admin"], "users.delete_everything")
    with pytest.raises(ValueError, match="unknown permission"):
        require_permission("nope")


def test_permissions_of_unions_roles() -> None:
    assert permissions_of(["support", "compliance"]) == ROLE_PERMISSIONS["compliance"]


Reviewer = Annotated[Identity, Depends(require_permission("kyc.review"))]


@pytest.fixture
def app() -> FastAPI:
    app = create_service_app(name="perm-test", version="0")
    app.state.identity_secret = secrets.token_bytes(32)

    @app.get("/kyc")
    async def kyc(identity: Reviewer) -> dict[str, str]:
        return {"user": identity.user_id}

    return app


async def _get(app: FastAPI, identity: Identity | None) -> httpx.Response:
    headers = {}
    if identity is not None:
        secret = app.state.identity_secret
        headers[IDENTITY_HEADER] = sign_identity(identity, secret=secret, now=utc_now())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get("/kyc", headers=headers)


async def test_require_permission_allows_a_granting_role(app: FastAPI) -> None:
    response = await _get(app, Identity(user_id="u1", roles=frozenset({"compliance"})))
    assert response.status_code == 200
    assert response.json() == {"user": "u1"}


async def test_require_permission_refuses_others(app: FastAPI) -> None:
    anonymous = await _get(app, None)
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "UNAUTHENTICATED")
    user = await _get(app, Identity(user_id="u2", roles=frozenset({"user"})))
    assert (user.status_code, user.json()["code"]) == (403, "PERMISSION_DENIED")
    api_key = Identity(user_id="u3", roles=frozenset({"admin"}), auth_method="api_key")
    assert (await _get(app, api_key)).status_code == 403, "API keys never get staff rights"
