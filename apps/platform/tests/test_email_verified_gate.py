"""Finding 5 of issue 13, through the gateway: an address nobody proved to own cannot
submit KYC, ask for a deposit (fiat or a crypto address), withdraw, send money to
another user or move money towards trading. After the link is followed, a refreshed
access token carries ``email_verified`` and the same requests pass that check."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from burency_platform.embedded import Platform, build_platform
from burency_platform.settings import PlatformSettings
from burency_testing.waiting import eventually

from .platform_testing import PlatformClient, verify_email

PASSWORD = "a perfectly long pass phrase"
BANK = "/api/banking/v1"
PROFILE = {
    "firstName": "Noor", "lastName": "Saleh", "dateOfBirth": "1991-02-03", "country": "AE",
    "phone": "+971501234568",
    "address": {"line1": "2 Sheikh Zayed Rd", "city": "Dubai", "postalCode": "00000",
                "country": "AE"},
}  # fmt: skip
# (method, path, json body or query, needs an Idempotency-Key)
GATED: list[tuple[str, str, dict[str, Any], bool]] = [
    ("POST", "/api/users/v1/kyc/submissions", {"level": 1}, False),
    ("POST", f"{BANK}/deposits/fiat", {"asset": "AED", "amount": "100.00"}, False),
    ("GET", f"{BANK}/deposits/crypto/address", {"asset": "BTC", "network": "BTC"}, False),
    ("POST", f"{BANK}/withdrawals/crypto", {"asset": "BTC", "network": "BTC",
     "address": "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "amount": "0.001",
     "totpCode": "123456"}, True),
    ("POST", f"{BANK}/withdrawals/fiat", {"asset": "AED", "amount": "50.00",
     "iban": "GB82WEST12345698765432", "totpCode": "123456"}, True),
    ("POST", f"{BANK}/transfers/internal", {"toEmail": "friend@example.com", "asset": "AED",
     "amount": "1.00"}, True),
    ("POST", f"{BANK}/transfers/trading", {"asset": "AED", "amount": "1.00"}, True),
]  # fmt: skip


@pytest.fixture
async def platform(tmp_path: Path, settings_factory: Any) -> AsyncIterator[PlatformClient]:
    settings = settings_factory(PlatformSettings, data_dir=tmp_path / "var")
    built: Platform = build_platform(settings)
    async with LifespanManager(built) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with PlatformClient(built, transport=transport, base_url="http://burency") as c:
            yield c


def _claims(token: str) -> dict[str, Any]:
    segment = token.split(".")[1]
    claims: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    )
    return claims


async def _register_and_login(client: httpx.AsyncClient, email: str) -> dict[str, Any]:
    registered = await client.post(
        "/api/auth/v1/register", json={"email": email, "password": PASSWORD}
    )
    assert registered.status_code == 202, registered.text
    login = await client.post("/api/auth/v1/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    tokens: dict[str, Any] = login.json()
    return tokens


async def _call(
    client: httpx.AsyncClient, token: str, gated: tuple[str, str, dict[str, Any], bool], n: int
) -> httpx.Response:
    method, path, body, keyed = gated
    headers = {"Authorization": f"Bearer {token}"}
    if keyed:
        headers["Idempotency-Key"] = f"gate-{n}-{path.rsplit('/', 1)[-1]}"
    if method == "GET":
        return await client.get(path, params=body, headers=headers)
    return await client.post(path, json=body, headers=headers)


async def _wait_until_known(client: httpx.AsyncClient, token: str) -> None:
    """Users and banking learn of a new account from ``user.registered``."""
    headers = {"Authorization": f"Bearer {token}"}

    async def known() -> bool:
        profile = await client.get("/api/users/v1/profile", headers=headers)
        accounts = await client.get(f"{BANK}/accounts", headers=headers)
        return profile.status_code == 200 and accounts.status_code == 200

    await eventually(known, "users and banking to learn of the new account")


async def test_unverified_address_is_refused_then_allowed_after_verify_and_refresh(
    platform: PlatformClient,
) -> None:
    client = platform
    friend = await _register_and_login(client, "friend@example.com")
    await _wait_until_known(client, friend["accessToken"])
    tokens = await _register_and_login(client, "newcomer@example.com")
    assert _claims(tokens["accessToken"])["email_verified"] is False
    await _wait_until_known(client, tokens["accessToken"])
    profile = await client.patch(
        "/api/users/v1/profile",
        json=PROFILE,
        headers={"Authorization": f"Bearer {tokens['accessToken']}"},
    )
    assert profile.status_code == 200, profile.text  # editing one's profile stays open

    for n, gated in enumerate(GATED):
        refused = await _call(client, tokens["accessToken"], gated, n)
        assert refused.status_code == 403, (gated[1], refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["code"] == "EMAIL_NOT_VERIFIED", gated[1]
        assert "verify" in refused.json()["detail"]

    await verify_email(client, "newcomer@example.com")
    # The access token in hand was issued before: it still says "not verified".
    stale = await _call(client, tokens["accessToken"], GATED[1], 99)
    assert stale.json()["code"] == "EMAIL_NOT_VERIFIED"

    refreshed = await client.post(
        "/api/auth/v1/token/refresh", json={"refreshToken": tokens["refreshToken"]}
    )
    assert refreshed.status_code == 200, refreshed.text
    fresh = refreshed.json()["accessToken"]
    assert _claims(fresh)["email_verified"] is True
    answers = [await _call(client, fresh, gated, 100 + n) for n, gated in enumerate(GATED)]
    for gated, answer in zip(GATED, answers, strict=True):
        assert answer.status_code != 403 or answer.json()["code"] != "EMAIL_NOT_VERIFIED", (
            gated[1],
            answer.text,
        )
    kyc, fiat, address = answers[0], answers[1], answers[2]
    assert kyc.status_code == 201, kyc.text
    assert fiat.status_code == 201, fiat.text
    assert address.status_code == 200, address.text


async def test_a_new_login_after_verifying_carries_the_claim(platform: PlatformClient) -> None:
    client = platform
    await _register_and_login(client, "later@example.com")
    await verify_email(client, "later@example.com")
    login = await client.post(
        "/api/auth/v1/login", json={"email": "later@example.com", "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    assert _claims(login.json()["accessToken"])["email_verified"] is True
