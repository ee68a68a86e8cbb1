"""Refresh-token rotation, grace-window replay, reuse detection and expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from burency_common.events.auth import AUTH_TOKENS_REVOKED
from burency_common.tokens import TokenMalformed, TokenType, TokenTypeInvalid, verify_token

from .auth_testing.harness import Harness


async def _refresh(harness: Harness, token: str) -> tuple[int, dict[str, object]]:
    response = await harness.client.post("/v1/token/refresh", json={"refreshToken": token})
    return response.status_code, response.json()


async def test_refresh_rotates_and_the_new_pair_works(harness: Harness) -> None:
    await harness.register("ray@example.com")
    first = await harness.signed_in("ray@example.com")
    harness.clock.advance(60)
    status, second = await _refresh(harness, first["refreshToken"])
    assert status == 200
    assert second["refreshToken"] != first["refreshToken"]
    assert second["accessToken"] != first["accessToken"]
    old, new = harness.verify(first["accessToken"]), harness.verify(str(second["accessToken"]))
    assert old.claims["sid"] == new.claims["sid"], "same session (refresh family)"
    status, _ = await _refresh(harness, str(second["refreshToken"]))
    assert status == 200


async def test_grace_window_replay_returns_the_same_pair(harness: Harness) -> None:
    await harness.register("sue@example.com")
    first = await harness.signed_in("sue@example.com")
    _, second = await _refresh(harness, first["refreshToken"])
    harness.clock.advance(5)
    status, replay = await _refresh(harness, first["refreshToken"])
    assert status == 200
    assert replay == second, "a concurrent tab gets the same pair, not a second one"


async def test_reused_refresh_token_revokes_the_whole_family(harness: Harness) -> None:
    await harness.register("tom@example.com")
    first = await harness.signed_in("tom@example.com")
    _, second = await _refresh(harness, first["refreshToken"])
    harness.clock.advance(11)
    status, body = await _refresh(harness, first["refreshToken"])
    assert (status, body["code"]) == (401, "REFRESH_TOKEN_REUSED")
    status, body = await _refresh(harness, str(second["refreshToken"]))
    assert (status, body["code"]) == (401, "REFRESH_TOKEN_REVOKED"), "newest token dies too"
    sid = harness.verify(first["accessToken"]).claims["sid"]
    revoked = await harness.published(AUTH_TOKENS_REVOKED, session_id=sid)
    assert revoked[0].payload["reason"] == "refresh_reuse"


async def test_idle_refresh_token_expires(harness: Harness) -> None:
    await harness.register("uma@example.com")
    tokens = await harness.signed_in("uma@example.com")
    harness.clock.advance(timedelta(days=7, seconds=1))
    status, body = await _refresh(harness, tokens["refreshToken"])
    assert (status, body["code"]) == (401, "REFRESH_TOKEN_EXPIRED")


async def test_session_expires_after_its_absolute_lifetime(harness: Harness) -> None:
    await harness.register("val@example.com")
    token = (await harness.signed_in("val@example.com"))["refreshToken"]
    for _ in range(4):
        harness.clock.advance(timedelta(days=6))
        status, body = await _refresh(harness, token)
        assert status == 200
        token = str(body["refreshToken"])
    harness.clock.advance(timedelta(days=6))
    status, body = await _refresh(harness, token)
    assert (status, body["code"]) == (401, "REFRESH_TOKEN_EXPIRED")


@pytest.mark.parametrize("token", ["garbage", "0" * 36 + "." + "A" * 43])
async def test_unknown_or_malformed_refresh_token(harness: Harness, token: str) -> None:
    status, body = await _refresh(harness, token)
    assert (status, body["code"]) == (401, "REFRESH_TOKEN_INVALID")


async def test_refresh_and_access_tokens_are_not_interchangeable(harness: Harness) -> None:
    await harness.register("wes@example.com")
    tokens = await harness.signed_in("wes@example.com")
    settings = harness.component.settings
    with pytest.raises(TokenMalformed) as malformed:
        verify_token(
            tokens["refreshToken"],
            keys=harness.component.key_resolver,
            issuer=settings.token_issuer,
            audience=settings.token_audience,
            expected_type=TokenType.ACCESS,
        )
    assert malformed.value.code == "TOKEN_MALFORMED"
    with pytest.raises(TokenTypeInvalid):
        verify_token(
            tokens["accessToken"],
            keys=harness.component.key_resolver,
            issuer=settings.token_issuer,
            audience=settings.token_audience,
            expected_type=TokenType.REFRESH,
        )
    status, body = await _refresh(harness, tokens["accessToken"])
    assert (status, body["code"]) == (401, "REFRESH_TOKEN_INVALID")
