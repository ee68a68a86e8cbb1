"""Staff look up accounts by id (to show e-mails in staff lists), and ``GET /v1/me``
names the caller's permissions. SQLite and real PostgreSQL, through the HTTP API.
Through the gateway: ``apps/platform/tests/test_staff_requests_gateway.py``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from burency_auth.settings import AuthSettings
from burency_common.identity import Identity
from burency_common.permissions import PERMISSIONS, ROLE_PERMISSIONS
from burency_common.timeutil import ManualClock

from .auth_testing.harness import Harness, running_harness


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_harness(
    request: pytest.FixtureRequest,
    make_settings: Callable[..., AuthSettings],
    postgres_database_factory: Callable[..., str],
    clock: ManualClock,
) -> AsyncIterator[Harness]:
    overrides: dict[str, Any] = {}
    if request.param == "postgres":
        overrides["database_url"] = postgres_database_factory()
    async with running_harness(make_settings(**overrides), clock) as h:
        yield h


async def _admin(h: Harness) -> dict[str, str]:
    created = await h.component.ensure_demo_admin()
    assert created is not None
    return h.headers_for(await h.signed_in(*created))


async def test_staff_find_accounts_by_id_in_the_order_asked(db_harness: Harness) -> None:
    h = db_harness
    admin = await _admin(h)
    ids = [await h.register(f"look{n}@example.com") for n in range(3)]
    asked = [ids[2], "no-such-user", ids[0], ids[2]]
    response = await h.client.post("/v1/admin/users/lookup", json={"ids": asked}, headers=admin)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [(u["id"], u["email"]) for u in items] == [
        (ids[2], "look2@example.com"),
        (ids[0], "look0@example.com"),
    ]
    assert items[0]["roles"] == ["user"]


async def test_lookup_needs_users_read(db_harness: Harness) -> None:
    h = db_harness
    victim = await h.register("victim@example.com")
    await h.register("curious@example.com")
    user = h.headers_for(await h.signed_in("curious@example.com"))
    body = {"ids": [victim]}
    refused = await h.client.post("/v1/admin/users/lookup", json=body, headers=user)
    assert (refused.status_code, refused.json()["code"]) == (403, "PERMISSION_DENIED")
    assert "victim" not in refused.text
    key = h.identity_headers(
        Identity(user_id="k", roles=frozenset({"admin"}), auth_method="api_key")
    )
    by_key = await h.client.post("/v1/admin/users/lookup", json=body, headers=key)
    assert by_key.status_code == 403  # API keys never get staff permissions
    anonymous = await h.client.post("/v1/admin/users/lookup", json=body)
    assert anonymous.status_code == 401


async def test_lookup_bounds_its_input(harness: Harness) -> None:
    admin = await _admin(harness)
    for ids in ([], ["x"] * 201, ["x" * 65]):
        response = await harness.client.post(
            "/v1/admin/users/lookup", json={"ids": ids}, headers=admin
        )
        assert response.status_code == 422, ids


async def test_me_names_the_callers_permissions(harness: Harness) -> None:
    admin = await _admin(harness)
    assert (await harness.client.get("/v1/me", headers=admin)).json()["permissions"] == sorted(
        PERMISSIONS
    )
    user_id = await harness.register("sup@example.com")
    user = harness.headers_for(await harness.signed_in("sup@example.com"))
    assert (await harness.client.get("/v1/me", headers=user)).json()["permissions"] == []
    granted = await harness.client.post(
        f"/v1/admin/users/{user_id}/roles", json={"role": "support"}, headers=admin
    )
    assert granted.status_code == 200
    support = harness.headers_for(await harness.signed_in("sup@example.com"))
    me = (await harness.client.get("/v1/me", headers=support)).json()
    assert me["permissions"] == sorted(ROLE_PERMISSIONS["support"])
    assert me["roles"] == ["support", "user"]
