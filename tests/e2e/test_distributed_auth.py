"""Distributed mode end to end: ``burency serve auth`` on PostgreSQL and Kafka behind
``burency serve gateway`` on JWKS and Redis; a user signs up, in, and out.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from burency_common.tokens import SigningKey
from burency_testing.infra import free_port, wait_until_ready

pytestmark = [pytest.mark.postgres, pytest.mark.kafka, pytest.mark.redis]

CLI = Path(sys.executable).parent / "burency"


def start(env: dict[str, str], service: str, log: Path) -> subprocess.Popen[bytes]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("BURENCY_")}
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(CLI), "serve", service], env={**base, **env}, stdout=out, stderr=out
        )


@pytest.fixture(scope="module")
def gateway_url(
    postgres_database_factory: Callable[..., str],
    kafka_bootstrap: str,
    redis_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    logs = tmp_path_factory.mktemp("distributed")
    identity_secret = secrets.token_urlsafe(32)
    auth_port, gateway_port = free_port(), free_port()
    common = {
        "BURENCY_MODE": "distributed",
        "BURENCY_IDENTITY_SECRET": identity_secret,
        # this run's own topics: other runs' history on the shared broker stays out
        "BURENCY_KAFKA_TOPIC_PREFIX": f"e2e-{secrets.token_hex(6)}.",
    }
    auth = start(
        {
            **common,
            "BURENCY_PORT": str(auth_port),
            "BURENCY_DATABASE_URL": postgres_database_factory(),
            "BURENCY_KAFKA_BOOTSTRAP": kafka_bootstrap,
            "BURENCY_SIGNING_KEYS": json.dumps([SigningKey.generate().to_pem().decode()]),
            "BURENCY_DATA_KEY": secrets.token_urlsafe(32),
            "BURENCY_ARGON2_MEMORY_COST_KIB": "19456",
        },
        "auth",
        logs / "auth.log",
    )
    auth_url = f"http://127.0.0.1:{auth_port}"
    gateway = start(
        {
            **common,
            "BURENCY_PORT": str(gateway_port),
            "BURENCY_UPSTREAMS": json.dumps({"auth": [auth_url]}),
            "BURENCY_JWKS_URL": f"{auth_url}/.well-known/jwks.json",
            "BURENCY_REDIS_URL": redis_url,
            "BURENCY_KAFKA_BOOTSTRAP": kafka_bootstrap,
            "BURENCY_RATE_LIMIT_KEY_PREFIX": f"e2e-auth-{secrets.token_hex(4)}",
        },
        "gateway",
        logs / "gateway.log",
    )
    try:
        wait_until_ready(auth_url, auth, path="/readyz", log=logs / "auth.log")
        gateway_url = f"http://127.0.0.1:{gateway_port}"
        wait_until_ready(gateway_url, gateway, path="/readyz", log=logs / "gateway.log")
        yield gateway_url
    finally:
        for proc in (gateway, auth):
            proc.terminate()
            proc.wait(timeout=15)


def test_sign_up_in_and_out_through_the_gateway(gateway_url: str) -> None:
    api = f"{gateway_url}/api/auth/v1"
    credentials = {
        "email": f"dist-{secrets.token_hex(4)}@example.com",
        "password": "a long pass phrase",
    }
    assert httpx.post(f"{api}/register", json=credentials).status_code == 202
    login = httpx.post(f"{api}/login", json=credentials)
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.json()['accessToken']}"}
    sessions = httpx.get(f"{api}/sessions", headers=headers)
    assert sessions.status_code == 200, sessions.text
    assert [s["current"] for s in sessions.json()["items"]] == [True]
    refreshed = httpx.post(
        f"{api}/token/refresh", json={"refreshToken": login.json()["refreshToken"]}
    )
    assert refreshed.status_code == 200
    assert httpx.get(f"{api}/admin/users", headers=headers).status_code == 403


def test_logout_reaches_the_gateway_over_kafka(gateway_url: str) -> None:
    api = f"{gateway_url}/api/auth/v1"
    credentials = {
        "email": f"out-{secrets.token_hex(4)}@example.com",
        "password": "a long pass phrase",
    }
    assert httpx.post(f"{api}/register", json=credentials).status_code == 202
    login = httpx.post(f"{api}/login", json=credentials)
    headers = {"Authorization": f"Bearer {login.json()['accessToken']}"}
    assert httpx.post(f"{api}/logout", headers=headers).status_code == 204
    deadline = time.monotonic() + 30
    while (response := httpx.get(f"{api}/sessions", headers=headers)).status_code == 200:
        assert time.monotonic() < deadline, "the revocation never reached the gateway"
        time.sleep(0.1)  # auth → outbox → Kafka → gateway → Redis, polled with a deadline
    assert response.status_code == 401
    assert response.json()["code"] == "TOKEN_REVOKED"
