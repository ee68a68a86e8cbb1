"""``POST /internal/v1/second-factor/verify``: another service checks a user's 2FA code."""

from __future__ import annotations

from typing import Any

import httpx
import pyotp

from burency_common.identity import Identity

from .auth_testing.harness import Harness

PATH = "/internal/v1/second-factor/verify"
BANKING = Identity(user_id="service:banking", roles=frozenset({"service"}))


async def _user_with_2fa(harness: Harness, email: str) -> tuple[str, str, list[str]]:
    user_id = await harness.register(email)
    headers = harness.headers_for(await harness.signed_in(email))
    secret = (await harness.client.post("/v1/2fa/enroll", headers=headers)).json()["secret"]
    code = pyotp.TOTP(secret).at(harness.clock.now())
    confirm = await harness.client.post("/v1/2fa/confirm", json={"code": code}, headers=headers)
    assert confirm.status_code == 200, confirm.text
    harness.clock.advance(30)
    return user_id, secret, confirm.json()["recoveryCodes"]


async def _verify(
    harness: Harness, body: dict[str, Any], caller: Identity = BANKING
) -> httpx.Response:
    return await harness.client.post(PATH, json=body, headers=harness.identity_headers(caller))


def _wrong_code(secret: str, harness: Harness) -> str:
    """A 6-digit code that is none of the three codes accepted right now."""
    totp = pyotp.TOTP(secret)
    now = harness.clock.now()
    accepted = {totp.at(now, counter_offset=offset) for offset in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in accepted)


async def test_current_code_is_accepted_once(harness: Harness) -> None:
    user_id, secret, _ = await _user_with_2fa(harness, "sfa@example.com")
    code = pyotp.TOTP(secret).at(harness.clock.now())
    ok = await _verify(harness, {"userId": user_id, "code": code})
    assert ok.status_code == 204, ok.text
    replay = await _verify(harness, {"userId": user_id, "code": code})
    assert (replay.status_code, replay.json()["code"]) == (403, "TOTP_REUSED")
    # the step used here is also spent for sign-in
    login = await harness.login("sfa@example.com", totpCode=code)
    assert (login.status_code, login.json()["code"]) == (403, "TOTP_REUSED")


async def test_wrong_code_is_refused(harness: Harness) -> None:
    user_id, secret, _ = await _user_with_2fa(harness, "sfb@example.com")
    wrong = await _verify(harness, {"userId": user_id, "code": _wrong_code(secret, harness)})
    assert (wrong.status_code, wrong.json()["code"]) == (403, "TOTP_INVALID")
    garbage = await _verify(harness, {"userId": user_id, "code": "not-a-code"})
    assert (garbage.status_code, garbage.json()["code"]) == (403, "TOTP_INVALID")


async def test_recovery_code_works_once(harness: Harness) -> None:
    user_id, _, codes = await _user_with_2fa(harness, "sfc@example.com")
    assert (await _verify(harness, {"userId": user_id, "code": codes[0]})).status_code == 204
    again = await _verify(harness, {"userId": user_id, "code": codes[0]})
    assert (again.status_code, again.json()["code"]) == (403, "TOTP_INVALID")


async def test_user_without_2fa_and_unknown_user(harness: Harness) -> None:
    user_id = await harness.register("sfd@example.com")
    off = await _verify(harness, {"userId": user_id, "code": "123456"})
    assert (off.status_code, off.json()["code"]) == (409, "TOTP_NOT_ENABLED")
    unknown = await _verify(harness, {"userId": "no-such-user", "code": "123456"})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "USER_NOT_FOUND")


async def test_failures_are_throttled_like_sign_in(harness: Harness) -> None:
    user_id, secret, _ = await _user_with_2fa(harness, "sfe@example.com")
    wrong = _wrong_code(secret, harness)
    limit = harness.component.settings.login_max_failures_per_ip
    for _ in range(limit):
        response = await _verify(harness, {"userId": user_id, "code": wrong, "ip": "203.0.113.9"})
        assert response.json()["code"] == "TOTP_INVALID"
    blocked = await _verify(harness, {"userId": user_id, "code": wrong, "ip": "203.0.113.9"})
    assert (blocked.status_code, blocked.json()["code"]) == (429, "LOGIN_THROTTLED")
    # a correct code does not get through while throttled either
    right = pyotp.TOTP(secret).at(harness.clock.now())
    still = await _verify(harness, {"userId": user_id, "code": right, "ip": "203.0.113.9"})
    assert still.status_code == 429


async def test_only_allowed_services_may_ask(harness: Harness) -> None:
    user_id, secret, _ = await _user_with_2fa(harness, "sff@example.com")
    code = pyotp.TOTP(secret).at(harness.clock.now())
    anonymous = await harness.client.post(PATH, json={"userId": user_id, "code": code})
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "INVALID_IDENTITY_HEADER")
    user = Identity(user_id=user_id, roles=frozenset({"user"}))
    as_user = await _verify(harness, {"userId": user_id, "code": code}, caller=user)
    assert (as_user.status_code, as_user.json()["code"]) == (403, "NOT_AN_ALLOWED_SERVICE")
    other = Identity(user_id="service:users", roles=frozenset({"service"}))
    as_users = await _verify(harness, {"userId": user_id, "code": code}, caller=other)
    assert as_users.status_code == 403
    # a refused caller consumed nothing: the code still works for banking
    assert (await _verify(harness, {"userId": user_id, "code": code})).status_code == 204


async def test_bad_body_is_a_422(harness: Harness) -> None:
    response = await _verify(harness, {"userId": 5, "code": ""})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_me_says_whether_2fa_is_on(harness: Harness) -> None:
    """``GET /v1/me``: the web app leads a user without 2FA to enable it first."""
    await harness.register("plain@example.com")
    plain = harness.headers_for(await harness.signed_in("plain@example.com"))
    me = (await harness.client.get("/v1/me", headers=plain)).json()
    assert (me["email"], me["roles"], me["emailVerified"], me["totpEnabled"]) == (
        "plain@example.com", ["user"], False, False)  # fmt: skip
    _, secret, _ = await _user_with_2fa(harness, "sfa-me@example.com")
    code = pyotp.TOTP(secret).at(harness.clock.now())
    login = await harness.login("sfa-me@example.com", totpCode=code)
    assert login.status_code == 200, login.text
    me = (await harness.client.get("/v1/me", headers=harness.headers_for(login.json()))).json()
    assert (me["email"], me["totpEnabled"]) == ("sfa-me@example.com", True)
    assert (await harness.client.get("/v1/me")).status_code == 401
