from __future__ import annotations

import pytest

from burency_common import errors


@pytest.mark.parametrize(
    ("cls", "status", "code"),
    [
        (errors.BadRequest, 400, "BAD_REQUEST"),
        (errors.ValidationFailed, 422, "VALIDATION_FAILED"),
        (errors.Unauthenticated, 401, "UNAUTHENTICATED"),
        (errors.PermissionDenied, 403, "PERMISSION_DENIED"),
        (errors.NotFound, 404, "NOT_FOUND"),
        (errors.Conflict, 409, "CONFLICT"),
        (errors.IdempotencyConflict, 409, "IDEMPOTENCY_KEY_REUSED"),
        (errors.PayloadTooLarge, 413, "PAYLOAD_TOO_LARGE"),
        (errors.UnsupportedMediaType, 415, "UNSUPPORTED_MEDIA_TYPE"),
        (errors.RateLimited, 429, "RATE_LIMITED"),
        (errors.UpstreamFailed, 502, "UPSTREAM_FAILED"),
        (errors.ServiceUnavailable, 503, "SERVICE_UNAVAILABLE"),
        (errors.UpstreamTimeout, 504, "UPSTREAM_TIMEOUT"),
    ],
)
def test_each_error_has_a_stable_status_and_code(
    cls: type[errors.BurencyError], status: int, code: str
) -> None:
    problem = cls("what went wrong").to_problem(request_id="req-1", instance="/x")
    assert problem["status"] == status
    assert problem["code"] == code
    assert problem["detail"] == "what went wrong"
    assert problem["requestId"] == "req-1"
    assert problem["type"].endswith(code.lower().replace("_", "-"))


def test_specific_code_overrides_default() -> None:
    exc = errors.Conflict("balance too low", code="INSUFFICIENT_FUNDS")
    assert exc.to_problem()["code"] == "INSUFFICIENT_FUNDS"
    assert exc.to_problem()["status"] == 409


def test_field_errors_are_listed() -> None:
    exc = errors.ValidationFailed(
        details=[{"field": "amount", "message": "too many decimals", "code": "PRECISION"}]
    )
    assert exc.to_problem()["errors"] == [
        {"field": "amount", "message": "too many decimals", "code": "PRECISION"}
    ]


def test_rate_limited_sets_retry_after_and_unauthenticated_a_challenge() -> None:
    assert errors.RateLimited(retry_after=7).headers["Retry-After"] == "7"
    assert errors.RateLimited(retry_after=0).headers["Retry-After"] == "1"
    assert "Bearer" in errors.Unauthenticated().headers["WWW-Authenticate"]
