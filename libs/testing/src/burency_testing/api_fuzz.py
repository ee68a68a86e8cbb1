"""Schemathesis over a service's OpenAPI: every operation, every failure collected.

Each service's suite serves its app (with a valid identity) and hands this module its
OpenAPI document and a ``send`` function; the checks are the same for every service:
no 5xx, and status codes, content types and bodies as documented.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

__all__ = ["API_CHECKS", "fuzz_operations"]

API_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

Send = Callable[[dict[str, Any]], Any]
Headers = Mapping[str, str] | Callable[[str], Mapping[str, str]]
"""Fixed headers, or a function of the operation's path (e.g. a service identity for
``/internal`` routes and a user identity for the rest)."""


def _exercise(operation: Any, send: Send, *, base_url: str, headers: Mapping[str, str],
              max_examples: int) -> None:  # fmt: skip
    @given(case=operation.as_strategy())
    @settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case: Any) -> None:
        kwargs = case.as_transport_kwargs(base_url=base_url, headers=dict(headers))
        response = send(kwargs)
        case.validate_response(response, checks=API_CHECKS, transport_kwargs=kwargs)

    run()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        return "\n".join(_describe(inner) for inner in exc.exceptions)[:2000]
    return f"{type(exc).__name__}: {exc}"[:2000]


def fuzz_operations(
    openapi: dict[str, Any],
    send: Send,
    *,
    base_url: str,
    headers: Headers,
    max_examples: int = 20,
) -> tuple[int, dict[str, str]]:
    """Run every operation; returns how many there were and the failures by operation."""
    schema = schemathesis.openapi.from_dict(openapi)
    operations = []
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        if isinstance(result, Ok):
            operations.append(result.ok())
        else:  # an operation schemathesis cannot even read is a failure of the document
            failures[f"invalid operation #{len(failures) + 1}"] = str(result.err())[:2000]
    for operation in operations:
        fixed = headers(operation.path) if callable(headers) else headers
        try:
            _exercise(operation, send, base_url=base_url, headers=fixed,
                      max_examples=max_examples)  # fmt: skip
        # Collect every failing operation, not just the first. schemathesis reports
        # failed checks as a FailureGroup, a BaseExceptionGroup: ``except Exception``
        # alone would let the first one end the whole run.
        except (Exception, BaseExceptionGroup) as exc:
            failures[operation.label] = _describe(exc)
    return len(operations), failures
