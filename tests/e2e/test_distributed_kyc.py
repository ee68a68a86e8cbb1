"""The whole KYC flow in distributed mode, through the gateway, on real infrastructure.

auth, users and files each run as ``burency serve <service>`` with their own
PostgreSQL database, events on Kafka, files in the S3 server, limits and revocations
in Redis. A user registers, completes the profile, uploads identity documents,
submits level 2; a compliance officer approves; the user is at level 2, and the
decision is on Kafka both as ``kyc.status_changed`` and as a ``SEND_NOTIFICATION``.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from PIL import Image

from burency_common.tokens import SigningKey
from burency_testing.infra import free_port, wait_until_ready

pytestmark = [pytest.mark.postgres, pytest.mark.kafka, pytest.mark.redis, pytest.mark.s3]

CLI = Path(sys.executable).parent / "burency"
PASSWORD = "a long and fine pass phrase"
ADMIN = "compliance-officer@example.com"


@dataclass
class Cluster:
    gateway: str
    kafka: str
    topic_prefix: str


def _start(env: dict[str, str], service: str, log: Path) -> subprocess.Popen[bytes]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("BURENCY_")}
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(CLI), "serve", service], env={**base, **env}, stdout=out, stderr=out
        )


def _s3_env() -> dict[str, str]:
    return {
        "BURENCY_STORAGE_BACKEND": "s3",
        "BURENCY_S3_ENDPOINT_URL": os.environ["BURENCY_TEST_S3_ENDPOINT"],
        "BURENCY_S3_ACCESS_KEY_ID": os.environ["BURENCY_TEST_S3_ACCESS_KEY_ID"],
        "BURENCY_S3_SECRET_ACCESS_KEY": os.environ["BURENCY_TEST_S3_SECRET_ACCESS_KEY"],
        "BURENCY_S3_REGION": os.environ["BURENCY_TEST_S3_REGION"],
        "BURENCY_S3_BUCKET": f"kyc-{secrets.token_hex(6)}",
        "BURENCY_S3_CREATE_BUCKET": "true",
    }


def _create_admin(env: dict[str, str]) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("BURENCY_")}
    done = subprocess.run(
        [sys.executable, "-m", "burency_auth.entrypoints.cli", "create-admin", "--email", ADMIN],
        env={**base, **env, "BURENCY_ADMIN_PASSWORD": PASSWORD},
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]


@pytest.fixture(scope="module")
def cluster(
    postgres_database_factory: Callable[..., str],
    kafka_bootstrap: str,
    redis_url: str,
    s3_endpoint: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Cluster]:
    logs = tmp_path_factory.mktemp("kyc")
    ports = {name: free_port() for name in ("auth", "users", "files", "gateway")}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    topic_prefix = f"e2e-{secrets.token_hex(6)}."
    common = {
        "BURENCY_MODE": "distributed",
        "BURENCY_IDENTITY_SECRET": secrets.token_urlsafe(32),
        "BURENCY_KAFKA_BOOTSTRAP": kafka_bootstrap,
        # this run's own topics: other runs' history on the shared broker stays out
        "BURENCY_KAFKA_TOPIC_PREFIX": topic_prefix,
    }
    auth_env = {
        **common,
        "BURENCY_PORT": str(ports["auth"]),
        "BURENCY_DATABASE_URL": postgres_database_factory(),
        "BURENCY_SIGNING_KEYS": json.dumps([SigningKey.generate().to_pem().decode()]),
        "BURENCY_DATA_KEY": secrets.token_urlsafe(32),
    }
    envs = {
        "auth": auth_env,
        "files": {
            **common,
            **_s3_env(),
            "BURENCY_PORT": str(ports["files"]),
            "BURENCY_DATABASE_URL": postgres_database_factory(),
        },
        "users": {
            **common,
            "BURENCY_PORT": str(ports["users"]),
            "BURENCY_DATABASE_URL": postgres_database_factory(),
            "BURENCY_FILES_URL": urls["files"],
        },
        "gateway": {
            **common,
            "BURENCY_PORT": str(ports["gateway"]),
            "BURENCY_UPSTREAMS": json.dumps({s: [urls[s]] for s in ("auth", "users", "files")}),
            "BURENCY_JWKS_URL": f"{urls['auth']}/.well-known/jwks.json",
            "BURENCY_REDIS_URL": redis_url,
            "BURENCY_RATE_LIMIT_KEY_PREFIX": f"e2e-kyc-{secrets.token_hex(4)}",
        },
    }
    procs = {name: _start(env, name, logs / f"{name}.log") for name, env in envs.items()}
    try:
        for name, proc in procs.items():
            wait_until_ready(urls[name], proc, path="/readyz", log=logs / f"{name}.log")
        _create_admin(auth_env)
        yield Cluster(gateway=urls["gateway"], kafka=kafka_bootstrap, topic_prefix=topic_prefix)
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            proc.wait(timeout=15)


def jpeg(color: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "JPEG")
    return buffer.getvalue()


class Api:
    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=f"{base}/api", timeout=30)
        self.headers: dict[str, str] = {}

    def login(self, email: str) -> None:
        response = self.http.post("/auth/v1/login", json={"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        self.headers = {"Authorization": f"Bearer {response.json()['accessToken']}"}

    def call(self, method: str, path: str, expect: int, **kwargs: Any) -> Any:
        response = self.http.request(method, path, headers=self.headers, **kwargs)
        assert response.status_code == expect, f"{method} {path}: {response.text}"
        return response.json() if response.content else None

    def upload(self, kind: str, content: bytes) -> str:
        files = {"file": (f"{kind}.jpg", content, "image/jpeg")}
        return str(self.call("POST", f"/files/v1/files?kind={kind}", 201, files=files)["id"])


def wait_for_profile(api: Api) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while (response := api.http.get("/users/v1/profile", headers=api.headers)).status_code == 404:
        assert time.monotonic() < deadline, "user.registered never reached the user service"
        time.sleep(0.1)  # Kafka delivery, polled with a deadline
    assert response.status_code == 200, response.text
    profile: dict[str, Any] = response.json()
    return profile


async def events_for(
    kafka: str, prefix: str, user_id: str, want: int
) -> dict[str, list[dict[str, Any]]]:
    consumer = AIOKafkaConsumer(
        f"{prefix}kyc.status_changed",
        f"{prefix}SEND_NOTIFICATION",
        bootstrap_servers=kafka,
        group_id=f"e2e-kyc-{secrets.token_hex(6)}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    found: dict[str, list[dict[str, Any]]] = {"kyc.status_changed": [], "SEND_NOTIFICATION": []}
    try:
        async with asyncio.timeout(60):
            while sum(map(len, found.values())) < want:
                batch = await consumer.getmany(timeout_ms=500)
                for records in batch.values():
                    for record in records:
                        envelope = json.loads(record.value)
                        payload = envelope["payload"]
                        if user_id in (payload.get("user_id"), *payload.get("user_ids", [])):
                            if envelope["type"] == "SEND_NOTIFICATION" and not str(
                                payload.get("event", "")
                            ).startswith("kyc."):
                                continue
                            found[record.topic.removeprefix(prefix)].append(payload)
    finally:
        await consumer.stop()
    return found


async def verification_token(kafka: str, prefix: str, user_id: str) -> str:
    """The token of the verification link auth asked the notifications service to e-mail."""
    consumer = AIOKafkaConsumer(
        f"{prefix}SEND_NOTIFICATION",
        bootstrap_servers=kafka,
        group_id=f"e2e-verify-{secrets.token_hex(6)}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        async with asyncio.timeout(60):
            while True:
                batch = await consumer.getmany(timeout_ms=500)
                for records in batch.values():
                    for record in records:
                        payload = json.loads(record.value)["payload"]
                        if payload.get("event") == "auth.verify_email" and user_id in payload.get(
                            "user_ids", []
                        ):
                            [token] = parse_qs(urlsplit(payload["data"]["url"]).query)["token"]
                            return str(token)
    finally:
        await consumer.stop()


def test_kyc_level_two_from_registration_to_approval(cluster: Cluster) -> None:
    user, officer = Api(cluster.gateway), Api(cluster.gateway)
    email = f"kyc-{secrets.token_hex(4)}@example.com"
    user.call("POST", "/auth/v1/register", 202, json={"email": email, "password": PASSWORD})
    user.login(email)
    user_id = wait_for_profile(user)["userId"]
    # KYC needs a verified address: follow the e-mailed link, then sign in again so the
    # access token carries email_verified.
    token = asyncio.run(verification_token(cluster.kafka, cluster.topic_prefix, user_id))
    user.call("POST", "/auth/v1/email-verification", 200, json={"token": token})
    user.login(email)

    user.call(
        "PATCH",
        "/users/v1/profile",
        200,
        json={
            "firstName": "Mariam",
            "lastName": "Al Mansoori",
            "dateOfBirth": "1990-04-12",
            "country": "AE",
            "phone": "+971501234567",
            "address": {"line1": "1 Sheikh Zayed Rd", "city": "Dubai", "country": "AE"},
        },
    )
    user.call("POST", "/users/v1/kyc/submissions", 201, json={"level": 1})
    documents = {
        "documentFront": user.upload("kyc_document", jpeg("white")),
        "documentBack": user.upload("kyc_document", jpeg("gray")),
        "selfie": user.upload("kyc_selfie", jpeg("tan")),
    }
    submission = user.call(
        "POST", "/users/v1/kyc/submissions", 201, json={"level": 2, "documents": documents}
    )

    officer.login(ADMIN)
    queue = officer.call("GET", "/users/v1/admin/kyc/submissions?status=PENDING&level=2", 200)
    assert submission["id"] in [item["id"] for item in queue["items"]]
    opened = officer.call("GET", f"/users/v1/admin/kyc/submissions/{submission['id']}", 200)
    assert len(opened["links"]) == 3
    for link in opened["links"]:
        download = httpx.get(link["url"], timeout=10)  # presigned by the files service
        assert download.status_code == 200
        assert download.content[:3] == b"\xff\xd8\xff", "the reviewer sees the JPEG"
    officer.call("POST", f"/users/v1/admin/kyc/submissions/{submission['id']}/approve", 200)

    assert user.call("GET", "/users/v1/kyc", 200)["level"] == 2
    events = asyncio.run(events_for(cluster.kafka, cluster.topic_prefix, user_id, want=5))
    statuses = [
        (e["requested_level"], e["status"], e["level"]) for e in events["kyc.status_changed"]
    ]
    assert (2, "APPROVED", 2) in statuses
    assert "kyc.approved" in [n["event"] for n in events["SEND_NOTIFICATION"]]
