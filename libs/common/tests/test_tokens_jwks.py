"""JWKSClient against a real HTTP server on 127.0.0.1, counting requests."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from burency_common.tokens import (
    JWKSClient,
    KeyRing,
    SigningKey,
    TokenAlgorithmNotAllowed,
    TokenKeysUnavailable,
    TokenKeyUnknown,
    TokenMalformed,
    TokenType,
    build_jwks,
    issue_token,
    parse_jwks,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
VERIFY: dict[str, Any] = {
    "issuer": "iss",
    "audience": "aud",
    "expected_type": TokenType.ACCESS,
    "now": NOW,
}


class JWKSServer:
    """A tiny JWKS endpoint: serves ``document`` (or ``status``), counts GETs."""

    def __init__(self) -> None:
        self.document: Any = {"keys": []}
        self.status = 200
        self.delay = 0.0
        self.requests = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with server._lock:
                    server.requests += 1
                time.sleep(server.delay)
                doc = server.document
                body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/.well-known/jwks.json"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def publish(self, ring: KeyRing) -> None:
        self.document = build_jwks(ring)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def server() -> Iterator[JWKSServer]:
    srv = JWKSServer()
    srv.thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(server: JWKSServer, http: httpx.AsyncClient, clock: FakeClock) -> JWKSClient:
    return JWKSClient(server.url, http=http, clock=clock)


def issue(key: SigningKey) -> str:
    return issue_token(
        key,
        subject="u",
        token_type=TokenType.ACCESS,
        issuer="iss",
        audience="aud",
        ttl=timedelta(minutes=15),
        now=NOW,
    )


async def test_round_trip_and_cache(server: JWKSServer, client: JWKSClient) -> None:
    key = SigningKey.generate()
    server.publish(KeyRing(key))
    for _ in range(5):
        verified = await client.verify(issue(key), **VERIFY)
        assert verified.kid == key.kid
    assert server.requests == 1


async def test_cache_ttl(server: JWKSServer, client: JWKSClient, clock: FakeClock) -> None:
    key = SigningKey.generate()
    server.publish(KeyRing(key))
    await client.get_key(key.kid)
    clock.advance(299)
    await client.get_key(key.kid)
    assert server.requests == 1
    clock.advance(2)
    await client.get_key(key.kid)
    assert server.requests == 2


async def test_unknown_kid_refreshes_once_then_rate_limits(
    server: JWKSServer, client: JWKSClient, clock: FakeClock
) -> None:
    old, new = SigningKey.generate(), SigningKey.generate()
    ring = KeyRing(old)
    server.publish(ring)
    assert (await client.verify(issue(old), **VERIFY)).kid == old.kid
    assert server.requests == 1

    clock.advance(31)  # the auth service rotates; its new token reaches us first
    server.publish(ring.rotate(new))
    assert (await client.verify(issue(new), **VERIFY)).kid == new.kid
    assert server.requests == 2  # unknown kid: one refresh
    assert (await client.verify(issue(old), **VERIFY)).kid == old.kid  # still published
    assert server.requests == 2

    stranger = SigningKey.generate()
    with pytest.raises(TokenKeyUnknown) as info:
        await client.verify(issue(stranger), **VERIFY)
    assert info.value.code == "TOKEN_UNKNOWN_KEY"
    assert server.requests == 2  # within min_refresh_interval: no fetch

    clock.advance(30)
    with pytest.raises(TokenKeyUnknown):
        await client.get_key(stranger.kid)
    assert server.requests == 3


async def test_random_kids_cannot_hammer_auth_service(
    server: JWKSServer, client: JWKSClient, clock: FakeClock
) -> None:
    server.publish(KeyRing(SigningKey.generate()))
    for _ in range(50):
        with pytest.raises(TokenKeyUnknown):
            await client.verify(issue(SigningKey.generate()), **VERIFY)
        clock.advance(0.5)
    assert server.requests == 1


async def test_removed_key_becomes_unknown(
    server: JWKSServer, client: JWKSClient, clock: FakeClock
) -> None:
    old, new = SigningKey.generate(), SigningKey.generate()
    ring = KeyRing(old).rotate(new)
    server.publish(ring)
    await client.get_key(old.kid)
    server.publish(ring.drop(old.kid))
    clock.advance(301)
    with pytest.raises(TokenKeyUnknown):
        await client.verify(issue(old), **VERIFY)


async def test_concurrent_callers_share_one_refresh(server: JWKSServer, client: JWKSClient) -> None:
    key = SigningKey.generate()
    server.publish(KeyRing(key))
    server.delay = 0.2
    keys = await asyncio.gather(*(client.get_key(key.kid) for _ in range(20)))
    assert all(k == key.public_key for k in keys)
    assert server.requests == 1
    results = await asyncio.gather(
        *(client.get_key(SigningKey.generate().kid) for _ in range(20)), return_exceptions=True
    )
    assert all(isinstance(r, TokenKeyUnknown) for r in results)
    assert server.requests == 1  # within min_refresh_interval of the first fetch


async def test_header_is_vetted_before_any_fetch(server: JWKSServer, client: JWKSClient) -> None:
    key = SigningKey.generate()
    payload = issue(key).split(".")[1]
    none_header = "eyJhbGciOiJub25lIiwia2lkIjoieCJ9"  # {"alg":"none","kid":"x"}
    with pytest.raises(TokenAlgorithmNotAllowed):
        await client.verify(f"{none_header}.{payload}.", **VERIFY)
    with pytest.raises(TokenMalformed):
        await client.verify("garbage", **VERIFY)
    with pytest.raises(TokenKeyUnknown):
        await client.get_key("not a kid!")
    assert server.requests == 0


async def test_only_public_ed25519_eddsa_keys_are_used(
    server: JWKSServer, client: JWKSClient
) -> None:
    good, other = SigningKey.generate(kid="good"), SigningKey.generate()
    jwk = other.public_jwk()
    server.document = {
        "keys": [
            good.public_jwk(),
            {**good.public_jwk(), "x": jwk["x"]},  # duplicate kid: first one wins
            {"kty": "RSA", "kid": "rsa", "alg": "RS256", "n": "AQAB", "e": "AQAB"},
            {"kty": "oct", "kid": "hmac", "alg": "HS256", "k": "c2VjcmV0"},
            {**jwk, "kid": "x25519", "crv": "X25519"},
            {**jwk, "kid": "noalg", "alg": None},
            {**jwk, "kid": "rs", "alg": "RS256"},
            {**jwk, "kid": "enc", "use": "enc"},
            {**jwk, "kid": "private", "d": "AAAA"},
            "not a dict",
        ]
    }
    assert await client.get_key("good") == good.public_key
    for kid in ["rsa", "hmac", "x25519", "noalg", "rs", "enc", "private"]:
        with pytest.raises(TokenKeyUnknown):
            await client.get_key(kid)
    assert server.requests == 1


@pytest.mark.parametrize(
    ("status", "document"),
    [(500, {"keys": []}), (404, b"nope"), (200, b"not json"), (200, [1]), (200, {"keys": 1})],
)
async def test_unavailable_on_first_fetch(
    server: JWKSServer, client: JWKSClient, status: int, document: Any
) -> None:
    server.status, server.document = status, document
    with pytest.raises(TokenKeysUnavailable) as info:
        await client.get_key("k1")
    assert info.value.code == "TOKEN_KEYS_UNAVAILABLE"


async def test_oversized_document(server: JWKSServer, client: JWKSClient) -> None:
    server.document = {"keys": [], "pad": "x" * 100_000}
    with pytest.raises(TokenKeysUnavailable):
        await client.get_key("k1")


async def test_unreachable_endpoint(http: httpx.AsyncClient) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = JWKSClient(f"http://127.0.0.1:{port}/jwks", http=http)
    with pytest.raises(TokenKeysUnavailable):
        await client.get_key("k1")


async def test_stale_keys_survive_an_outage_for_max_stale(
    server: JWKSServer, client: JWKSClient, clock: FakeClock
) -> None:
    key = SigningKey.generate()
    server.publish(KeyRing(key))
    await client.get_key(key.kid)
    server.status = 503
    clock.advance(301)
    assert await client.get_key(key.kid) == key.public_key  # failed refresh, stale key
    assert server.requests == 2
    await client.get_key(key.kid)
    assert server.requests == 2  # failures are rate-limited too
    clock.advance(3600)
    with pytest.raises(TokenKeysUnavailable):
        await client.get_key(key.kid)
    server.status = 200
    clock.advance(30)
    assert await client.get_key(key.kid) == key.public_key  # recovers


def test_build_and_parse_jwks() -> None:
    a, b = SigningKey.generate(), SigningKey.generate()
    ring = KeyRing(b, [a])
    document = build_jwks(ring)
    assert [k["kid"] for k in document["keys"]] == [b.kid, a.kid]
    assert all("d" not in k for k in document["keys"])
    assert build_jwks(ring.verification_keys()) == document
    assert parse_jwks(json.loads(json.dumps(document))) == {
        b.kid: b.public_key,
        a.kid: a.public_key,
    }


async def test_mock_transport_refresh_counting(clock: FakeClock) -> None:
    key = SigningKey.generate()
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(200, json=build_jwks(KeyRing(key)))

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = JWKSClient("https://auth.test/jwks", http=http, clock=clock)
        await client.get_key(key.kid)
        with pytest.raises(TokenKeyUnknown):
            await client.get_key("unknown")
        clock.advance(30)
        with pytest.raises(TokenKeyUnknown):
            await client.get_key("unknown")
    assert calls == ["https://auth.test/jwks"] * 2
