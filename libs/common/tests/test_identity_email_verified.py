"""``Identity.email_verified`` on the wire and :func:`require_verified_email` (issue 13,
finding 5): additive within version 1, and a header without it never counts as verified."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import Depends, FastAPI

from burency_common.identity import (
    EMAIL_NOT_VERIFIED,
    IDENTITY_HEADER,
    Identity,
    require_verified_email,
    sign_identity,
    verify_identity,
)
from burency_common.timeutil import utc_now
from burency_common.web import create_service_app

SECRET = b"k" * 32
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _older_header(secret: bytes, now: datetime) -> str:
    """A correctly signed header in the shape signers used before ``ev`` existed."""
    body = {"v": 1, "sub": "u-old", "roles": ["user"], "sid": None, "jti": None, "amr": "jwt",
            "scp": [], "iat": int(now.timestamp())}  # fmt: skip
    segment = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    mac = hmac.new(secret, b"burency-identity.v1." + segment.encode(), hashlib.sha256).digest()
    return f"{segment}.{_b64(mac)}"


def test_the_flag_round_trips_and_defaults_to_not_verified() -> None:
    verified = Identity(user_id="u-1", email_verified=True)
    assert verify_identity(sign_identity(verified, secret=SECRET, now=NOW), secret=SECRET,
                           now=NOW).email_verified is True  # fmt: skip
    plain = Identity(user_id="u-2")
    assert plain.email_verified is False
    assert verify_identity(sign_identity(plain, secret=SECRET, now=NOW), secret=SECRET,
                           now=NOW).email_verified is False  # fmt: skip


def test_a_header_from_an_older_signer_means_not_verified() -> None:
    identity = verify_identity(_older_header(SECRET, NOW), secret=SECRET, now=NOW)
    assert identity.user_id == "u-old"
    assert identity.email_verified is False


def test_the_flag_must_be_a_bool() -> None:
    with pytest.raises(ValueError, match="email_verified"):
        Identity(user_id="u", email_verified="yes")  # type: ignore[arg-type]


@pytest.fixture
def app() -> FastAPI:
    app = create_service_app(name="verified-test", version="0")
    app.state.identity_secret = secrets.token_bytes(32)

    @app.post("/deposits", dependencies=[Depends(require_verified_email())])
    async def deposit() -> dict[str, str]:
        return {"ok": "yes"}

    return app


async def _post(app: FastAPI, header: str | None) -> httpx.Response:
    headers = {IDENTITY_HEADER: header} if header is not None else {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.post("/deposits", headers=headers)


async def test_require_verified_email_refuses_with_its_code(app: FastAPI) -> None:
    secret = app.state.identity_secret
    anonymous = await _post(app, None)
    assert anonymous.status_code == 401
    unverified = await _post(app, sign_identity(Identity("u"), secret=secret, now=utc_now()))
    assert unverified.status_code == 403
    assert unverified.headers["content-type"].startswith("application/problem+json")
    body = unverified.json()
    assert body["code"] == EMAIL_NOT_VERIFIED == "EMAIL_NOT_VERIFIED"
    assert "verify your e-mail address" in body["detail"]
    older = await _post(app, _older_header(secret, utc_now()))
    assert older.json()["code"] == EMAIL_NOT_VERIFIED
    verified = Identity("u", email_verified=True)
    allowed = await _post(app, sign_identity(verified, secret=secret, now=utc_now()))
    assert allowed.status_code == 200, allowed.text
