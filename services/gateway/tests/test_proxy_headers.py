"""Header rewriting: hop-by-hop, internal identity headers, X-Forwarded-*."""

from __future__ import annotations

from burency_gateway.proxy.headers import (
    ForwardedFor,
    forwarded_for,
    request_headers,
    response_headers,
)

FWD = ForwardedFor(
    client_ip="203.0.113.9",
    proto="https",
    host="api.burency.test",
    prefix="/api/trading",
    request_id="rid-1",
)


def _rewrite(
    raw: list[tuple[bytes, bytes]], extra: dict[str, str] | None = None
) -> tuple[dict[bytes, list[bytes]], bool]:
    out, has_body = request_headers(
        raw, FWD, extra_headers=extra or {}, strip_prefixes=(b"x-burency-",)
    )
    grouped: dict[bytes, list[bytes]] = {}
    for name, value in out:
        grouped.setdefault(name, []).append(value)
    return grouped, has_body


def test_hop_by_hop_and_connection_named_headers_are_dropped() -> None:
    headers, _ = _rewrite(
        [
            (b"host", b"api.burency.test"),
            (b"connection", b"keep-alive, X-Secret-Hop"),
            (b"x-secret-hop", b"1"),
            (b"keep-alive", b"timeout=5"),
            (b"te", b"trailers"),
            (b"trailer", b"x-checksum"),
            (b"upgrade", b"h2c"),
            (b"proxy-authorization", b"Basic Zm9v"),
            (b"proxy-connection", b"keep-alive"),
            (b"expect", b"100-continue"),
            (b"accept", b"application/json"),
            (b"authorization", b"Bearer t"),
        ]
    )
    assert set(headers) == {
        b"accept",
        b"authorization",
        b"x-forwarded-for",
        b"x-forwarded-proto",
        b"x-forwarded-host",
        b"x-forwarded-prefix",
        b"x-request-id",
    }


def test_internal_headers_are_stripped_then_verified_identity_added() -> None:
    headers, _ = _rewrite(
        [(b"x-burency-user-id", b"forged"), (b"x-burency-roles", b"admin"), (b"x-user", b"keep")],
        extra={"X-Burency-User-Id": "u-42"},
    )
    assert headers[b"x-burency-user-id"] == [b"u-42"]
    assert b"x-burency-roles" not in headers
    assert headers[b"x-user"] == [b"keep"]


def test_forwarded_headers_are_set_and_the_client_is_appended() -> None:
    headers, _ = _rewrite(
        [
            (b"x-forwarded-for", b"198.51.100.1"),
            (b"x-forwarded-for", b"198.51.100.2"),
            (b"x-forwarded-host", b"evil.test"),
            (b"x-forwarded-proto", b"ftp"),
            (b"x-request-id", b"client-chosen"),
        ]
    )
    assert headers[b"x-forwarded-for"] == [b"198.51.100.1, 198.51.100.2, 203.0.113.9"]
    assert headers[b"x-forwarded-host"] == [b"api.burency.test"]
    assert headers[b"x-forwarded-proto"] == [b"https"]
    assert headers[b"x-forwarded-prefix"] == [b"/api/trading"]
    assert headers[b"x-request-id"] == [b"rid-1"]


def test_body_is_detected_from_content_length_or_transfer_encoding() -> None:
    assert _rewrite([(b"content-length", b"12")])[1] is True
    assert _rewrite([(b"transfer-encoding", b"chunked")])[1] is True
    assert _rewrite([(b"content-length", b"0")])[1] is False
    assert _rewrite([(b"accept", b"*/*")])[1] is False
    # Content-Length is end-to-end and kept; Transfer-Encoding is hop-by-hop and dropped.
    headers, _ = _rewrite([(b"content-length", b"12"), (b"transfer-encoding", b"chunked")])
    assert headers[b"content-length"] == [b"12"]
    assert b"transfer-encoding" not in headers


def test_response_headers_drop_hop_by_hop_and_keep_repeated_ones() -> None:
    out = response_headers(
        [
            (b"Connection", b"close, X-Internal"),
            (b"X-Internal", b"1"),
            (b"Transfer-Encoding", b"chunked"),
            (b"Set-Cookie", b"a=1"),
            (b"Set-Cookie", b"b=2"),
            (b"Content-Encoding", b"gzip"),
            (b"Server", b"uvicorn"),
            (b"Date", b"Thu, 01 Jan 2026 00:00:00 GMT"),
        ]
    )
    assert out == [(b"set-cookie", b"a=1"), (b"set-cookie", b"b=2"), (b"content-encoding", b"gzip")]


def test_forwarded_for_prefers_the_middleware_request_id() -> None:
    scope = {
        "type": "http",
        "scheme": "https",
        "client": ("192.0.2.5", 50000),
        "headers": [(b"host", b"api.burency.test"), (b"x-request-id", b"from-client")],
        "state": {"request_id": "from-middleware"},
    }
    fwd = forwarded_for(scope, "/api/auth")
    assert fwd == ForwardedFor(
        "192.0.2.5", "https", "api.burency.test", "/api/auth", "from-middleware"
    )
    scope.pop("state")
    assert forwarded_for(scope, "/api/auth").request_id == "from-client"
