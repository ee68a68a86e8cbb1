"""Sockets bound to their session, over real sockets (uvicorn + the socketio client).

The platform tests (apps/platform/tests/test_live_sessions*.py) drive the whole flow
from a REST logout; these pin the hub's own rules: which revocation covers which
socket, re-authentication, expiry within the verifier's leeway, timers released on
disconnect, and a revocation racing a connect.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
import socketio

from burency_common.events.auth import TokensRevoked
from burency_common.timeutil import utc_now
from burency_common.tokens import KeyRing, SigningKey, TokenType, issue_token
from burency_gateway.app import Gateway, build_gateway
from burency_gateway.security import LocalKeySource, apply_revocation_event
from burency_gateway.settings import GatewaySettings
from burency_testing.uvicorn_task import serving as serving_app
from burency_testing.waiting import eventually

LATER = timedelta(minutes=5)
KEYS = KeyRing(SigningKey.generate())


@asynccontextmanager
async def serving(settings: GatewaySettings) -> AsyncIterator[tuple[Gateway, str]]:
    gateway = build_gateway(settings, services={}, key_source=LocalKeySource(KEYS.resolve))
    async with serving_app(gateway.app) as url:
        yield gateway, url


@pytest.fixture
def settings(settings_factory: Callable[..., Any]) -> GatewaySettings:
    result: GatewaySettings = settings_factory(GatewaySettings)
    return result


class Watched:
    """A socketio client that records ``session.ended`` and its disconnection."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.ended: list[Any] = []
        self.gone = asyncio.Event()
        self.client.on("session.ended", self._on_ended)
        self.client.on("disconnect", self._on_disconnect)

    async def _on_ended(self, data: Any) -> None:
        self.ended.append(data)

    async def _on_disconnect(self, *_: Any) -> None:
        self.gone.set()

    async def connect(self, url: str, token: str | None = None) -> Watched:
        auth = {"token": token} if token is not None else None
        await self.client.connect(url, auth=auth, wait_timeout=10)
        return self

    async def wait_ended(self, code: str) -> None:
        await asyncio.wait_for(self.gone.wait(), timeout=15)
        assert self.ended == [{"code": code}]


async def refusal(client: socketio.AsyncClient, connecting: Any) -> str:
    """Await a connect that must be refused; return what the server said (with its code)."""
    refusals: asyncio.Queue[Any] = asyncio.Queue()

    async def on_error(data: Any) -> None:
        await refusals.put(data)

    client.on("connect_error", on_error)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await connecting
    return str(await asyncio.wait_for(refusals.get(), timeout=10))


def token_of(user: str, sid: str, *, now: datetime | None = None, ttl: timedelta = LATER) -> str:
    return issue_token(
        KEYS, subject=user, token_type=TokenType.ACCESS, issuer="burency-auth",
        audience="burency", ttl=ttl, now=now or utc_now(),
        claims={"roles": ["user"], "sid": sid},
    )  # fmt: skip


def jti_of(gateway: Gateway, user: str) -> list[str]:
    return [b.token_id for b in gateway.realtime.sessions._bindings.values() if b.user_id == user]


async def revoke(gateway: Gateway, **fields: Any) -> int:
    event = TokensRevoked(expires_at=utc_now() + LATER, **fields)
    await apply_revocation_event(gateway.revocations, event)
    return await gateway.realtime.revoke(event)


async def test_revocation_by_token_or_session_ends_only_the_sockets_it_names(
    settings: GatewaySettings,
) -> None:
    async with serving(settings) as (gateway, url):
        first = await Watched().connect(url, token_of("u1", "s1"))
        second = await Watched().connect(url, token_of("u1", "s2"))
        [first_jti, _] = jti_of(gateway, "u1")  # bound in connection order
        assert await revoke(gateway, user_id="u1", jti=first_jti) == 1
        await first.wait_ended("TOKEN_REVOKED")
        assert await revoke(gateway, user_id="u2", session_id="s2") == 0  # not u2's session
        assert second.client.connected
        assert await revoke(gateway, user_id="u1", session_id="s2") == 1
        await second.wait_ended("TOKEN_REVOKED")
        assert len(gateway.realtime.sessions) == 0


async def test_a_socket_re_authenticated_after_a_cutoff_survives_it(
    settings: GatewaySettings,
) -> None:
    async with serving(settings) as (gateway, url):
        start = utc_now()
        old = token_of("u1", "s1", now=start - timedelta(seconds=2))
        stays = await Watched().connect(url, old)
        goes = await Watched().connect(url, old)
        answer = await stays.client.call("authenticate", {"token": token_of("u1", "s1")})
        assert "result" in answer, answer
        await revoke(gateway, user_id="u1", issued_before=start - timedelta(seconds=1))
        await goes.wait_ended("TOKEN_REVOKED")
        assert stays.client.connected
        await stays.client.disconnect()


async def test_authenticate_needs_the_same_session_and_an_authenticated_socket(
    settings: GatewaySettings,
) -> None:
    async with serving(settings) as (_, url):
        bound = await Watched().connect(url, token_of("u1", "s1"))
        other_session = await bound.client.call("authenticate", {"token": token_of("u1", "s9")})
        assert other_session["error"]["code"] == "SESSION_MISMATCH"
        missing = await bound.client.call("authenticate", {})
        assert missing["error"]["code"] == "TOKEN_MALFORMED"
        anonymous = await Watched().connect(url)
        refused = await anonymous.client.call("authenticate", {"token": token_of("u1", "s1")})
        assert refused["error"]["code"] == "SOCKET_NOT_AUTHENTICATED"
        assert bound.client.connected
        for watched in (bound, anonymous):
            await watched.client.disconnect()


async def test_a_token_past_exp_opens_no_socket_even_within_the_leeway(
    settings: GatewaySettings,
) -> None:
    """HTTP accepts a token up to 30 s past ``exp`` (clock skew); a new socket does not."""
    async with serving(settings) as (_, url):
        stale = token_of("u1", "s1", now=utc_now() - LATER - timedelta(seconds=5))
        client = socketio.AsyncClient(reconnection=False)
        connecting = client.connect(url, auth={"token": stale}, wait_timeout=10)
        assert "TOKEN_EXPIRED" in await refusal(client, connecting)


async def test_a_disconnected_socket_leaves_no_binding_or_timer(settings: GatewaySettings) -> None:
    async with serving(settings) as (gateway, url):
        watched = await Watched().connect(url, token_of("u1", "s1"))
        [binding] = gateway.realtime.sessions._bindings.values()
        timer = binding.timer
        assert timer is not None
        assert not timer.cancelled()
        await watched.client.disconnect()

        async def released() -> bool:
            return len(gateway.realtime.sessions) == 0

        await eventually(released, "the binding to be released", timeout=15)
        assert timer.cancelled()


async def test_a_revocation_racing_the_connect_refuses_the_socket(
    settings: GatewaySettings,
) -> None:
    """The token passes the store check; the revocation lands before the socket is bound
    (the hub sees no socket of that user); the connect must still be refused."""
    async with serving(settings) as (gateway, url):
        store: Any = gateway.revocations
        original = store.is_revoked
        checked, go = asyncio.Event(), asyncio.Event()

        async def slow_is_revoked(*args: Any) -> bool:
            answer: bool = await original(*args)
            if not checked.is_set():
                checked.set()
                await go.wait()  # the revocation is applied while this answer is in flight
            return answer

        store.is_revoked = slow_is_revoked
        client = socketio.AsyncClient(reconnection=False)
        connecting = asyncio.create_task(
            client.connect(url, auth={"token": token_of("u1", "s1")}, wait_timeout=10)
        )
        await asyncio.wait_for(checked.wait(), timeout=10)
        assert await revoke(gateway, user_id="u1", session_id="s1") == 0  # not bound yet
        go.set()
        assert "TOKEN_REVOKED" in await refusal(client, connecting)
        assert len(gateway.realtime.sessions) == 0
