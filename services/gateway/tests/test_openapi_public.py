"""The merged document is the public one: true, self-contained, no internal operations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from burency_common.web import create_service_app
from burency_common.web.openapi import operations, refs
from burency_gateway.openapi import SECURITY_SCHEMES, merge_openapi
from burency_gateway.routes import default_route_table


class VerifyIn(BaseModel):
    key: str


class VerifyOut(BaseModel):
    user: str


class LoginIn(BaseModel):
    email: str


def _auth_spec() -> dict[str, Any]:
    router = APIRouter()

    @router.post("/v1/login")
    async def sign_in(body: LoginIn) -> dict[str, str]:
        return {}

    @router.get("/v1/sessions")
    async def list_sessions() -> list[str]:
        return []

    @router.get("/v1/admin/users")
    async def users() -> list[str]:
        return []

    @router.post("/internal/v1/api-keys/verify")
    async def verify(body: VerifyIn) -> VerifyOut:
        return VerifyOut(user="u")

    @router.post("/v1/hidden", openapi_extra={"x-internal": True})
    async def hidden() -> None:
        return None

    return create_service_app(name="auth", version="1", routers=[router]).openapi()


def _users_spec() -> dict[str, Any]:
    router = APIRouter()

    @router.get("/v1/profile")
    async def get_profile() -> dict[str, str]:
        return {}

    return create_service_app(name="users", version="1", routers=[router]).openapi()


def _merged() -> dict[str, Any]:
    table = default_route_table()

    def access_of(method: str, path: str) -> str | None:
        matched = table.match(method, path)
        return matched.access.value if matched else None

    return merge_openapi(
        {"auth": _auth_spec(), "users": _users_spec()},
        title="Burency API",
        version="1",
        unavailable=[],
        access_of=access_of,
    )


def test_internal_operations_and_their_schemas_are_left_out() -> None:
    merged = _merged()
    assert "/api/auth/internal/v1/api-keys/verify" not in merged["paths"]
    assert "/api/auth/v1/hidden" not in merged["paths"]
    assert "/api/auth/v1/login" in merged["paths"]
    schemas = merged["components"]["schemas"]
    assert "auth_VerifyIn" not in schemas
    assert "auth_VerifyOut" not in schemas
    assert "auth_LoginIn" in schemas


def test_every_ref_resolves_and_problem_is_shared() -> None:
    merged = _merged()
    components = merged["components"]
    unresolved = {
        ref
        for ref in refs(merged)
        if ref.removeprefix("#/components/").partition("/")[2]
        not in components.get(ref.removeprefix("#/components/").partition("/")[0], {})
    }
    assert unresolved == set()
    assert "Problem" in components["schemas"]
    assert not any(name.endswith("_Problem") for name in components["schemas"])


def test_operation_ids_are_unique_and_named_after_service_and_function() -> None:
    merged = _merged()
    ids = [operation["operationId"] for *_, operation in operations(merged)]
    assert len(ids) == len(set(ids))
    assert "auth_sign_in" in ids
    assert "users_get_profile" in ids


def test_security_follows_the_gateways_route_rules() -> None:
    merged = _merged()
    assert merged["components"]["securitySchemes"] == SECURITY_SCHEMES
    assert SECURITY_SCHEMES["apiKey"]["name"] == "X-Burency-ApiKey"
    paths = merged["paths"]
    login = paths["/api/auth/v1/login"]["post"]
    sessions = paths["/api/auth/v1/sessions"]["get"]
    admin = paths["/api/auth/v1/admin/users"]["get"]
    assert login["security"] == []
    assert {"bearerAuth": []} in sessions["security"]
    assert {"apiKey": [], "apiKeySignature": []} in sessions["security"]
    assert admin["security"] == [{"bearerAuth": []}]  # API keys are refused on staff routes
    assert {"401", "429", "503"} <= set(sessions["responses"])
    assert {"401", "403"} <= set(admin["responses"])
    assert "413" in login["responses"]
    assert "401" not in paths["/api/users/healthz"]["get"]["responses"]
