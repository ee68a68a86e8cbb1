"""Every service's OpenAPI document says what the service really answers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from pydantic import BaseModel

from burency_common.web import create_service_app
from burency_common.web.openapi import operations, problem_responses, refs

PROBLEM = "application/problem+json"
# FastAPI's own ids of a GET+HEAD route clash before ours replace them
pytestmark = pytest.mark.filterwarnings("ignore:Duplicate Operation ID:UserWarning")


class KeyIn(BaseModel):
    name: str


def _app() -> Any:
    keys = APIRouter()

    @keys.post("/v1/api-keys", summary="Create a key")
    async def create(body: KeyIn) -> dict[str, str]:
        return {"name": body.name}

    @keys.delete("/v1/api-keys/{key_id}", status_code=204, responses=problem_responses(404))
    async def revoke(key_id: int) -> None:
        return None

    admin = APIRouter()

    @admin.delete("/v1/admin/users/{user_id}/roles/{role}", status_code=204)
    async def revoke_role(user_id: int, role: str) -> None:
        return None

    @admin.api_route("/v1/admin/ping", methods=["GET", "HEAD"])
    async def ping() -> dict[str, str]:
        return {"pong": "yes"}

    internal = APIRouter()

    @internal.post("/internal/v1/verify")
    async def verify() -> dict[str, str]:
        return {}

    # two functions with the same name in one service (modules differ in real services)
    def make_revoke() -> Any:
        async def revoke(user_id: int) -> None:
            return None

        return revoke

    admin.add_api_route("/v1/admin/users/{user_id}/keys", make_revoke(), methods=["DELETE"])
    return create_service_app(name="svc", version="1", routers=[keys, admin, internal])


def _operation(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    operation: dict[str, Any] = document["paths"][path][method]
    return operation


def test_validation_errors_are_documented_as_the_problems_they_are() -> None:
    document = _app().openapi()
    for _path, _method, operation in operations(document):
        for status in ("400", "422"):
            answer = operation["responses"][status]
            assert list(answer["content"]) == [PROBLEM], (status, operation["operationId"])
            assert answer["content"][PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert "ValidationError" not in schemas
    assert "Problem" in schemas
    missing = {r for r in refs(document) if r.rpartition("/")[2] not in schemas}
    assert missing == set()


def test_operation_ids_are_function_names_unique_within_the_service() -> None:
    document = _app().openapi()
    ids = [operation["operationId"] for *_, operation in operations(document)]
    assert len(ids) == len(set(ids)), ids
    assert _operation(document, "post", "/v1/api-keys")["operationId"] == "create"
    # clashing names are qualified by their path, each differently
    assert _operation(document, "delete", "/v1/api-keys/{key_id}")["operationId"] == (
        "api_keys_revoke"
    )
    assert _operation(document, "delete", "/v1/admin/users/{user_id}/keys")["operationId"] == (
        "admin_users_keys_revoke"
    )
    assert _operation(document, "get", "/v1/admin/ping")["operationId"] == "ping"
    assert _operation(document, "head", "/v1/admin/ping")["operationId"] == "ping_head"


def test_internal_operations_are_marked() -> None:
    document = _app().openapi()
    assert _operation(document, "post", "/internal/v1/verify")["x-internal"] is True
    assert "x-internal" not in _operation(document, "post", "/v1/api-keys")


async def test_a_validation_error_is_served_as_documented() -> None:
    app = _app()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        refused = await client.post("/v1/api-keys", json={"name": 5})
    assert refused.status_code == 422
    documented = _operation(app.openapi(), "post", "/v1/api-keys")["responses"]["422"]
    assert refused.headers["content-type"] in documented["content"]
