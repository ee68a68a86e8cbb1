"""``EdgeMiddleware`` answers exactly like ``SecurityHeadersMiddleware(BodySizeLimitMiddleware)``.

Both are driven with the same generated requests (paths with and without a limit
override, http/https/``X-Forwarded-Proto``, valid, invalid, repeated and oversized
``Content-Length``, streamed bodies under and over the limit) in front of apps that
read the body, answer with or without their own security headers, fail on the body
limit before or after starting the response, or fail otherwise; every message sent
and every exception raised must be the same.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from burency_gateway.security import (
    BodySizeLimitMiddleware,
    EdgeMiddleware,
    RequestBodyTooLarge,
    SecurityHeadersMiddleware,
)

OVERRIDES = {"/api/files": 64}
MAX = 16


def inner(behaviour: str) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if behaviour == "crash":
            raise RuntimeError("boom")
        size = 0
        if behaviour != "ignore-body":
            while True:
                message = await receive()
                size += len(message.get("body", b""))
                if not message.get("more_body", False):
                    break
        headers = [(b"content-type", b"text/plain")]
        if behaviour == "own-csp":
            headers.append((b"Content-Security-Policy", b"default-src *"))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        if behaviour == "late-limit":
            raise RequestBodyTooLarge(MAX)
        if behaviour == "grouped-limit":
            raise ExceptionGroup("task group", [RequestBodyTooLarge(MAX)])
        await send({"type": "http.response.body", "body": str(size).encode()})

    return app


def old_pair(app: ASGIApp) -> ASGIApp:
    return SecurityHeadersMiddleware(
        BodySizeLimitMiddleware(app, max_bytes=MAX, overrides=OVERRIDES)
    )


async def drive(app: ASGIApp, scope: Scope, chunks: list[bytes]) -> list[Any]:
    """What the client would see: every message sent, then the exception if any."""
    pending = list(chunks)
    seen: list[Any] = []

    async def receive() -> Message:
        if not pending:
            return {"type": "http.disconnect"}
        body = pending.pop(0)
        return {"type": "http.request", "body": body, "more_body": bool(pending)}

    async def send(message: Message) -> None:
        seen.append(message)

    try:
        await app(dict(scope, state={"request_id": "req-1"}), receive, send)
    except Exception as exc:
        seen.append(("raised", type(exc).__name__, str(exc)))
    return seen


PATHS = ["/api/files/x", "/api/filesystem", "/api/trading/v1/orders", "/"]
LENGTHS = [b"0", b"10", b"17", b"100", b"abc", b" 5", b"9" * 19]
BEHAVIOURS = ["read", "ignore-body", "own-csp", "late-limit", "grouped-limit", "crash"]
requests = st.fixed_dictionaries(
    {
        "path": st.sampled_from(PATHS),
        "scheme": st.sampled_from(["http", "https"]),
        "protos": st.lists(
            st.sampled_from([b"https", b"http", b"HTTPS, http", b" https "]), max_size=2
        ),
        "lengths": st.lists(st.sampled_from(LENGTHS), max_size=2),
        "chunks": st.lists(st.binary(max_size=30), min_size=1, max_size=4),
        "behaviour": st.sampled_from(BEHAVIOURS),
    }
)


@settings(max_examples=400, deadline=None)
@given(requests)
async def test_the_edge_answers_like_the_pair(request: dict[str, Any]) -> None:
    headers = [(b"content-length", value) for value in request["lengths"]]
    headers[1:1] = [(b"x-forwarded-proto", proto) for proto in request["protos"]]
    scope = {"type": "http", "method": "POST", "path": request["path"],
             "scheme": request["scheme"], "headers": headers}  # fmt: skip
    app = inner(request["behaviour"])
    expected = await drive(old_pair(app), scope, request["chunks"])
    edge = EdgeMiddleware(app, max_bytes=MAX, overrides=OVERRIDES)
    assert await drive(edge, scope, request["chunks"]) == expected


async def test_non_http_scopes_pass_through_untouched() -> None:
    seen: list[Scope] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope)

    async def nothing() -> Message:
        return {}

    async def ignore(message: Message) -> None:
        return None

    edge = EdgeMiddleware(app)
    for scope in ({"type": "lifespan"}, {"type": "websocket", "path": "/ws", "headers": []}):
        await edge(scope, nothing, ignore)
    assert [s["type"] for s in seen] == ["lifespan", "websocket"]
