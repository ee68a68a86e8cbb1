"""The signed identity header: round trip, and every way a forged or stale one is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, Request
from hypothesis import given
from hypothesis import strategies as st

from burency_common.errors import Unauthenticated
from burency_common.identity import (
    IDENTITY_HEADER,
    Identity,
    identity_from_request,
    require_identity,
    require_role,
    sign_identity,
    verify_identity,
)
from burency_common.web import create_service_app

SECRET = b"s" * 32
OTHER_SECRET = b"o" * 32
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
ALICE = Identity(
    user_id="user-1",
    roles=frozenset({"trader"}),
    session_id="sess-1",
    token_id="jti-1",
    auth_method="jwt",
)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(body: dict[str, object], secret: bytes) -> str:
    """Build a header by hand, with the real algorithm and an arbitrary key."""
    segment = b64(json.dumps(body).encode())
    mac = hmac.new(secret, b"burency-identity.v1." + segment.encode(), hashlib.sha256).digest()
    return f"{segment}.{b64(mac)}"


def body(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "v": 1,
        "sub": "user-1",
        "roles": ["trader"],
        "sid": None,
        "jti": None,
        "amr": "jwt",
        "scp": [],
        "iat": int(NOW.timestamp()),
    }
    base.update(overrides)
    return base


def assert_refused(header: str, *, secret: bytes = SECRET, now: datetime = NOW) -> None:
    with pytest.raises(Unauthenticated) as caught:
        verify_identity(header, secret=secret, now=now)
    assert caught.value.code == "INVALID_IDENTITY_HEADER"
    assert caught.value.status == 401
    if len(header) > 3:
        assert header not in caught.value.detail


def test_round_trip() -> None:
    header = sign_identity(ALICE, secret=SECRET, now=NOW)
    assert verify_identity(header, secret=SECRET, now=NOW + timedelta(seconds=59)) == ALICE


def test_round_trip_api_key_identity_with_scopes() -> None:
    key = Identity(user_id="u-2", auth_method="api_key", scopes=frozenset({"read", "trade"}))
    header = sign_identity(key, secret=SECRET, now=NOW)
    assert verify_identity(header, secret=SECRET, now=NOW) == key


@given(
    user_id=st.text(min_size=1, max_size=40),
    roles=st.frozensets(st.text(min_size=1, max_size=10), max_size=5),
)
def test_round_trip_any_content(user_id: str, roles: frozenset[str]) -> None:
    identity = Identity(user_id=user_id, roles=roles)
    header = sign_identity(identity, secret=SECRET, now=NOW)
    assert verify_identity(header, secret=SECRET, now=NOW) == identity


def test_forged_with_another_key_is_refused() -> None:
    assert_refused(forge(body(roles=["admin"]), OTHER_SECRET))


def test_plain_unsigned_values_are_refused() -> None:
    for header in ("user-1", "", ".", "a.b", b64(json.dumps(body()).encode()) + "."):
        assert_refused(header)


def test_tampered_payload_is_refused() -> None:
    header = sign_identity(ALICE, secret=SECRET, now=NOW)
    _, mac = header.split(".")
    escalated = b64(json.dumps(body(roles=["admin"])).encode())
    assert_refused(f"{escalated}.{mac}")


def test_tampered_signature_is_refused() -> None:
    header = sign_identity(ALICE, secret=SECRET, now=NOW)
    flipped = header[:-2] + ("A" if header[-2] != "A" else "B") + header[-1]
    assert_refused(flipped)


def test_wrong_secret_is_refused() -> None:
    assert_refused(sign_identity(ALICE, secret=SECRET, now=NOW), secret=OTHER_SECRET)


def test_expired_is_refused() -> None:
    header = sign_identity(ALICE, secret=SECRET, now=NOW)
    assert_refused(header, now=NOW + timedelta(seconds=61))


def test_custom_max_age() -> None:
    header = sign_identity(ALICE, secret=SECRET, now=NOW)
    later = NOW + timedelta(seconds=10)
    with pytest.raises(Unauthenticated):
        verify_identity(header, secret=SECRET, now=later, max_age=timedelta(seconds=5))


def test_issued_in_the_future_is_refused() -> None:
    header = sign_identity(ALICE, secret=SECRET, now=NOW + timedelta(minutes=5))
    assert_refused(header)


def test_correctly_signed_but_malformed_content_is_refused() -> None:
    cases: list[dict[str, object]] = [
        body(v=2),
        body(sub=""),
        body(sub=7),
        body(roles="admin"),
        body(roles=[{"x": 1}]),
        body(amr="password"),
        body(iat="now"),
        body(iat=True),
        {"v": 1},
    ]
    for bad in cases:
        assert_refused(forge(bad, SECRET))
    segment = b64(b"not json")
    mac = hmac.new(SECRET, b"burency-identity.v1." + segment.encode(), hashlib.sha256)
    assert_refused(f"{segment}.{b64(mac.digest())}")


def test_oversized_header_is_refused() -> None:
    assert_refused("a" * 10_000 + "." + "b" * 43)


def test_short_secret_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        sign_identity(ALICE, secret=b"short", now=NOW)
    with pytest.raises(ValueError, match="32 bytes"):
        verify_identity("a.b", secret=b"short", now=NOW)


def test_identity_validates_its_fields() -> None:
    with pytest.raises(ValueError, match="user_id"):
        Identity(user_id="")
    with pytest.raises(ValueError, match="roles"):
        Identity(user_id="u", roles="admin")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="auth_method"):
        Identity(user_id="u", auth_method="password")  # type: ignore[arg-type]


# --- FastAPI helpers -------------------------------------------------------------------


def service_app(secret: bytes | None = SECRET) -> httpx.AsyncClient:
    app = create_service_app(name="example", version="0")
    if secret is not None:
        app.state.identity_secret = secret

    @app.get("/whoami")
    async def whoami(request: Request) -> dict[str, object]:
        identity = identity_from_request(request)
        return {"user": identity.user_id if identity else None}

    @app.get("/me")
    async def me(identity: Annotated[Identity, Depends(require_identity())]) -> dict[str, str]:
        return {"user": identity.user_id}

    @app.get("/admin")
    async def admin(
        identity: Annotated[Identity, Depends(require_role("admin"))],
    ) -> dict[str, str]:
        return {"user": identity.user_id}

    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://svc")


def header_for(identity: Identity) -> dict[str, str]:
    return {IDENTITY_HEADER: sign_identity(identity, secret=SECRET, now=datetime.now(UTC))}


async def test_request_without_header_is_anonymous() -> None:
    async with service_app() as client:
        assert (await client.get("/whoami")).json() == {"user": None}
        response = await client.get("/me")
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"


async def test_request_with_valid_header() -> None:
    async with service_app() as client:
        assert (await client.get("/whoami", headers=header_for(ALICE))).json() == {"user": "user-1"}
        assert (await client.get("/me", headers=header_for(ALICE))).status_code == 200


async def test_forged_header_is_401_not_anonymous() -> None:
    forged = {IDENTITY_HEADER: forge(body(roles=["admin"]), OTHER_SECRET)}
    async with service_app() as client:
        for path in ("/whoami", "/me", "/admin"):
            response = await client.get(path, headers=forged)
            assert response.status_code == 401
            assert response.json()["code"] == "INVALID_IDENTITY_HEADER"


async def test_require_role() -> None:
    admin = Identity(user_id="root", roles=frozenset({"admin"}))
    async with service_app() as client:
        denied = await client.get("/admin", headers=header_for(ALICE))
        allowed = await client.get("/admin", headers=header_for(admin))
        anonymous = await client.get("/admin")
    assert denied.status_code == 403
    assert denied.json()["code"] == "PERMISSION_DENIED"
    assert allowed.status_code == 200
    assert anonymous.status_code == 401


async def test_missing_secret_is_a_configuration_error() -> None:
    async with service_app(secret=None) as client:
        response = await client.get("/me", headers=header_for(ALICE))
        anonymous = await client.get("/whoami")
    assert response.status_code == 500
    assert response.json()["code"] == "CONFIGURATION_ERROR"
    assert anonymous.json() == {"user": None}


def test_require_role_needs_a_role() -> None:
    with pytest.raises(ValueError, match="at least one role"):
        require_role()
