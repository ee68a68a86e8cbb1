"""A true OpenAPI document for every service: problem+json errors, stable operation ids.

The web app's typed client is generated from the gateway's merged document, so each
service's own document must say what the service really answers. The app factory runs
:func:`finish_openapi` on every app; it post-processes FastAPI's document once:

* the ``Problem`` schema exists, and every error answer (4xx/5xx) is documented as
  ``application/problem+json`` with it (FastAPI documents 422 as ``application/json``
  with its own ``HTTPValidationError``, which the problem handlers never send);
* every operation documents 400 and 422 (a malformed request can reach any of them);
* ``operationId`` is the endpoint function's name, qualified by its path only where two
  operations of the service would share it (``list_keys``, ``api_keys_revoke``);
* operations under ``/internal/`` carry ``x-internal: true`` (a route can also say so
  with ``openapi_extra={"x-internal": True}``); the gateway leaves them out of the
  public document.

Routes declare their other error answers with ``responses=problem_responses(404, 409)``.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict

from burency_common.errors import PROBLEM_JSON

__all__ = [
    "INTERNAL_EXTENSION",
    "ProblemDocument",
    "finish_openapi",
    "operations",
    "problem_responses",
    "publish_problem_schema",
    "refs",
]

INTERNAL_EXTENSION = "x-internal"
_PROBLEM_REF = "#/components/schemas/Problem"
_ALWAYS = ("400", "422")  # a malformed request or a bad field can reach any operation
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})
_DESCRIPTIONS = {"400": "Bad request", "422": "Validation failed"}


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
    return {status: _problem_answer("error") for status in statuses}


def _problem_answer(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": _PROBLEM_REF}}},
    }


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Every ``(path, method, operation)`` of an OpenAPI document."""
    return [
        (path, method, operation)
        for path, item in document.get("paths", {}).items()
        for method, operation in item.items()
        if method in _METHODS and isinstance(operation, dict)
    ]


def _document_errors(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for status in _ALWAYS:
        responses.setdefault(status, _problem_answer(_DESCRIPTIONS[status]))
    for status, answer in responses.items():
        if str(status)[:1] in {"4", "5"}:
            description = answer.get("description") or "error"
            if _DESCRIPTIONS.get(str(status)) and description == "Validation Error":
                description = _DESCRIPTIONS[str(status)]
            answer.update(_problem_answer(description))  # headers, links are kept


def _path_words(path: str) -> list[str]:
    words = [s for s in path.split("/") if s and not s.startswith("{") and s != "v1"]
    return [re.sub(r"\W", "_", w.replace("-", "_").replace(".", "_")) for w in words]


def _function_name(operation_id: str, path: str, methods: list[str]) -> str:
    """The endpoint's name, from FastAPI's default id ``<name><path>_<method>``.

    An id a route chose itself (``operation_id=...``) does not end so and is kept.
    """
    for method in methods:
        suffix = re.sub(r"\W", "_", path) + f"_{method}"
        if operation_id.endswith(suffix) and len(operation_id) > len(suffix):
            return operation_id[: -len(suffix)]
    return operation_id


def _rename_operations(document: dict[str, Any]) -> None:
    """``operationId`` = the function name, qualified by its path where names clash."""
    found = []
    for path, item in document.get("paths", {}).items():
        methods = [m for m in item if m in _METHODS]
        for method in methods:
            operation = item[method]
            name = _function_name(operation.get("operationId", ""), path, methods)
            found.append((path, method, operation, name))
    clashes = Counter(name for _path, name in {(path, name) for path, *_, name in found})
    taken: Counter[str] = Counter()
    for path, method, operation, name in found:
        chosen = name
        if clashes[name] > 1:
            words = _path_words(path)
            if words and words[-1] == name:
                words.pop()
            chosen = "_".join([*words, name])
        taken[chosen] += 1
        # one function serving several methods: each method its own id
        operation["operationId"] = chosen if taken[chosen] == 1 else f"{chosen}_{method}"


def _mark_internal(document: dict[str, Any]) -> None:
    for path, _method, operation in operations(document):
        if path.startswith("/internal/"):
            operation[INTERNAL_EXTENSION] = True


def refs(node: Any) -> set[str]:
    """Every ``$ref`` value anywhere in ``node``."""
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(refs(item) for item in node))
    return set()


def _drop_unused_validation_schemas(document: dict[str, Any]) -> None:
    """FastAPI's validation schemas, unless something other than themselves still uses them."""
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    others = {k: v for k, v in schemas.items() if k not in _FASTAPI_VALIDATION_SCHEMAS}
    used = refs(document.get("paths", {})) | refs(others)
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        if f"#/components/schemas/{name}" not in used:
            schemas.pop(name, None)


def finish_document(app: FastAPI, document: dict[str, Any]) -> dict[str, Any]:
    """Apply the conventions above to ``document`` (FastAPI's, of ``app``) in place."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = ProblemDocument.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    for _path, _method, operation in operations(document):
        _document_errors(operation)
    _rename_operations(document)
    _mark_internal(document)
    _drop_unused_validation_schemas(document)
    return document


def finish_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the finished document (built once, then cached)."""
    if getattr(app.state, "openapi_finished", False):
        return
    app.state.openapi_finished = True
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = finish_document(app, build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def publish_problem_schema(app: FastAPI) -> None:
    """Kept for the services' factories: the app factory already finishes every document."""
    finish_openapi(app)
