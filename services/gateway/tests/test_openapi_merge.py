"""The merged OpenAPI document: real service specs from FastAPI apps, merged."""

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from burency_gateway.openapi import OpenAPIMerger, merge_openapi


class Order(BaseModel):
    symbol: str


class Account(BaseModel):
    asset: str


def spec_with(model: type[BaseModel], path: str) -> dict[str, Any]:
    app = FastAPI()

    @app.post(path)
    async def endpoint(body: model) -> model:  # type: ignore[valid-type]
        return body

    return app.openapi()


def test_paths_are_prefixed_and_components_namespaced() -> None:
    merged = merge_openapi(
        {"trading": spec_with(Order, "/v1/orders"), "banking": spec_with(Account, "/v1/accounts")},
        title="Burency API",
        version="1",
        unavailable=[],
    )
    assert set(merged["paths"]) == {"/api/trading/v1/orders", "/api/banking/v1/accounts"}
    schemas = merged["components"]["schemas"]
    assert "trading_Order" in schemas
    assert "banking_Account" in schemas
    body = merged["paths"]["/api/trading/v1/orders"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/trading_Order"


def test_same_schema_name_in_two_services_does_not_collide() -> None:
    merged = merge_openapi(
        {"a": spec_with(Order, "/v1/x"), "b": spec_with(Order, "/v1/y")},
        title="t",
        version="1",
        unavailable=[],
    )
    assert {"a_Order", "b_Order"} <= set(merged["components"]["schemas"])


async def test_unavailable_service_is_listed_not_fatal() -> None:
    specs = {"trading": spec_with(Order, "/v1/orders")}

    async def fetch(name: str) -> dict[str, Any]:
        if name not in specs:
            raise ConnectionError(name)
        return specs[name]

    merger = OpenAPIMerger(["trading", "banking"], fetch)
    document = await merger.document()
    assert "/api/trading/v1/orders" in document["paths"]
    assert document["x-unavailable-services"] == ["banking"]
