"""RemoteApiKeyVerifier against a small auth app that implements the internal contract.

The fake auth service below is the reference implementation of
``POST /internal/v1/api-keys/verify`` from docs/api-keys.md: an in-memory key table,
the real ``verify_signed_request`` and ``ip_allowed``, problem+json refusals.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from burency_common.apikeys import (
    new_api_key,
    sign,
)
from burency_common.errors import (
    BurencyError,
    PermissionDenied,
    ServiceUnavailable,
    Unauthenticated,
)
from burency_common.identity import IDENTITY_HEADER, Identity, verify_identity
from burency_common.timeutil import to_epoch_ms
from burency_gateway.app import MONEY_OUT_SCOPES
from burency_gateway.security import Authenticator, AuthRequest, MemoryRevocationStore
from burency_gateway.security.apikey import (
    VERIFY_PATH,
    PostJson,
    RemoteApiKeyVerifier,
    path_scopes,
)
from burency_gateway.security.authn import LocalKeySource

from .upstreams.fake_auth import Key, auth_app

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
NOW_MS = to_epoch_ms(NOW)
IDENTITY_SECRET = b"i" * 32
CLIENT_IP = "203.0.113.7"
BODY = b'{"symbol":"BTC-USDT","side":"buy","qty":"0.5"}'


@dataclass
class World:
    keys: dict[str, Key]
    http: httpx.AsyncClient
    trade_key: str
    read_key: str
    fenced_key: str

    def make_verifier(self, **kwargs: Any) -> RemoteApiKeyVerifier:
        """A verifier talking to the fake auth app through an ASGI transport (embedded mode)."""
        kwargs.setdefault("identity_secret", IDENTITY_SECRET)
        return RemoteApiKeyVerifier(
            client_ip=client_ip, http=self.http, base_url="http://auth", clock=lambda: NOW, **kwargs
        )

    @property
    def verifier(self) -> RemoteApiKeyVerifier:
        return self.make_verifier()


@pytest.fixture
async def world() -> AsyncIterator[World]:
    (trade, trade_secret), (read, read_secret), (fenced, fenced_secret) = (
        new_api_key() for _ in range(3)
    )
    keys = {
        trade: Key(trade_secret, "user-1", ("read", "trade")),
        read: Key(read_secret, "user-2", ("read",)),
        fenced: Key(fenced_secret, "user-3", ("read", "trade"), ("198.51.100.0/24",)),
    }
    transport = httpx.ASGITransport(app=auth_app(keys, now=NOW, identity_secret=IDENTITY_SECRET))
    async with httpx.AsyncClient(transport=transport) as http:
        yield World(keys, http, trade, read, fenced)


def client_ip(request: AuthRequest) -> str | None:
    return request.headers.get("x-test-client-ip", CLIENT_IP)


def signed_request(
    world: World,
    key_id: str,
    *,
    method: str = "POST",
    query: str | None = None,
    body: bytes = BODY,
    sent_query: str | None = None,
    timestamp: int = NOW_MS,
    path: str = "/api/trading/v1/orders",
    headers: dict[str, str] | None = None,
) -> AuthRequest:
    """Sign ``query`` like a client; ``sent_query`` replaces it on the wire (tampering)."""
    if query is None:
        query = f"symbol=BTC-USDT&timestamp={timestamp}"
    signature = sign(world.keys[key_id].secret, query, body)
    return AuthRequest(
        method=method,
        path=path,
        query=f"{sent_query or query}&signature={signature}",
        headers={"x-burency-apikey": key_id, **(headers or {})},
        body=body,
    )


def lone_request(query: str = f"timestamp={NOW_MS}") -> tuple[str, AuthRequest]:
    """A correctly signed GET for a fresh key no auth service knows; returns (key id, request)."""
    key_id, secret = new_api_key()
    sent = f"{query}&signature={sign(secret, query)}"
    return key_id, AuthRequest("GET", "/api/x", sent, {"x-burency-apikey": key_id})


async def never_called(url: str, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
    raise AssertionError("not called")


def post_verifier(post: PostJson, **kwargs: Any) -> RemoteApiKeyVerifier:
    kwargs.setdefault("client_ip", client_ip)
    return RemoteApiKeyVerifier(
        identity_secret=IDENTITY_SECRET, post=post, clock=lambda: NOW, **kwargs
    )


async def refusal(world: World, request: AuthRequest) -> BurencyError:
    with pytest.raises(BurencyError) as excinfo:
        await world.verifier.verify(request)
    return excinfo.value


async def test_valid_request_yields_api_key_identity(world: World) -> None:
    identity = await world.verifier.verify(signed_request(world, world.trade_key))
    assert identity == Identity(
        user_id="user-1",
        roles=frozenset({"trader"}),
        auth_method="api_key",
        scopes=frozenset({"read", "trade"}),
    )


async def test_read_only_key_may_get(world: World) -> None:
    request = signed_request(world, world.read_key, method="GET", body=b"")
    identity = await world.verifier.verify(request)
    assert identity.scopes == frozenset({"read"})


async def test_accepts_only_requests_with_the_header(world: World) -> None:
    assert world.verifier.accepts(signed_request(world, world.trade_key))
    assert not world.verifier.accepts(AuthRequest(method="GET", path="/", headers={}))


async def test_changed_parameter_is_signature_invalid(world: World) -> None:
    request = signed_request(
        world, world.trade_key, sent_query=f"symbol=ETH-USDT&timestamp={NOW_MS}"
    )
    error = await refusal(world, request)
    assert isinstance(error, Unauthenticated)
    assert (error.status, error.code) == (401, "API_KEY_SIGNATURE_INVALID")


async def test_changed_body_is_signature_invalid(world: World) -> None:
    request = signed_request(world, world.trade_key)
    tampered = replace(request, body=BODY.replace(b"0.5", b"50"))
    assert (await refusal(world, tampered)).code == "API_KEY_SIGNATURE_INVALID"


@pytest.mark.parametrize("offset_ms", [-5001, 1000, -3_600_000])
async def test_timestamp_outside_recv_window(world: World, offset_ms: int) -> None:
    request = signed_request(world, world.trade_key, timestamp=NOW_MS + offset_ms)
    error = await refusal(world, request)
    assert (error.status, error.code) == (401, "API_KEY_TIMESTAMP_OUTSIDE_RECV_WINDOW")


@pytest.mark.parametrize(
    ("query", "code"),
    [
        (f"timestamp={NOW_MS - 10_000}", "API_KEY_TIMESTAMP_OUTSIDE_RECV_WINDOW"),
        (f"timestamp={NOW_MS + 1000}", "API_KEY_TIMESTAMP_OUTSIDE_RECV_WINDOW"),
        (f"timestamp={NOW_MS}&recvWindow=60001", "API_KEY_RECV_WINDOW_INVALID"),
        ("recvWindow=5000", "API_KEY_TIMESTAMP_MISSING"),
        (None, "API_KEY_SIGNATURE_MISSING"),
    ],
)
async def test_cheap_refusals_never_reach_auth(query: str | None, code: str) -> None:
    _, request = lone_request(query or f"timestamp={NOW_MS}")
    if query is None:
        request = AuthRequest("GET", "/api/x", f"timestamp={NOW_MS}", request.headers)
    with pytest.raises(BurencyError) as excinfo:
        await post_verifier(never_called).verify(request)
    assert excinfo.value.code == code


async def test_wrong_ip_is_403(world: World) -> None:
    request = signed_request(world, world.fenced_key)
    error = await refusal(world, request)
    assert isinstance(error, PermissionDenied)
    assert (error.status, error.code) == (403, "API_KEY_IP_NOT_ALLOWED")
    allowed = signed_request(world, world.fenced_key, headers={"x-test-client-ip": "198.51.100.9"})
    assert (await world.verifier.verify(allowed)).user_id == "user-3"


async def test_read_only_key_cannot_post(world: World) -> None:
    error = await refusal(world, signed_request(world, world.read_key, method="POST"))
    assert isinstance(error, PermissionDenied)
    assert (error.status, error.code) == (403, "API_KEY_SCOPE_MISSING")


async def test_withdraw_scope_is_declared_by_path(world: World) -> None:
    scopes = path_scopes({"/api/wallet/v1/withdrawals*": "withdraw"})
    verifier, path = world.make_verifier(required_scope=scopes), "/api/wallet/v1/withdrawals"
    with pytest.raises(PermissionDenied) as excinfo:
        await verifier.verify(signed_request(world, world.trade_key, path=path))
    assert excinfo.value.code == "API_KEY_SCOPE_MISSING"
    listing = signed_request(world, world.trade_key, method="GET", path=path, body=b"")
    assert (await verifier.verify(listing)).user_id == "user-1"
    with pytest.raises(ValueError, match="unknown scope"):
        path_scopes({"/x": "admin"})


@pytest.mark.parametrize(
    "path", ["/api/banking/v1/withdrawals", "/api/banking/v1/transfers/internal"]
)
async def test_a_trading_key_cannot_send_money_away(world: World, path: str) -> None:
    """The gateway's own declaration: withdrawals and transfers to another user need
    ``withdraw``; moving funds to one's own trading wallet needs only ``trade``."""
    verifier = world.make_verifier(required_scope=path_scopes(MONEY_OUT_SCOPES))
    with pytest.raises(PermissionDenied):
        await verifier.verify(signed_request(world, world.trade_key, path=path))
    own = signed_request(world, world.trade_key, path="/api/banking/v1/transfers/trading")
    assert (await verifier.verify(own)).user_id == "user-1"


@pytest.mark.parametrize("key_id", ["", "short", "x" * 43 + "!"])
async def test_malformed_key_is_unknown(world: World, key_id: str) -> None:
    request = AuthRequest("GET", "/api/x", "timestamp=1", {"x-burency-apikey": key_id})
    assert (await refusal(world, request)).code == "API_KEY_UNKNOWN"


async def test_unknown_key_is_401(world: World) -> None:
    stranger, secret = new_api_key()
    world.keys[stranger] = Key(secret, "nobody", ("read",))
    request = signed_request(world, stranger)
    del world.keys[stranger]
    error = await refusal(world, request)
    assert (error.status, error.code) == (401, "API_KEY_UNKNOWN")


async def connection_refused(
    url: str, body: dict[str, Any], headers: dict[str, str]
) -> httpx.Response:
    raise httpx.ConnectError("connection refused")


def refuse_connection(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused")


@pytest.mark.parametrize("mode", ["post", "http"])
async def test_auth_down_is_503(mode: str) -> None:
    _, request = lone_request()
    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse_connection)) as http:
        if mode == "post":
            verifier = post_verifier(connection_refused)
        else:
            verifier = RemoteApiKeyVerifier(
                identity_secret=IDENTITY_SECRET, client_ip=client_ip, http=http, clock=lambda: NOW
            )
        with pytest.raises(ServiceUnavailable) as excinfo:
            await verifier.verify(request)
    assert (excinfo.value.status, excinfo.value.code) == (503, "API_KEY_VERIFICATION_UNAVAILABLE")
    assert excinfo.value.headers["Retry-After"] == "1"


GOOD = {"userId": "u", "roles": ["trader"], "scopes": ["read"]}


@pytest.mark.parametrize(
    ("status", "answer"),
    [
        (500, {"code": "INTERNAL_ERROR"}),
        (401, {"code": "INVALID_IDENTITY_HEADER"}),  # wrong shared secret: not the client's fault
        (403, {"code": "API_KEY_UNKNOWN"}),  # status and code disagree
        (404, {"code": "NOT_FOUND"}),
        (200, "not json"),
        (200, {**GOOD, "roles": "trader"}),
        (200, {**GOOD, "scopes": [""]}),
        (200, {**GOOD, "userId": ""}),
        (200, {**GOOD, "userId": 7}),
        (200, {**GOOD, "keyId": "another-key"}),
    ],
)
async def test_unexpected_auth_answers_are_503(status: int, answer: object) -> None:
    key_id, request = lone_request()
    seen: list[tuple[str, dict[str, Any], dict[str, str]]] = []

    async def post(url: str, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        seen.append((url, body, headers))
        if isinstance(answer, dict):
            return httpx.Response(status, json={"keyId": key_id, **answer})
        return httpx.Response(status, content=str(answer).encode())

    verifier = post_verifier(post, client_ip=lambda r: None, base_url="http://auth/")
    with pytest.raises(ServiceUnavailable):
        await verifier.verify(request)
    url, body, headers = seen[0]
    assert url == "http://auth" + VERIFY_PATH
    query = request.query.rpartition("&signature=")[0]
    assert body == {
        "apiKey": key_id,
        "payload": base64.b64encode(query.encode()).decode(),
        "signature": request.query.rpartition("=")[2],
        "timestamp": NOW_MS,
        "recvWindow": 5000,
        "ip": None,
        "method": "GET",
        "path": "/api/x",
    }
    caller = verify_identity(headers[IDENTITY_HEADER], secret=IDENTITY_SECRET, now=NOW)
    assert (caller.user_id, caller.roles) == ("service:gateway", frozenset({"service"}))


async def test_good_answer_through_post_hook() -> None:
    key_id, request = lone_request()

    async def post(url: str, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        return httpx.Response(200, json={**GOOD, "keyId": key_id})  # the happy path, via post=

    identity = await post_verifier(post).verify(request)
    assert (identity.user_id, identity.auth_method) == ("u", "api_key")
    assert identity.scopes == frozenset({"read"})


async def test_wrong_identity_secret_is_503_not_401(world: World) -> None:
    verifier = world.make_verifier(identity_secret=b"w" * 32)
    with pytest.raises(ServiceUnavailable):
        await verifier.verify(signed_request(world, world.trade_key))


def test_constructor_guards() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        RemoteApiKeyVerifier(identity_secret=IDENTITY_SECRET, client_ip=client_ip)
    with pytest.raises(ValueError, match="identity_secret"):
        RemoteApiKeyVerifier(identity_secret=b"short", client_ip=client_ip, post=never_called)


async def test_authenticator_routes_api_keys_to_the_verifier(world: World) -> None:
    authn = Authenticator(
        LocalKeySource({}),
        issuer="burency-auth",
        audience="burency-api",
        revocations=MemoryRevocationStore(clock=lambda: NOW),
        api_keys=world.verifier,
        clock=lambda: NOW,
    )
    query = f"symbol=BTC-USDT&timestamp={NOW_MS}"
    signature = sign(world.keys[world.read_key].secret, query)
    identity = await authn.authenticate(
        None,
        method="GET",
        path="/api/trading/v1/orders",
        query=f"{query}&signature={signature}",
        headers={"X-BURENCY-APIKEY": world.read_key},
    )
    assert identity is not None
    assert identity.auth_method == "api_key"
    with pytest.raises(Unauthenticated) as excinfo:
        await authn.authenticate(
            "Bearer x.y.z", method="GET", headers={"X-BURENCY-APIKEY": world.read_key}
        )
    assert excinfo.value.code == "AMBIGUOUS_CREDENTIALS"
