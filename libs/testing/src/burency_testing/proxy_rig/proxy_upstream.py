"""A tiny upstream for the proxy tests and the gateway benchmark.

Run by uvicorn in a subprocess (``burency_testing.proxy_rig.proxy_upstream:create_app
--factory``) or mounted in-process as an embedded instance. ``UPSTREAM_ID`` names the
instance (every answer reports it); ``UPSTREAM_CALLS_FILE``, when set, gets one line per
``/die`` call.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

_ALL = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _name(request: Request) -> str:
    return str(request.app.state.instance)


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok", "instance": _name(request)})


async def ping(_: Request) -> JSONResponse:
    return JSONResponse({"pong": True})


async def whoami(request: Request) -> JSONResponse:
    return JSONResponse({"instance": _name(request)})


async def echo(request: Request) -> JSONResponse:
    """What arrived, including every header; answers with a Connection-named header."""
    body = await request.body()
    name = _name(request)
    return JSONResponse(
        {
            "instance": name,
            "method": request.method,
            "path": request.url.path,
            "raw_path": request.scope.get("raw_path", b"").decode("latin-1"),
            "query": request.url.query,
            "headers": [[k.decode(), v.decode()] for k, v in request.scope["headers"]],
            "body": body.decode("latin-1"),
        },
        headers={"x-upstream": name, "connection": "x-upstream-private", "x-upstream-private": "1"},
    )


async def slow(request: Request) -> JSONResponse:
    await asyncio.sleep(float(request.query_params.get("seconds", "5")))
    return JSONResponse({"instance": _name(request)})


async def upload(request: Request) -> JSONResponse:
    digest = hashlib.sha256()
    size = 0
    async for chunk in request.stream():
        digest.update(chunk)
        size += len(chunk)
    return JSONResponse({"instance": _name(request), "sha256": digest.hexdigest(), "bytes": size})


async def download(request: Request) -> StreamingResponse:
    total = int(request.query_params.get("bytes", "1048576"))

    async def chunks() -> AsyncIterator[bytes]:
        sent = 0
        while sent < total:
            size = min(65536, total - sent)
            sent += size
            yield b"x" * size

    return StreamingResponse(chunks(), media_type="application/octet-stream")


async def status(request: Request) -> Response:
    return JSONResponse({"instance": _name(request)}, status_code=int(request.path_params["code"]))


async def die(request: Request) -> Response:
    """Record the call, then exit at once: the request arrived, no answer ever leaves."""
    calls_file = os.environ.get("UPSTREAM_CALLS_FILE")
    if calls_file:
        with open(calls_file, "a") as handle:  # noqa: ASYNC230 - the process exits next
            handle.write(_name(request) + "\n")
    os._exit(1)


def create_app(instance_id: str | None = None) -> Starlette:
    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/ping", ping),
            Route("/whoami", whoami),
            Route("/echo", echo, methods=_ALL),
            Route("/echo/{rest:path}", echo, methods=_ALL),
            Route("/slow", slow),  # the test gateway gives /slow* a 1 s timeout
            Route("/linger", slow),  # same, under the route's default timeout
            Route("/upload", upload, methods=["POST", "PUT"]),
            Route("/download", download),
            Route("/status/{code:int}", status, methods=_ALL),
            Route("/die", die, methods=_ALL),
        ]
    )
    app.state.instance = instance_id or os.environ.get("UPSTREAM_ID", "upstream")
    return app
