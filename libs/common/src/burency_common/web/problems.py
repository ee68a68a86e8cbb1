"""Exception handlers that turn every failure into an RFC 9457 problem+json response."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from burency_common.errors import PROBLEM_JSON, BurencyError, problem_body
from burency_common.logging import get_logger

__all__ = ["install_problem_handlers", "problem_response"]

_log = get_logger("burency.errors")

_HTTP_CODES = {
    400: ("BAD_REQUEST", "Bad request"),
    401: ("UNAUTHENTICATED", "Authentication required"),
    403: ("PERMISSION_DENIED", "Permission denied"),
    404: ("NOT_FOUND", "Not found"),
    405: ("METHOD_NOT_ALLOWED", "Method not allowed"),
    406: ("NOT_ACCEPTABLE", "Not acceptable"),
    409: ("CONFLICT", "Conflict"),
    413: ("PAYLOAD_TOO_LARGE", "Payload too large"),
    415: ("UNSUPPORTED_MEDIA_TYPE", "Unsupported media type"),
    422: ("VALIDATION_FAILED", "Validation failed"),
    429: ("RATE_LIMITED", "Too many requests"),
}


def _request_id(request: Request) -> str | None:
    value = getattr(request.state, "request_id", None)
    return str(value) if value else None


def problem_response(
    body: dict[str, Any], *, status: int, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def _burency_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BurencyError)
    if exc.status >= 500:
        _log.error("request.failed", code=exc.code, path=request.url.path)
    body = exc.to_problem(request_id=_request_id(request), instance=request.url.path)
    return problem_response(body, status=exc.status, headers=exc.headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "field": ".".join(str(part) for part in err.get("loc", ()) if part != "body"),
            "message": str(err.get("msg", "invalid")),
            "code": str(err.get("type", "invalid")).upper(),
        }
        for err in exc.errors()
    ]
    body = problem_body(
        status=422,
        title="Validation failed",
        detail=f"{len(errors)} field(s) invalid",
        code="VALIDATION_FAILED",
        errors=errors,
        request_id=_request_id(request),
        instance=request.url.path,
    )
    return problem_response(body, status=422)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, title = _HTTP_CODES.get(exc.status_code, ("HTTP_ERROR", "HTTP error"))
    detail = exc.detail if isinstance(exc.detail, str) else title
    body = problem_body(
        status=exc.status_code,
        title=title,
        detail=detail,
        code=code,
        request_id=_request_id(request),
        instance=request.url.path,
    )
    return problem_response(body, status=exc.status_code, headers=dict(exc.headers or {}))


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    _log.exception("request.crashed", path=request.url.path, error=type(exc).__name__)
    body = problem_body(
        status=500,
        title="Internal error",
        detail="An unexpected error occurred; quote the request id when reporting it.",
        code="INTERNAL_ERROR",
        request_id=_request_id(request),
    )
    return problem_response(body, status=500)


def install_problem_handlers(app: FastAPI) -> None:
    """Register the handlers; nothing a client sees carries a stack trace or a secret."""
    app.add_exception_handler(BurencyError, _burency_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
