"""Distributed mode: a revocation on Kafka ends the session's sockets on every gateway.

Two gateways (each its own app, Socket.IO server and uvicorn socket), sharing Redis
(revocation store and Socket.IO manager) and consuming a real Kafka broker, as two
``burency serve gateway`` processes do. Each must see every revocation, because each
holds only its own sockets: ``subscribe_gateway`` gives each instance its own stable
consumer group. (With one shared group, each event reached one gateway only.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest

from burency_common.bus import KafkaBus
from burency_common.bus.kafka import KafkaConsumerSettings
from burency_common.events import default_registry
from burency_common.events.auth import AUTH_TOKENS_REVOKED, TokensRevoked
from burency_common.ids import new_id
from burency_common.timeutil import utc_now
from burency_common.tokens import KeyRing, SigningKey, TokenType, issue_token
from burency_gateway.app import Gateway, build_gateway
from burency_gateway.component import subscribe_gateway
from burency_gateway.security import LocalKeySource
from burency_gateway.settings import GatewaySettings

from .test_live_notifications import serving
from .test_live_sessions import LiveSocket, open_socket

pytestmark = [pytest.mark.kafka, pytest.mark.redis]
KEYS = KeyRing(SigningKey.generate())


def access_token(user: str, sid: str) -> str:
    return issue_token(
        KEYS, subject=user, token_type=TokenType.ACCESS, issuer="burency-auth",
        audience="burency", ttl=timedelta(minutes=5), now=utc_now(),
        claims={"roles": ["user"], "sid": sid},
    )  # fmt: skip


@asynccontextmanager
async def gateway_instance(
    settings: GatewaySettings, bootstrap: str, prefix: str, instance: str
) -> AsyncIterator[tuple[Gateway, KafkaBus, str]]:
    """One gateway "process": its app served on a port, its own Kafka consumers."""
    gateway = build_gateway(settings, services={}, key_source=LocalKeySource(KEYS.resolve))
    fast = KafkaConsumerSettings(session_timeout_ms=6000, heartbeat_interval_ms=1000)
    bus = KafkaBus(
        bootstrap, client_id=f"gateway-{instance}", consumer_settings=fast, topic_prefix=prefix
    )
    subscribe_gateway(bus, gateway, shared_store=True, instance_id=instance)
    await bus.start()
    try:
        await bus.wait_until_assigned(timeout=90)
        async with serving(gateway.app) as url:
            yield gateway, bus, url
    finally:
        await bus.stop()


async def test_a_revocation_on_kafka_ends_the_sockets_on_every_gateway(
    kafka_bootstrap: str, kafka_topic_prefix: str, redis_url: str, settings_factory: Any
) -> None:
    settings = settings_factory(GatewaySettings, redis_url=redis_url)
    user, bystander = f"user-{new_id()}", f"user-{new_id()}"
    async with AsyncExitStack() as stack:
        gw_a, bus, url_a = await stack.enter_async_context(
            gateway_instance(settings, kafka_bootstrap, kafka_topic_prefix, f"a-{new_id()}")
        )
        gw_b, _, url_b = await stack.enter_async_context(
            gateway_instance(settings, kafka_bootstrap, kafka_topic_prefix, f"b-{new_id()}")
        )
        sockets: list[LiveSocket] = []
        for url, who, sid in ((url_a, user, "s1"), (url_b, user, "s2"), (url_b, bystander, "s3")):
            sockets.append(await open_socket(url, access_token(who, sid)))
            stack.push_async_callback(sockets[-1].client.disconnect)
        on_a, on_b, other = sockets
        now = utc_now()
        revoked = TokensRevoked(
            user_id=user, issued_before=now, expires_at=now + timedelta(minutes=5),
            reason="logout_all",
        )  # fmt: skip
        await bus.publish(
            default_registry().build(revoked, event_type=AUTH_TOKENS_REVOKED, producer="auth")
        )
        await on_a.wait_ended("TOKEN_REVOKED", timeout=60)
        await on_b.wait_ended("TOKEN_REVOKED", timeout=60)
        assert other.client.connected
        assert other.ended == []
        assert len(gw_a.realtime.sessions) == 0
        assert len(gw_b.realtime.sessions) == 1  # the bystander's
        # and the revoked token is refused by either gateway from now on (shared store)
        assert await gw_a.revocations.is_revoked("j", "s1", user, now - timedelta(seconds=1))
