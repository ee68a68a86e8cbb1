"""One OpenAPI document for the whole platform, merged from every service's own.

Each service serves ``/openapi.json`` for its own paths (``/v1/orders``). The merged
document is the public one (the web app's typed client is generated from it), so it
says only what an outside caller can reach, and says it truly:

* paths are prefixed with ``/api/<service>`` (the address clients use);
* service-to-service operations (``/internal/...``, or marked ``x-internal``) and
  ``/metrics`` are left out, and so is every component only they used;
* component names are prefixed with the service name so two services' ``Order``
  schemas cannot collide, and every ``$ref`` is rewritten the same way (the shared
  ``Problem`` schema stays one ``Problem``);
* ``operationId`` becomes ``<service>_<operationId>``, unique across the platform;
* the gateway's own answers are documented: who may call (``security``: bearer JWT,
  or a signed API-key request where the route admits one; 401/403 accordingly),
  429 (rate limits apply to every route), 503 and, with a body, 413.

Services that do not answer are listed under ``x-unavailable-services`` instead of
failing the whole document.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

__all__ = ["SECURITY_SCHEMES", "AccessOf", "OpenAPIMerger", "merge_openapi"]

SpecFetcher = Callable[[str], Awaitable[dict[str, Any]]]
AccessOf = Callable[[str, str], str | None]
"""(method, public path) → ``"public"``, ``"user"`` or ``"role"`` (the gateway's rule)."""

_REF_PREFIX = "#/components/"
_SHARED = frozenset({"Problem"})  # built from one class in burency_common: one schema
_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})
_HIDDEN_PATHS = frozenset({"/metrics"})
_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}

SECURITY_SCHEMES: dict[str, Any] = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An access token from POST /api/auth/v1/login (short-lived).",
    },
    "apiKey": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Burency-ApiKey",
        "description": (
            "An API key id. Every request is also signed: `timestamp` and `signature` "
            "(HMAC-SHA256 of query string + body with the key's secret) as query "
            "parameters, see docs/api-keys.md. Not accepted on staff routes."
        ),
    },
    "apiKeySignature": {
        "type": "apiKey",
        "in": "query",
        "name": "signature",
        "description": "HMAC-SHA256 signature of the request (last query parameter).",
    },
}
_SECURITY: dict[str, list[dict[str, list[str]]]] = {
    "public": [],
    "user": [{"bearerAuth": []}, {"apiKey": [], "apiKeySignature": []}],
    "role": [{"bearerAuth": []}],
}
_GATEWAY_ANSWERS = {
    "429": "Too many requests (rate limit); see Retry-After",
    "503": "The service or a dependency is unavailable; retry later",
}


def _component_name(service: str, name: str) -> str:
    return name if name in _SHARED else f"{service}_{name}"


def _rewrite_refs(node: Any, service: str) -> Any:
    """Return a copy of ``node`` with ``#/components/<kind>/<name>`` refs made service-local."""
    if isinstance(node, dict):
        copied: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(_REF_PREFIX):
                kind, _, name = value[len(_REF_PREFIX) :].partition("/")
                copied[key] = f"{_REF_PREFIX}{kind}/{_component_name(service, name)}"
            else:
                copied[key] = _rewrite_refs(value, service)
        return copied
    if isinstance(node, list):
        return [_rewrite_refs(item, service) for item in node]
    return node


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(item) for item in node))
    return set()


def _is_internal(path: str, operation: dict[str, Any]) -> bool:
    return path.startswith("/internal/") or path == "/internal" or bool(operation.get("x-internal"))


def _public_paths(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec's path items without internal operations (and without emptied items)."""
    kept: dict[str, Any] = {}
    for path, item in spec.get("paths", {}).items():
        if path in _HIDDEN_PATHS:
            continue
        public = {
            key: value
            for key, value in item.items()
            if key not in _METHODS or not _is_internal(path, value)
        }
        if any(key in _METHODS for key in public):
            kept[path] = public
    return kept


def _used_components(paths: dict[str, Any], components: dict[str, Any]) -> set[str]:
    """Every ``#/components/...`` ref reachable from ``paths``, following components."""
    seen: set[str] = set()
    pending = list(_refs(paths))
    while pending:
        ref = pending.pop()
        if ref in seen or not ref.startswith(_REF_PREFIX):
            continue
        seen.add(ref)
        kind, _, name = ref[len(_REF_PREFIX) :].partition("/")
        pending.extend(_refs(components.get(kind, {}).get(name)))
    return seen


def _add_gateway_answers(operation: dict[str, Any], access: str | None) -> None:
    """What the gateway itself may answer before the service is reached."""
    responses: dict[str, Any] = operation.setdefault("responses", {})
    answers = dict(_GATEWAY_ANSWERS)
    if access in {"user", "role"}:
        answers["401"] = "Authentication required, or the credentials were refused"
    if access == "role":
        answers["403"] = "The caller lacks the role (API keys are refused here)"
    if "requestBody" in operation:
        answers["413"] = "The body is too large"
    for status, description in answers.items():
        responses.setdefault(status, {"description": description, "content": _PROBLEM})
    if access in _SECURITY:
        operation["security"] = _SECURITY[access]


def _merge_service(
    merged: dict[str, Any], service: str, spec: dict[str, Any], access_of: AccessOf | None
) -> None:
    local = _rewrite_refs(spec, service)
    paths = _public_paths(local)
    components = {
        kind: {_component_name(service, name): value for name, value in entries.items()}
        for kind, entries in local.get("components", {}).items()
    }
    used = _used_components(paths, components)
    for path, item in paths.items():
        public_path = f"/api/{service}{path}"
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            operation["tags"] = [service, *operation.get("tags", [])]
            if "operationId" in operation:
                operation["operationId"] = f"{service}_{operation['operationId']}"
            access = access_of(method.upper(), public_path) if access_of else None
            _add_gateway_answers(operation, access)
        merged["paths"][public_path] = item
    for kind, entries in components.items():
        bucket = merged["components"].setdefault(kind, {})
        for name, definition in entries.items():
            if f"{_REF_PREFIX}{kind}/{name}" in used:
                bucket[name] = definition


def merge_openapi(
    specs: Mapping[str, dict[str, Any]],
    *,
    title: str,
    version: str,
    unavailable: list[str],
    access_of: AccessOf | None = None,
) -> dict[str, Any]:
    """Merge per-service specs (service name → spec) into one document."""
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": {},
        "components": {},
        "tags": [{"name": name} for name in sorted(specs)],
    }
    for service, spec in sorted(specs.items()):
        _merge_service(merged, service, spec, access_of)
    if access_of is not None:
        merged["components"]["securitySchemes"] = SECURITY_SCHEMES
    if unavailable:
        merged["x-unavailable-services"] = sorted(unavailable)
    return merged


class OpenAPIMerger:
    """Fetches and merges the services' specs, caching the result for ``ttl`` seconds."""

    def __init__(
        self,
        services: list[str],
        fetch: SpecFetcher,
        *,
        title: str = "Burency API",
        version: str = "1",
        ttl: float = 30.0,
        timeout: float = 5.0,
        access_of: AccessOf | None = None,
    ) -> None:
        self._services = services
        self._fetch = fetch
        self._title = title
        self._version = version
        self._ttl = ttl
        self._timeout = timeout
        self._access_of = access_of
        self._cached: dict[str, Any] | None = None
        self._cached_at = 0.0
        self._lock = asyncio.Lock()

    async def document(self) -> dict[str, Any]:
        async with self._lock:
            fresh = self._cached is not None and time.monotonic() - self._cached_at < self._ttl
            if not fresh:
                self._cached = await self._build()
                self._cached_at = time.monotonic()
            assert self._cached is not None
            return self._cached

    async def _build(self) -> dict[str, Any]:
        results = await asyncio.gather(
            *(asyncio.wait_for(self._fetch(name), self._timeout) for name in self._services),
            return_exceptions=True,
        )
        specs: dict[str, dict[str, Any]] = {}
        unavailable: list[str] = []
        for name, result in zip(self._services, results, strict=True):
            if isinstance(result, BaseException):
                unavailable.append(name)
            else:
                specs[name] = result
        return merge_openapi(
            specs,
            title=self._title,
            version=self._version,
            unavailable=unavailable,
            access_of=self._access_of,
        )
