"""TOTP two-factor authentication and recovery codes."""

from __future__ import annotations

from typing import Any

import pyotp
from sqlalchemy import select

from burency_auth.adapters.orm import users

from .auth_testing.harness import PASSWORD, Harness


async def _enable_2fa(harness: Harness, email: str) -> tuple[str, list[str], dict[str, Any]]:
    await harness.register(email)
    tokens = await harness.signed_in(email)
    headers = harness.headers_for(tokens)
    enroll = await harness.client.post("/v1/2fa/enroll", headers=headers)
    assert enroll.status_code == 200
    secret = enroll.json()["secret"]
    assert enroll.json()["otpauthUri"].startswith("otpauth://totp/")
    code = pyotp.TOTP(secret).at(harness.clock.now())
    confirm = await harness.client.post("/v1/2fa/confirm", json={"code": code}, headers=headers)
    assert confirm.status_code == 200
    codes = confirm.json()["recoveryCodes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    harness.clock.advance(30)
    return secret, codes, tokens


async def test_secret_is_stored_encrypted(harness: Harness) -> None:
    secret, _, _ = await _enable_2fa(harness, "ivy@example.com")
    async with harness.component.engine.connect() as conn:
        stored = await conn.scalar(select(users.c.totp_secret))
    assert stored is not None
    assert secret.encode() not in stored


async def test_login_with_2fa_requires_a_valid_code(harness: Harness) -> None:
    secret, _, _ = await _enable_2fa(harness, "jon@example.com")
    missing = await harness.login("jon@example.com")
    assert (missing.status_code, missing.json()["code"]) == (403, "TOTP_REQUIRED")
    wrong = await harness.login("jon@example.com", totpCode="000000")
    if pyotp.TOTP(secret).verify("000000", for_time=harness.clock.now(), valid_window=1):
        return  # one in ~300000: the random secret happens to accept 000000 now
    assert (wrong.status_code, wrong.json()["code"]) == (403, "TOTP_INVALID")
    code = pyotp.TOTP(secret).at(harness.clock.now())
    assert (await harness.login("jon@example.com", totpCode=code)).status_code == 200


async def test_a_totp_code_works_only_once(harness: Harness) -> None:
    secret, _, _ = await _enable_2fa(harness, "kim@example.com")
    code = pyotp.TOTP(secret).at(harness.clock.now())
    assert (await harness.login("kim@example.com", totpCode=code)).status_code == 200
    reused = await harness.login("kim@example.com", totpCode=code)
    assert (reused.status_code, reused.json()["code"]) == (403, "TOTP_REUSED")


async def test_recovery_code_works_once(harness: Harness) -> None:
    _, codes, _ = await _enable_2fa(harness, "lea@example.com")
    assert (await harness.login("lea@example.com", totpCode=codes[0])).status_code == 200
    again = await harness.login("lea@example.com", totpCode=codes[0])
    assert (again.status_code, again.json()["code"]) == (403, "TOTP_INVALID")


async def test_disable_needs_password_and_code(harness: Harness) -> None:
    secret, _, tokens = await _enable_2fa(harness, "max@example.com")
    headers = harness.headers_for(tokens)
    code = pyotp.TOTP(secret).at(harness.clock.now())
    wrong = await harness.client.post(
        "/v1/2fa/disable", json={"password": "nope nope nope", "code": code}, headers=headers
    )
    assert (wrong.status_code, wrong.json()["code"]) == (403, "INVALID_PASSWORD")
    ok = await harness.client.post(
        "/v1/2fa/disable", json={"password": PASSWORD, "code": code}, headers=headers
    )
    assert ok.status_code == 204
    assert (await harness.login("max@example.com")).status_code == 200
    again = await harness.client.post(
        "/v1/2fa/disable", json={"password": PASSWORD, "code": code}, headers=headers
    )
    assert (again.status_code, again.json()["code"]) == (409, "TOTP_NOT_ENABLED")


async def test_confirm_without_enrolment_conflicts(harness: Harness) -> None:
    await harness.register("ned@example.com")
    headers = harness.headers_for(await harness.signed_in("ned@example.com"))
    response = await harness.client.post(
        "/v1/2fa/confirm", json={"code": "123456"}, headers=headers
    )
    assert (response.status_code, response.json()["code"]) == (409, "TOTP_NOT_ENROLLED")
