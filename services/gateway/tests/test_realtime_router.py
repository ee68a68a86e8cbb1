"""``SocketIORouter`` sends each request where engineio's ``ASGIApp`` would have sent it."""

from __future__ import annotations

from typing import Any

import socketio
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.types import Message, Receive, Scope, Send

from burency_gateway.realtime import SocketIORouter

PIECES = ["/", "socket.io", "socket.iox", "api", "socket", ".io", "x", "%2F", "//"]


class Recorder:
    def __init__(self, name: str, seen: list[str]) -> None:
        self.name, self.seen = name, seen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.seen.append(self.name)


class FakeEngine(socketio.AsyncServer):  # type: ignore[misc]
    """Records that engineio would have handled the request itself."""

    def __init__(self, seen: list[str]) -> None:
        super().__init__(async_mode="asgi")
        self.seen = seen

    async def handle_request(self, *args: Any, **kwargs: Any) -> None:
        self.seen.append("socketio")


async def _nothing() -> Message:
    return {"type": "http.disconnect"}


async def _ignore(message: Message) -> None:
    return None


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(["http", "websocket"]),
    st.lists(st.sampled_from(PIECES), max_size=5),
)
async def test_the_router_decides_like_engineio(kind: str, parts: list[str]) -> None:
    path = "/" + "".join(parts)
    scope = {"type": kind, "path": path, "headers": [], "query_string": b""}
    expected: list[str] = []
    engineio_app = socketio.ASGIApp(
        FakeEngine(expected), other_asgi_app=Recorder("other", expected), socketio_path="socket.io"
    )
    await engineio_app(dict(scope), _nothing, _ignore)
    seen: list[str] = []
    routed = socketio.ASGIApp(
        FakeEngine(seen), other_asgi_app=Recorder("other", seen), socketio_path="socket.io"
    )
    router = SocketIORouter(routed, Recorder("other", seen))
    await router(dict(scope), _nothing, _ignore)
    assert seen == expected


async def test_lifespan_goes_through_the_socketio_app() -> None:
    seen: list[str] = []
    router = SocketIORouter(Recorder("socketio-app", seen), Recorder("other", seen))
    await router({"type": "lifespan"}, _nothing, _ignore)
    assert seen == ["socketio-app"]
