"""Burency's exception tree and its RFC 9457 problem+json form.

Every error a client can see is a :class:`BurencyError` carrying a stable machine
``code`` (clients switch on it; it never changes meaning), an HTTP ``status`` and a
human ``detail``. The app factory renders them as ``application/problem+json``::

    BurencyError                      500 INTERNAL_ERROR
    ├── BadRequest                    400 BAD_REQUEST
    │   └── ValidationFailed          422 VALIDATION_FAILED (field-level ``errors``)
    ├── Unauthenticated               401 UNAUTHENTICATED (+ WWW-Authenticate)
    ├── PermissionDenied              403 PERMISSION_DENIED
    ├── NotFound                      404 NOT_FOUND
    ├── Conflict                      409 CONFLICT
    │   └── IdempotencyConflict       409 IDEMPOTENCY_KEY_REUSED
    ├── PayloadTooLarge               413 PAYLOAD_TOO_LARGE
    ├── UnsupportedMediaType          415 UNSUPPORTED_MEDIA_TYPE
    ├── RateLimited                   429 RATE_LIMITED (+ Retry-After)
    ├── UpstreamFailed                502 UPSTREAM_FAILED
    ├── ServiceUnavailable            503 SERVICE_UNAVAILABLE
    ├── UpstreamTimeout               504 UPSTREAM_TIMEOUT
    ├── ConfigurationError            500 CONFIGURATION_ERROR (start-up only)
    └── EventSchemaError              422 INVALID_EVENT (bus: goes to the DLQ)

Subclasses and call sites may pass a more specific ``code`` (``INSUFFICIENT_FUNDS``
is a :class:`Conflict`, ``ORDER_PRICE_OUT_OF_BAND`` a :class:`ValidationFailed`).
Messages must never contain secrets: they are shown to clients as they are. Anything
that is not a ``BurencyError`` becomes a bare 500 with no detail and no stack trace.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, TypedDict

__all__ = [
    "PROBLEM_JSON",
    "BadRequest",
    "BurencyError",
    "ConfigurationError",
    "Conflict",
    "EventSchemaError",
    "FieldError",
    "IdempotencyConflict",
    "NotFound",
    "PayloadTooLarge",
    "PermissionDenied",
    "RateLimited",
    "ServiceUnavailable",
    "Unauthenticated",
    "UnsupportedMediaType",
    "UpstreamFailed",
    "UpstreamTimeout",
    "ValidationFailed",
    "problem_body",
]

PROBLEM_JSON = "application/problem+json"
_TYPE_BASE = "https://docs.burency.dev/problems/"


class FieldError(TypedDict):
    """One invalid input: where (``field``, dotted path), what (``message``), its ``code``."""

    field: str
    message: str
    code: str


class BurencyError(Exception):
    """Base of every error Burency shows to a client."""

    status: ClassVar[int] = 500
    default_code: ClassVar[str] = "INTERNAL_ERROR"
    title: ClassVar[str] = "Internal error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        details: Sequence[Mapping[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.detail = detail or self.title
        self.code = code or self.default_code
        self.errors: list[dict[str, Any]] = [dict(d) for d in details or ()]
        self.headers: dict[str, str] = dict(headers or {})
        super().__init__(self.detail)

    def to_problem(
        self, *, request_id: str | None = None, instance: str | None = None
    ) -> dict[str, Any]:
        """The RFC 9457 body for this error."""
        return problem_body(
            status=self.status,
            title=self.title,
            detail=self.detail,
            code=self.code,
            errors=self.errors,
            request_id=request_id,
            instance=instance,
        )


def problem_body(
    *,
    status: int,
    title: str,
    detail: str,
    code: str,
    errors: Sequence[Mapping[str, Any]] = (),
    request_id: str | None = None,
    instance: str | None = None,
) -> dict[str, Any]:
    """Assemble a problem+json document; ``type`` is derived from the stable code."""
    body: dict[str, Any] = {
        "type": _TYPE_BASE + code.lower().replace("_", "-"),
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = [dict(e) for e in errors]
    if instance:
        body["instance"] = instance
    if request_id:
        body["requestId"] = request_id
    return body


class BadRequest(BurencyError):
    status = 400
    default_code = "BAD_REQUEST"
    title = "Bad request"


class ValidationFailed(BadRequest):
    status = 422
    default_code = "VALIDATION_FAILED"
    title = "Validation failed"


class Unauthenticated(BurencyError):
    status = 401
    default_code = "UNAUTHENTICATED"
    title = "Authentication required"

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.headers.setdefault("WWW-Authenticate", 'Bearer realm="burency"')


class PermissionDenied(BurencyError):
    status = 403
    default_code = "PERMISSION_DENIED"
    title = "Permission denied"


class NotFound(BurencyError):
    status = 404
    default_code = "NOT_FOUND"
    title = "Not found"


class Conflict(BurencyError):
    status = 409
    default_code = "CONFLICT"
    title = "Conflict"


class IdempotencyConflict(Conflict):
    default_code = "IDEMPOTENCY_KEY_REUSED"
    title = "Idempotency key reused with a different request"


class PayloadTooLarge(BurencyError):
    status = 413
    default_code = "PAYLOAD_TOO_LARGE"
    title = "Payload too large"


class UnsupportedMediaType(BurencyError):
    status = 415
    default_code = "UNSUPPORTED_MEDIA_TYPE"
    title = "Unsupported media type"


class RateLimited(BurencyError):
    status = 429
    default_code = "RATE_LIMITED"
    title = "Too many requests"

    def __init__(self, detail: str | None = None, *, retry_after: int = 1, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.retry_after = max(1, retry_after)
        self.headers["Retry-After"] = str(self.retry_after)


class UpstreamFailed(BurencyError):
    status = 502
    default_code = "UPSTREAM_FAILED"
    title = "Upstream service failed"


class ServiceUnavailable(BurencyError):
    status = 503
    default_code = "SERVICE_UNAVAILABLE"
    title = "Service unavailable"


class UpstreamTimeout(BurencyError):
    status = 504
    default_code = "UPSTREAM_TIMEOUT"
    title = "Upstream service timed out"


class ConfigurationError(BurencyError):
    """Raised at start-up when settings are missing or invalid; lists every problem."""

    default_code = "CONFIGURATION_ERROR"
    title = "Invalid configuration"


class EventSchemaError(BurencyError):
    """An event that does not match its registered schema; consumers dead-letter it."""

    status = 422
    default_code = "INVALID_EVENT"
    title = "Invalid event"
