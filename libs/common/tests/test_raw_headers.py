"""Headers added to a response start message: missing ones appended once, names
compared without case, a replaced header left with one value."""

from __future__ import annotations

from starlette.types import Message

from burency_common.web.raw_headers import add_missing_headers, encode_headers, replace_header


def _start(*headers: tuple[bytes, bytes]) -> Message:
    return {"type": "http.response.start", "status": 200, "headers": list(headers)}


def test_only_missing_headers_are_added_whatever_their_case() -> None:
    message = _start((b"Content-Type", b"text/plain"), (b"cache-control", b"max-age=60"))
    add_missing_headers(
        message,
        encode_headers([("Cache-Control", "no-store"), ("X-Frame-Options", "DENY")])
        + encode_headers([("x-frame-options", "SAMEORIGIN")]),
    )
    assert message["headers"] == [
        (b"Content-Type", b"text/plain"),
        (b"cache-control", b"max-age=60"),  # the service's own choice stands
        (b"x-frame-options", b"DENY"),  # added once: the second spelling is the same name
    ]


def test_a_replaced_header_has_one_value() -> None:
    message = _start((b"X-Request-ID", b"client-a"), (b"x-request-id", b"client-b"))
    replace_header(message, b"x-request-id", b"ours")
    assert message["headers"] == [(b"x-request-id", b"ours")]
    empty: Message = {"type": "http.response.start", "status": 204}
    add_missing_headers(empty, encode_headers([("X-A", "1")]))
    assert empty["headers"] == [(b"x-a", b"1")]
