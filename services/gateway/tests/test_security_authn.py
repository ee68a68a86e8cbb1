"""Authenticator and authorize(): every way in, every way refused, with exact status and code."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from burency_common.errors import (
    BurencyError,
    PermissionDenied,
    ServiceUnavailable,
    Unauthenticated,
)
from burency_common.identity import Identity
from burency_common.tokens import (
    JWKSClient,
    KeyRing,
    SigningKey,
    TokenType,
    build_jwks,
    issue_token,
)
from burency_gateway.routes import MatchedRoute, default_route_table
from burency_gateway.security import (
    Authenticator,
    AuthRequest,
    LocalKeySource,
    MemoryRevocationStore,
    RedisRevocationStore,
    authorize,
    strip_internal_headers,
)

NOW = datetime(2026, 3, 1, 12, 0, 30, tzinfo=UTC)
ISS = "burency-auth"
AUD = "burency-api"
TTL = timedelta(minutes=15)


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing(SigningKey.generate())


@pytest.fixture
def store() -> MemoryRevocationStore:
    return MemoryRevocationStore(clock=lambda: NOW)


@pytest.fixture
def authn(ring: KeyRing, store: MemoryRevocationStore) -> Authenticator:
    return Authenticator(
        LocalKeySource(ring), issuer=ISS, audience=AUD, revocations=store, clock=lambda: NOW
    )


def token(
    ring: KeyRing,
    *,
    token_type: TokenType = TokenType.ACCESS,
    audience: str = AUD,
    issuer: str = ISS,
    now: datetime = NOW,
    roles: Any = ("trader",),
    **claims: Any,
) -> str:
    extra = {"roles": list(roles) if isinstance(roles, tuple) else roles, "sid": "sess-1"}
    extra.update(claims)
    return issue_token(
        ring,
        subject="user-1",
        token_type=token_type,
        issuer=issuer,
        audience=audience,
        ttl=TTL,
        now=now,
        claims=extra,
    )


def bearer(value: str) -> str:
    return f"Bearer {value}"


def jti_of(value: str) -> str:
    payload = value.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["jti"])


async def refused(authn: Authenticator, header: str | None) -> BurencyError:
    with pytest.raises(BurencyError) as caught:
        await authn.authenticate(header)
    secret = (header or "").removeprefix("Bearer ").strip()
    if len(secret) > 3:
        assert secret not in caught.value.detail
    return caught.value


def route(method: str, path: str) -> MatchedRoute:
    matched = default_route_table().match(method, path)
    assert matched is not None
    return matched


# --- authentication ----------------------------------------------------------------


async def test_no_header_is_anonymous(authn: Authenticator) -> None:
    assert await authn.authenticate(None) is None


async def test_valid_access_token_maps_claims(authn: Authenticator, ring: KeyRing) -> None:
    value = token(ring)
    identity = await authn.authenticate(bearer(value))
    assert identity == Identity(
        user_id="user-1",
        roles=frozenset({"trader"}),
        session_id="sess-1",
        token_id=jti_of(value),
        auth_method="jwt",
    )


async def test_scheme_is_case_insensitive(authn: Authenticator, ring: KeyRing) -> None:
    assert await authn.authenticate("bearer  " + token(ring)) is not None


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda r: token(r, now=NOW - TTL - timedelta(minutes=5)), "TOKEN_EXPIRED"),
        (lambda r: token(r, audience="someone-else"), "TOKEN_INVALID_AUDIENCE"),
        (lambda r: token(r, issuer="evil"), "TOKEN_INVALID_ISSUER"),
        (lambda r: token(r, token_type=TokenType.REFRESH), "TOKEN_WRONG_TYPE"),
        (lambda r: token(r, now=NOW + timedelta(minutes=10)), "TOKEN_NOT_YET_VALID"),
        (lambda r: token(KeyRing(SigningKey.generate())), "TOKEN_UNKNOWN_KEY"),
        (lambda r: token(r, roles="admin"), "TOKEN_MALFORMED"),
        (lambda r: token(r, sid=42), "TOKEN_MALFORMED"),
        (lambda r: "not-a-jwt", "TOKEN_MALFORMED"),
    ],
    ids=["expired", "audience", "issuer", "refresh", "future", "kid", "roles", "sid", "junk"],
)
async def test_bad_tokens_are_401_with_their_code(
    authn: Authenticator, ring: KeyRing, make: Any, code: str
) -> None:
    error = await refused(authn, bearer(make(ring)))
    assert isinstance(error, Unauthenticated)
    assert (error.status, error.code) == (401, code)
    assert "invalid_token" in error.headers["WWW-Authenticate"]


async def test_tampered_token_is_invalid_signature(authn: Authenticator, ring: KeyRing) -> None:
    header, payload, signature = token(ring).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["roles"] = ["admin"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    error = await refused(authn, bearer(f"{header}.{forged}.{signature}"))
    assert (error.status, error.code) == (401, "TOKEN_INVALID_SIGNATURE")


async def test_tampered_signature_is_invalid_signature(authn: Authenticator, ring: KeyRing) -> None:
    value = token(ring)
    flipped = value[:-3] + ("A" if value[-3] != "A" else "B") + value[-2:]
    error = await refused(authn, bearer(flipped))
    assert (error.status, error.code) == (401, "TOKEN_INVALID_SIGNATURE")


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Token abc", "", "   ", "abc.def.ghi"])
async def test_other_schemes_are_unsupported(authn: Authenticator, header: str) -> None:
    error = await refused(authn, header)
    assert (error.status, error.code) == (401, "UNSUPPORTED_AUTH_SCHEME")


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Bearer a b"])
async def test_empty_or_split_bearer_is_malformed(authn: Authenticator, header: str) -> None:
    error = await refused(authn, header)
    assert (error.status, error.code) == (401, "TOKEN_MALFORMED")


# --- revocation --------------------------------------------------------------------


async def test_revoked_jti(
    authn: Authenticator, ring: KeyRing, store: MemoryRevocationStore
) -> None:
    value = token(ring)
    await store.revoke_token(jti_of(value), NOW + TTL)
    error = await refused(authn, bearer(value))
    assert (error.status, error.code) == (401, "TOKEN_REVOKED")
    assert await authn.authenticate(bearer(token(ring))) is not None  # other tokens still fine


async def test_revoked_session(
    authn: Authenticator, ring: KeyRing, store: MemoryRevocationStore
) -> None:
    await store.revoke_session("sess-1", NOW + TTL)
    error = await refused(authn, bearer(token(ring)))
    assert (error.status, error.code) == (401, "TOKEN_REVOKED")
    assert await authn.authenticate(bearer(token(ring, sid="sess-2"))) is not None


async def test_user_revoked_before(
    authn: Authenticator, ring: KeyRing, store: MemoryRevocationStore
) -> None:
    cutoff = NOW.replace(microsecond=500_000)
    old = token(ring, now=NOW - timedelta(minutes=1))
    same_second = token(ring, now=cutoff - timedelta(milliseconds=1))
    fresh = token(ring, now=cutoff)  # auth's own token issued at the cut-off instant
    await store.revoke_user_before("user-1", cutoff, NOW + TTL)
    for revoked in (old, same_second):  # exact, not whole seconds (issue #13 finding 4)
        error = await refused(authn, bearer(revoked))
        assert (error.status, error.code) == (401, "TOKEN_REVOKED")
    assert await authn.authenticate(bearer(fresh)) is not None


async def test_revocation_store_down_is_503(ring: KeyRing) -> None:
    store = RedisRevocationStore("redis://127.0.0.1:1/0", socket_timeout=0.5)
    authn = Authenticator(LocalKeySource(ring), issuer=ISS, audience=AUD, revocations=store)
    try:
        assert not await store.healthy()
        with pytest.raises(ServiceUnavailable) as caught:
            await authn.authenticate(bearer(token(ring, now=datetime.now(UTC))))
    finally:
        await store.aclose()
    assert (caught.value.status, caught.value.code) == (503, "REVOCATION_UNAVAILABLE")


# --- distributed mode: JWKS ----------------------------------------------------------


@pytest.fixture
async def jwks_http(ring: KeyRing) -> AsyncIterator[dict[str, Any]]:
    state: dict[str, Any] = {"up": True, "calls": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        state["calls"] += 1
        if not state["up"]:
            return httpx.Response(503)
        return httpx.Response(200, json=build_jwks(ring))

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        state["http"] = http
        yield state


async def test_jwks_mode_verifies_tokens(
    jwks_http: dict[str, Any], ring: KeyRing, store: MemoryRevocationStore
) -> None:
    jwks = JWKSClient("http://auth/.well-known/jwks.json", http=jwks_http["http"])
    authn = Authenticator(jwks, issuer=ISS, audience=AUD, revocations=store, clock=lambda: NOW)
    identity = await authn.authenticate(bearer(token(ring)))
    assert identity is not None
    assert identity.user_id == "user-1"
    error = await refused(authn, bearer(token(ring, token_type=TokenType.REFRESH)))
    assert (error.status, error.code) == (401, "TOKEN_WRONG_TYPE")


async def test_jwks_unavailable_is_503(
    jwks_http: dict[str, Any], ring: KeyRing, store: MemoryRevocationStore
) -> None:
    jwks_http["up"] = False
    jwks = JWKSClient("http://auth/.well-known/jwks.json", http=jwks_http["http"])
    authn = Authenticator(jwks, issuer=ISS, audience=AUD, revocations=store, clock=lambda: NOW)
    with pytest.raises(ServiceUnavailable) as caught:
        await authn.authenticate(bearer(token(ring)))
    assert (caught.value.status, caught.value.code) == (503, "TOKEN_KEYS_UNAVAILABLE")
    assert caught.value.headers["Retry-After"]


# --- API-key extension point -------------------------------------------------------


class FakeApiKeys:
    def __init__(self) -> None:
        self.seen: list[AuthRequest] = []

    def accepts(self, request: AuthRequest) -> bool:
        return "x-api-key" in request.headers

    async def verify(self, request: AuthRequest) -> Identity:
        self.seen.append(request)
        if request.headers["x-api-key"] != "good":
            raise Unauthenticated("API key is invalid", code="API_KEY_INVALID")
        return Identity(user_id="bot-1", auth_method="api_key", scopes=frozenset({"trade"}))


async def test_api_key_verifier_gets_the_request(
    ring: KeyRing, store: MemoryRevocationStore
) -> None:
    keys = FakeApiKeys()
    authn = Authenticator(LocalKeySource(ring), issuer=ISS, audience=AUD, revocations=store)
    authn_with_keys = Authenticator(
        LocalKeySource(ring), issuer=ISS, audience=AUD, revocations=store, api_keys=keys
    )
    assert await authn.authenticate(None, headers={"X-API-Key": "good"}) is None
    identity = await authn_with_keys.authenticate(
        None,
        method="POST",
        path="/api/trading/v1/orders",
        query="a=1",
        headers={"X-API-Key": "good"},
    )
    assert identity is not None
    assert identity.auth_method == "api_key"
    assert keys.seen[0].method == "POST"
    assert keys.seen[0].query == "a=1"
    with pytest.raises(Unauthenticated) as caught:
        await authn_with_keys.authenticate(None, headers={"X-API-Key": "bad"})
    assert caught.value.code == "API_KEY_INVALID"


async def test_bearer_and_api_key_together_is_ambiguous(
    ring: KeyRing, store: MemoryRevocationStore
) -> None:
    authn = Authenticator(
        LocalKeySource(ring), issuer=ISS, audience=AUD, revocations=store, api_keys=FakeApiKeys()
    )
    with pytest.raises(Unauthenticated) as caught:
        await authn.authenticate(bearer(token(ring)), headers={"X-API-Key": "good"})
    assert caught.value.code == "AMBIGUOUS_CREDENTIALS"


# --- authorization -------------------------------------------------------------------

USER = Identity(user_id="user-1", roles=frozenset({"trader"}))
ADMIN = Identity(user_id="root", roles=frozenset({"admin"}))


def test_public_route_admits_anyone() -> None:
    authorize(route("GET", "/api/trading/v1/markets"), None)
    authorize(route("GET", "/api/trading/v1/markets"), USER)


def test_user_route_without_identity_is_401() -> None:
    with pytest.raises(Unauthenticated) as caught:
        authorize(route("POST", "/api/trading/v1/orders"), None)
    assert (caught.value.status, caught.value.code) == (401, "UNAUTHENTICATED")
    authorize(route("POST", "/api/trading/v1/orders"), USER)


def test_role_route() -> None:
    metrics = route("GET", "/api/users/metrics")
    with pytest.raises(Unauthenticated) as anonymous:
        authorize(metrics, None)
    assert (anonymous.value.status, anonymous.value.code) == (401, "UNAUTHENTICATED")
    with pytest.raises(PermissionDenied) as denied:
        authorize(metrics, USER)
    assert (denied.value.status, denied.value.code) == (403, "PERMISSION_DENIED")
    authorize(metrics, ADMIN)
    authorize(route("GET", "/api/users/v1/admin/users"), ADMIN)


def test_role_route_without_roles_admits_nobody() -> None:
    base = route("GET", "/api/users/metrics")
    empty = MatchedRoute(
        service=base.service,
        upstream_path=base.upstream_path,
        access=base.access,
        roles=frozenset(),
        rate_class=base.rate_class,
        timeout=base.timeout,
    )
    with pytest.raises(PermissionDenied):
        authorize(empty, ADMIN)


async def test_end_to_end_user_token_on_admin_route(authn: Authenticator, ring: KeyRing) -> None:
    trader = await authn.authenticate(bearer(token(ring)))
    admin = await authn.authenticate(bearer(token(ring, roles=("admin",))))
    with pytest.raises(PermissionDenied):
        authorize(route("GET", "/api/users/metrics"), trader)
    authorize(route("GET", "/api/users/metrics"), admin)


def test_strip_internal_headers() -> None:
    raw = [
        (b"x-burency-identity", b"forged"),
        (b"X-Burency-Anything", b"x"),
        (b"authorization", b"Bearer t"),
        (b"x-request-id", b"r"),
    ]
    assert strip_internal_headers(raw) == [(b"authorization", b"Bearer t"), (b"x-request-id", b"r")]


def test_api_keys_are_refused_on_staff_routes() -> None:
    from burency_common.errors import PermissionDenied
    from burency_common.identity import Identity
    from burency_gateway.routes import default_route_table

    route = default_route_table().match("GET", "/api/users/v1/admin/users")
    assert route is not None
    admin_bot = Identity(
        user_id="admin-1",
        roles=frozenset({"admin"}),
        auth_method="api_key",
        scopes=frozenset({"read"}),
    )
    with pytest.raises(PermissionDenied) as caught:
        authorize(route, admin_bot)
    assert caught.value.code == "API_KEY_NOT_ALLOWED"
    authorize(route, Identity(user_id="admin-1", roles=frozenset({"admin"})))
