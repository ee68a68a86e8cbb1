"""One OpenAPI document for the whole platform, merged from every service's own.

Each service serves ``/openapi.json`` for its own paths (``/v1/orders``). The merged
document prefixes them with ``/api/<service>`` (the address clients use), prefixes
component names with the service name so two services' ``Order`` schemas cannot
collide, and rewrites every ``$ref`` accordingly. Services that do not answer are
listed under ``x-unavailable-services`` instead of failing the whole document.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

__all__ = ["OpenAPIMerger", "merge_openapi"]

SpecFetcher = Callable[[str], Awaitable[dict[str, Any]]]
_REF_PREFIX = "#/components/"


def _component_name(service: str, name: str) -> str:
    return f"{service}_{name}"


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


def _tag_operations(path_item: dict[str, Any], service: str) -> dict[str, Any]:
    for operation in path_item.values():
        if isinstance(operation, dict) and "responses" in operation:
            operation["tags"] = [service, *operation.get("tags", [])]
            if "operationId" in operation:
                operation["operationId"] = f"{service}_{operation['operationId']}"
    return path_item


def merge_openapi(
    specs: Mapping[str, dict[str, Any]], *, title: str, version: str, unavailable: list[str]
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
        local = _rewrite_refs(spec, service)
        for path, item in local.get("paths", {}).items():
            if path in {"/metrics"}:
                continue
            merged["paths"][f"/api/{service}{path}"] = _tag_operations(item, service)
        for kind, entries in local.get("components", {}).items():
            bucket = merged["components"].setdefault(kind, {})
            for name, definition in entries.items():
                bucket[_component_name(service, name)] = definition
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
    ) -> None:
        self._services = services
        self._fetch = fetch
        self._title = title
        self._version = version
        self._ttl = ttl
        self._timeout = timeout
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
            specs, title=self._title, version=self._version, unavailable=unavailable
        )
