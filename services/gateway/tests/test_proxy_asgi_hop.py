"""The direct embedded hop builds what httpx's ASGI transport built, message for message."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.types import Receive, Scope, Send

from burency_gateway.proxy.asgi_hop import asgi_exchange, plain_target
from burency_gateway.proxy.hop import HttpxAnswer
from burency_gateway.proxy.instance import Instance


class Recorder:
    """An app that records its scope and what it received, then answers or fails."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.seen: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        received = []
        while True:
            message = await receive()
            received.append(dict(message))
            if not message.get("more_body"):
                break
        self.seen.append(({k: v for k, v in scope.items() if k != "state"}, received))
        if self.fail:
            raise RuntimeError("boom")
        headers = [(b"content-type", b"text/plain"), (b"x-multi", b"1"), (b"x-multi", b"2")]
        await send({"type": "http.response.start", "status": 207, "headers": headers})
        await send({"type": "http.response.body", "body": b"part-", "more_body": True})
        await send({"type": "http.response.body", "body": b"two", "more_body": False})


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


CASES: list[tuple[str, str, list[tuple[bytes, bytes]], tuple[bytes, ...] | None]] = [
    ("GET", "/v1/orders/12?symbol=BTC%2FAED&x=1", [(b"authorization", b"Bearer t")], None),
    (
        "POST",
        "/v1/orders",
        [(b"content-type", b"application/json"), (b"content-length", b"7")],
        (b'{"a":', b"1}"),
    ),
    ("POST", "/v1/orders", [(b"content-type", b"application/json")], (b"chunked",)),
    ("POST", "/v1/empty", [], None),
    ("DELETE", "/v1/orders/%41b", [(b"x-request-id", b"r-1")], None),
    ("HEAD", "/v1/orders", [], None),
]


async def _through_httpx(app: Recorder, case: Any) -> tuple[int, list[Any], bytes]:
    method, target, headers, body = case
    instance = Instance.asgi(app, name="trading")
    request = instance.build_request(
        method, target, headers, chunks(*body) if body else None, timeout=5
    )
    answer = HttpxAnswer(await instance.send(request))
    data = b"".join([c async for c in answer.aiter_raw()])
    return answer.status_code, list(answer.raw_headers()), data


async def _direct(app: Recorder, case: Any) -> tuple[int, list[Any], bytes]:
    method, target, headers, body = case
    answer = await asgi_exchange(
        app,
        "trading",
        method=method,
        target=target,
        headers=headers,
        content=chunks(*body) if body else None,
    )
    data = b"".join([c async for c in answer.aiter_raw()])
    return answer.status_code, list(answer.raw_headers()), data


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]} {c[1]}" for c in CASES])
async def test_the_same_scope_messages_and_answer_as_httpx(case: Any) -> None:
    assert plain_target(case[1])
    old, new = Recorder(), Recorder()
    before = await _through_httpx(old, case)
    after = await _direct(new, case)
    assert new.seen == old.seen
    assert after[0] == before[0]
    assert [(k.lower(), v) for k, v in after[1]] == [(k.lower(), v) for k, v in before[1]]
    assert after[2] == before[2]


async def test_an_app_failure_is_a_500_without_headers_like_httpx() -> None:
    case = CASES[0]
    before = await _through_httpx(Recorder(fail=True), case)
    after = await _direct(Recorder(fail=True), case)
    assert after == before == (500, [], b"")


@pytest.mark.parametrize("target", ["/v1/a b", "/v1/./x", "/v1/é", "/v1/{x}"])
def test_targets_httpx_would_requote_are_not_plain(target: str) -> None:
    assert not plain_target(target)


async def test_an_instance_sends_requote_targets_through_httpx() -> None:
    app = Recorder()
    instance = Instance.asgi(app, name="trading")
    answer = await instance.exchange("GET", "/v1/a b", [], None, 5)
    assert isinstance(answer, HttpxAnswer)
    assert app.seen[0][0]["raw_path"] == b"/v1/a%20b"
    await instance.aclose()
