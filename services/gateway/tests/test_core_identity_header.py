"""The identity header is signed once per identity and second: the same bytes as ever."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from burency_common.identity import Identity, sign_identity, verify_identity
from burency_gateway.core import GatewayCore

SECRET = b"s" * 32


def core(clock: Any) -> GatewayCore:
    unused: Any = None
    return GatewayCore(
        table=unused,
        upstreams=unused,
        authenticator=unused,
        limiter=unused,
        identity_secret=SECRET,
        fallback=unused,
        clock=clock,
    )


def test_the_header_is_what_sign_identity_makes_for_that_second() -> None:
    now = [datetime(2026, 3, 1, 12, 0, 0, 100_000, tzinfo=UTC)]
    gateway = core(lambda: now[0])
    alice = Identity(user_id="alice", roles=frozenset({"user"}), email_verified=True)
    bob = Identity(user_id="bob", roles=frozenset({"user"}))
    first = gateway._identity_header(alice)
    assert first == sign_identity(alice, secret=SECRET, now=now[0])
    now[0] += timedelta(milliseconds=800)  # same second: the same header
    assert gateway._identity_header(alice) == first
    assert verify_identity(gateway._identity_header(bob), secret=SECRET, now=now[0]) == bob
    now[0] += timedelta(milliseconds=200)  # the next second: signed anew
    later = gateway._identity_header(alice)
    assert later != first
    assert later == sign_identity(alice, secret=SECRET, now=now[0])
