"""Gateway pipeline CPU per request around the order lane, in process (no sockets).

Builds the gateway as embedded mode does (``build_gateway`` with the default route table,
a ``trading`` service whose order routes are direct routes) and drives its ASGI app with
a fake ``receive``/``send``: the order benchmark's mix of 6 placements (201) and 2
cancels (one 200, one 404 ``ORDER_NOT_FOUND`` raised by the handler), each with a bearer
token (verified once, then the token cache and the revocation check on every request),
rate limits counted (raised so they never refuse). The handlers do nothing, so the
figure is the gateway's own work: security headers, body limit, the Socket.IO router,
canonical path, route table, authentication, authorisation, rate limits, the direct
call and its deadline, the answer. The request-context middleware (request id, access
log: another area) is left out: the app driven is the one inside it, with the request
id already in the scope state as that middleware puts it.

Before/after in one run: ``BENCH_BASELINE`` (default ``34c4b24``, the code before the
pipeline work) has its ``services/gateway/src`` exported with ``git archive`` and put
first on ``PYTHONPATH`` of a child process; children for the baseline and the working
tree alternate in rounds so both see the same machine load, on uvloop as served. Each
child prints its figures as one JSON line; the medians go to
``bench/results/gateway_pipeline.json``.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from _common import write_result

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "40000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
BASELINE = os.environ.get("BENCH_BASELINE", "34c4b24")
_CHILD = "BENCH_GATEWAY_CHILD"
BODY = b'{"symbol":"BTC/AED","side":"BUY","type":"LIMIT","quantity":"0.01","price":"250000"}'


def _direct_routes() -> Any:
    from burency_common.direct import DirectResponse, DirectRoute, DirectRoutes  # noqa: PLC0415
    from burency_common.errors import NotFound  # noqa: PLC0415

    placed = b'{"orderId":"1","status":"NEW"}'

    async def place(_: Any) -> Any:
        return DirectResponse(201, placed)

    async def cancel(request: Any) -> Any:
        if request.params["orderId"].endswith("1"):
            raise NotFound("no such open order", code="ORDER_NOT_FOUND")
        return DirectResponse(200, placed)

    return DirectRoutes(
        [
            DirectRoute("POST", re.compile(r"/v1/orders"), place),
            DirectRoute("DELETE", re.compile(r"/v1/orders/(?P<orderId>[0-9]+)"), cancel),
        ]
    )


def _build() -> tuple[Any, str]:
    from burency_common.timeutil import utc_now  # noqa: PLC0415
    from burency_common.tokens import KeyRing, SigningKey, TokenType, issue_token  # noqa: PLC0415
    from burency_gateway.app import build_gateway  # noqa: PLC0415
    from burency_gateway.security import LocalKeySource  # noqa: PLC0415
    from burency_gateway.settings import GatewaySettings  # noqa: PLC0415

    for key in [k for k in os.environ if k.startswith("BURENCY_")]:
        del os.environ[key]
    keys = KeyRing(SigningKey.generate())
    settings = GatewaySettings(  # type: ignore[call-arg]
        _env_file=None, rate_limits="default=10000000/minute orders=10000000/10 second"
    )

    async def upstream(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the order lane must not reach the service's app")

    gateway = build_gateway(
        settings,
        services={"trading": upstream},
        key_source=LocalKeySource(keys.resolve),
        direct={"trading": _direct_routes()},
    )
    jwt = issue_token(
        keys,
        subject="trader-1",
        token_type=TokenType.ACCESS,
        issuer="burency-auth",
        audience="burency",
        ttl=timedelta(hours=1),
        now=utc_now(),
        claims={"roles": ["user"], "sid": "sid-1", "email_verified": True},
    )
    return gateway, jwt


def _scopes(jwt: str) -> list[tuple[dict[str, Any], bytes]]:
    auth = (b"authorization", b"Bearer " + jwt.encode())
    base = {"type": "http", "http_version": "1.1", "scheme": "http", "query_string": b"",
            "client": ("203.0.113.9", 40000), "server": ("127.0.0.1", 8000)}  # fmt: skip
    place = (b"/api/trading/v1/orders", "POST", BODY)
    cycle = [place] * 6 + [
        (b"/api/trading/v1/orders/1000", "DELETE", b""),
        (b"/api/trading/v1/orders/1001", "DELETE", b""),
    ]
    out = []
    for raw, method, body in cycle:
        headers = [(b"host", b"localhost:8000"), auth, (b"user-agent", b"wrk")]
        if body:
            headers += [(b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode())]  # fmt: skip
        scope = {**base, "method": method, "path": raw.decode(), "raw_path": raw,
                 "headers": headers}  # fmt: skip
        out.append((scope, body))
    return out


async def _drive(app: Any, jwt: str, requests: int) -> tuple[float, dict[int, int]]:
    """CPU seconds for ``requests`` requests through ``app``, and the statuses seen."""
    statuses: dict[int, int] = {}
    cycle = _scopes(jwt)

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses[message["status"]] = statuses.get(message["status"], 0) + 1

    started = time.process_time()
    for n in range(requests):
        template, body = cycle[n % len(cycle)]
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}  # noqa: B023

        scope = {**template, "state": {"request_id": f"req-{n}"}}
        await app(scope, receive, send)
    return time.process_time() - started, statuses


async def _child() -> dict[str, Any]:
    import gc  # noqa: PLC0415

    from asgi_lifespan import LifespanManager  # noqa: PLC0415

    gateway, jwt = _build()
    async with LifespanManager(gateway.app):
        inner = gateway.app.app  # inside RequestContextMiddleware (request id, access log)
        await _drive(inner, jwt, 2000)  # warm-up: token cache, keys, code paths
        gc.collect()
        gc.freeze()
        cpu, statuses = await _drive(inner, jwt, REQUESTS)
    import burency_gateway  # noqa: PLC0415

    return {
        "us_per_request": round(cpu / REQUESTS * 1e6, 2),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "gateway_src": str(Path(burency_gateway.__file__).parent),
    }


def _export(rev: str, into: Path) -> Path:
    archive = subprocess.run(["git", "archive", rev, "services/gateway/src"], cwd=ROOT,
                             check=True, capture_output=True).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "services/gateway/src"


def _run_child(src: Path | None) -> dict[str, Any]:
    env = {**os.environ, _CHILD: "1"}
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")])
    out = subprocess.run([sys.executable, __file__], env=env, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    figures: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return figures


def main() -> None:
    if os.environ.get(_CHILD):
        import uvloop  # noqa: PLC0415 - the serving processes' loop (burency_platform.serving)

        print(json.dumps(uvloop.run(_child())))
        return
    runs: dict[str, list[dict[str, Any]]] = {f"baseline {BASELINE}": [], "working tree": []}
    with tempfile.TemporaryDirectory() as tmp:
        old = _export(BASELINE, Path(tmp))
        for _ in range(ROUNDS):
            runs[f"baseline {BASELINE}"].append(_run_child(old))
            runs["working tree"].append(_run_child(None))
    figures: dict[str, Any] = {"requests_per_round": REQUESTS, "rounds": ROUNDS}
    for name, results in runs.items():
        figures[f"{name}: us/request (median)"] = statistics.median(
            r["us_per_request"] for r in results
        )
        figures[f"{name}: us/request (rounds)"] = [r["us_per_request"] for r in results]
        figures[f"{name}: statuses"] = results[-1]["statuses"]
    write_result("gateway_pipeline", figures)


if __name__ == "__main__":
    main()
