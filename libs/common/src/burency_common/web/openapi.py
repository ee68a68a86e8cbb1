"""Problem+json in every service's OpenAPI document.

Routes declare their error answers with ``responses=problem_responses(404, 409)``; the
app factory's caller runs :func:`publish_problem_schema` once so the ``Problem`` schema
those entries reference exists in the document (schemathesis validates against it).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict

from burency_common.errors import PROBLEM_JSON

__all__ = ["ProblemDocument", "problem_responses", "publish_problem_schema"]


class ProblemDocument(BaseModel):
    """RFC 9457 problem details, as every error is answered."""

    model_config = ConfigDict(extra="allow", title="Problem")

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[dict[str, Any]] | None = None
    instance: str | None = None
    requestId: str | None = None  # noqa: N815 - wire name


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for error statuses answered as problem+json."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {
        status: {"description": "error", "content": {PROBLEM_JSON: {"schema": schema}}}
        for status in statuses
    }


def publish_problem_schema(app: FastAPI) -> None:
    """Add the ``Problem`` schema the error responses refer to, to the OpenAPI document."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            components = schema.setdefault("components", {})
            schemas = components.setdefault("schemas", {})
            schemas["Problem"] = ProblemDocument.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
