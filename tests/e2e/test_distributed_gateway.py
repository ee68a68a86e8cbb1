"""Distributed mode end to end: two ``burency serve gateway`` processes, real upstreams,
a JWKS endpoint, a shared Redis, configured only through ``BURENCY_*`` variables.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from burency_common.identity import IDENTITY_HEADER, verify_identity
from burency_common.timeutil import utc_now
from burency_common.tokens import KeyRing, SigningKey, TokenType, build_jwks, issue_token
from burency_testing.infra import free_port, wait_until_ready

pytestmark = [pytest.mark.redis, pytest.mark.kafka]

UPSTREAM = "burency_testing.proxy_rig.proxy_upstream"
SECRET = "distributed-test-identity-secret-0123456789"
KEYS = KeyRing(SigningKey.generate())


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    body = json.dumps(build_jwks(KEYS)).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
    server.shutdown()


@pytest.fixture(scope="module")
def cluster(jwks_url: str, redis_url: str, kafka_bootstrap: str) -> Iterator[list[str]]:
    procs: list[subprocess.Popen[bytes]] = []
    upstream_port = free_port()
    upstream = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", f"{UPSTREAM}:create_app", "--factory",
         "--port", str(upstream_port), "--log-level", "warning"],
        env={**os.environ, "UPSTREAM_ID": "users-1"},
    )  # fmt: skip
    procs.append(upstream)
    wait_until_ready(f"http://127.0.0.1:{upstream_port}", upstream)
    prefix = f"e2e-{os.getpid()}-{time.monotonic_ns()}"
    gateways = []
    for _ in range(2):
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("BURENCY_")},
            "BURENCY_MODE": "distributed",
            "BURENCY_PORT": str(port),
            "BURENCY_UPSTREAMS": json.dumps({"users": [f"http://127.0.0.1:{upstream_port}"]}),
            "BURENCY_JWKS_URL": jwks_url,
            "BURENCY_IDENTITY_SECRET": SECRET,
            "BURENCY_REDIS_URL": redis_url,
            "BURENCY_KAFKA_BOOTSTRAP": kafka_bootstrap,
            "BURENCY_RATE_LIMITS": "default=10/minute",
            "BURENCY_RATE_LIMIT_KEY_PREFIX": prefix,
        }
        cli = Path(sys.executable).parent / "burency"
        proc = subprocess.Popen([str(cli), "serve", "gateway"], env=env)
        procs.append(proc)
        gateways.append(f"http://127.0.0.1:{port}")
        wait_until_ready(gateways[-1], proc)
    yield gateways
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


def bearer(subject: str) -> dict[str, str]:
    value = issue_token(
        KEYS,
        subject=subject,
        token_type=TokenType.ACCESS,
        issuer="burency-auth",
        audience="burency",
        ttl=timedelta(minutes=5),
        now=utc_now(),
        claims={"roles": ["user"], "sid": "s"},
    )
    return {"Authorization": f"Bearer {value}"}


def test_token_verified_through_jwks_and_identity_signed_for_the_service(
    cluster: list[str],
) -> None:
    response = httpx.get(f"{cluster[0]}/api/users/echo", headers=bearer("u-dist-1"))
    assert response.status_code == 200
    seen = dict(response.json()["headers"])
    identity = verify_identity(seen[IDENTITY_HEADER.lower()], secret=SECRET.encode(), now=utc_now())
    assert identity.user_id == "u-dist-1"
    assert seen["x-forwarded-prefix"] == "/api/users"


def test_rate_limits_are_shared_by_gateways_on_one_redis(cluster: list[str]) -> None:
    headers = bearer("u-dist-rl")
    first = httpx.get(f"{cluster[0]}/api/users/whoami", headers=headers)
    assert first.status_code == 200
    assert first.headers["x-ratelimit-limit"] == "10"
    remaining = int(first.headers["x-ratelimit-remaining"])  # the IP window is shared too
    statuses = [
        httpx.get(f"{cluster[(i + 1) % 2]}/api/users/whoami", headers=headers).status_code
        for i in range(remaining + 1)
    ]
    assert statuses[:remaining] == [200] * remaining, statuses
    refused = httpx.get(f"{cluster[1]}/api/users/whoami", headers=headers)
    assert statuses[remaining] == 429
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
