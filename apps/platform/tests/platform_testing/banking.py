"""People and money on the embedded platform, driven over HTTP the way the SPA does:
sign-up with a verified address, 2FA, staff, KYC level 1, fiat and crypto deposits
(the simulated chain is staff-only)."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import pyotp

from burency_auth.service import bootstrap
from burency_platform.embedded import Platform
from burency_testing.waiting import eventually

from .email import verify_email

__all__ = [
    "BANK", "PASSWORD", "PROFILE", "Person", "admin", "balance", "chain", "crypto_deposits",
    "fiat_funded", "kyc_level_1", "post", "scan", "sign_in", "subject", "with_2fa",
]  # fmt: skip

PASSWORD = "a perfectly long pass phrase"
BANK = "/api/banking/v1"
PROFILE = {
    "firstName": "Layla", "lastName": "Haddad", "dateOfBirth": "1990-04-12", "country": "AE",
    "phone": "+971501234567",
    "address": {"line1": "1 Sheikh Zayed Rd", "city": "Dubai", "postalCode": "00000",
                "country": "AE"},
}  # fmt: skip


@dataclass
class Person:
    email: str
    user_id: str
    headers: dict[str, str]
    totp_secret: str | None = None
    last_step: int = 0
    keys: list[str] = field(default_factory=list)

    def code(self) -> str:
        """The next 2FA code auth accepts: one step after the last one used, within the
        ±1 step drift window (auth refuses a step at or before the last one)."""
        assert self.totp_secret is not None
        current = int(time.time()) // 30
        step = max(self.last_step + 1, current - 1)
        assert step <= current + 1, "no 2FA step left in this window"
        self.last_step = step
        return pyotp.TOTP(self.totp_secret).at(step * 30)


def subject(token: str) -> str:
    segment = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return str(claims["sub"])


async def sign_in(client: httpx.AsyncClient, email: str, *, register: bool = True) -> Person:
    if register:
        response = await client.post(
            "/api/auth/v1/register", json={"email": email, "password": PASSWORD}
        )
        assert response.status_code == 202, response.text
        await verify_email(client, email)  # money moves only from a verified address
    login = await client.post("/api/auth/v1/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    token = login.json()["accessToken"]
    return Person(email, subject(token), {"Authorization": f"Bearer {token}"})


async def with_2fa(client: httpx.AsyncClient, email: str) -> Person:
    person = await sign_in(client, email)
    enroll = await client.post("/api/auth/v1/2fa/enroll", headers=person.headers)
    assert enroll.status_code == 200, enroll.text
    person.totp_secret = enroll.json()["secret"]
    confirm = await client.post(
        "/api/auth/v1/2fa/confirm", json={"code": person.code()}, headers=person.headers
    )
    assert confirm.status_code == 200, confirm.text
    return person


async def admin(
    built: Platform, client: httpx.AsyncClient, email: str = "ops@example.com"
) -> Person:
    await bootstrap.create_admin(built.auth.context, email=email, password=PASSWORD)
    return await sign_in(client, email, register=False)


async def post(client: httpx.AsyncClient, path: str, who: Person, body: Any = None,
                key: str | None = None) -> httpx.Response:  # fmt: skip
    headers = dict(who.headers)
    if key is not None:
        headers["Idempotency-Key"] = key
    return await client.post(path, json=body if body is not None else {}, headers=headers)


async def balance(client: httpx.AsyncClient, who: Person, asset: str) -> dict[str, str]:
    response = await client.get(f"{BANK}/accounts", headers=who.headers)
    assert response.status_code == 200, response.text
    found = [a for a in response.json() if a["asset"] == asset]
    return found[0] if found else {"total": "0", "held": "0", "available": "0"}


async def kyc_level_1(client: httpx.AsyncClient, who: Person) -> None:
    """Through the users service: complete the profile, submit level 1 (approved on
    submission); banking learns the level from ``kyc.status_changed``."""
    profile = await client.patch("/api/users/v1/profile", json=PROFILE, headers=who.headers)
    assert profile.status_code == 200, profile.text
    submitted = await post(client, "/api/users/v1/kyc/submissions", who, {"level": 1})
    assert submitted.status_code == 201, submitted.text

    async def level_1() -> bool:
        limits = (await client.get(f"{BANK}/withdrawals/limits", headers=who.headers)).json()
        return all(x["level"] == 1 for x in limits)

    await eventually(level_1, "banking to see KYC level 1")


async def fiat_funded(client: httpx.AsyncClient, who: Person, admin: Person, amount: str) -> None:
    deposit = await post(client, f"{BANK}/deposits/fiat", who, {"amount": amount})
    assert deposit.status_code == 201, deposit.text
    approved = await post(
        client, f"{BANK}/admin/deposits/fiat/{deposit.json()['id']}/approve", admin, {},
        key=f"fund-{deposit.json()['id']}",
    )  # fmt: skip
    assert approved.status_code == 200, approved.text


async def chain(client: httpx.AsyncClient, who: Person, action: str, body: Any) -> dict[str, Any]:
    """Drive the simulated chain as ``who`` (staff: it is refused to users)."""
    response = await post(client, f"{BANK}/dev/chain/BTC/{action}", who, body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def scan(client: httpx.AsyncClient, who: Person) -> None:
    assert (await post(client, f"{BANK}/dev/chain/scan", who)).status_code == 204


async def crypto_deposits(client: httpx.AsyncClient, who: Person) -> list[dict[str, Any]]:
    response = await client.get(f"{BANK}/deposits/crypto", headers=who.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items
