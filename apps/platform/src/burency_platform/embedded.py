"""The embedded platform: every service in one process behind the gateway (``burency up``).

Each service is a :class:`~burency_common.component.ServiceComponent` with its own
SQLite database under ``data_dir``; all join one in-process bus; the gateway verifies
tokens with the auth service's keys directly. Nothing here runs at import time.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
from starlette.types import Receive, Scope, Send

from burency_auth.component import AuthComponent
from burency_common.bus import EventBus, InMemoryBus
from burency_common.component import ServiceComponent
from burency_common.realtime_relay import RealtimeRelay
from burency_gateway.app import Gateway, build_gateway
from burency_gateway.component import GatewayComponent
from burency_gateway.security import LocalKeySource
from burency_platform.components import (
    embedded_auth,
    embedded_banking,
    embedded_files,
    embedded_notifications,
    embedded_trading,
    embedded_users,
)
from burency_platform.lifespan import serve_lifespan
from burency_platform.liquidity_funding import LiquidityBotFunding
from burency_platform.settings import PlatformSettings

__all__ = ["Platform", "build_platform", "demo_admin_banner"]


def demo_admin_banner(email: str, password: str) -> str:
    rule = "!" * 72
    return "\n".join(
        [
            rule,
            "  DEMO ADMIN (embedded mode only, NOT FOR PRODUCTION): created just now",
            f"  email:     {email}",
            f"  password:  {password}",
            "  It is shown once. Change it, or create a real admin with",
            "  `python -m burency_auth.entrypoints.cli create-admin --email ...`.",
            rule,
        ]
    )


@dataclass
class Platform:
    """The running platform: an ASGI app whose lifespan also runs the bus and services."""

    gateway: Gateway
    bus: EventBus
    auth: AuthComponent
    components: list[ServiceComponent] = field(default_factory=list)
    edge: GatewayComponent | None = None  # the gateway's own consumers
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await serve_lifespan(self.gateway.app, self.running, scope, receive, send)
            return
        await self.gateway.app(scope, receive, send)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        await self.bus.start()
        started: list[ServiceComponent] = []
        try:
            for component in self.components:
                await component.start(self.bus)
                started.append(component)
            if self.edge is not None:
                await self.edge.start(self.bus)
            admin = await self.auth.ensure_demo_admin()
            if admin is not None:
                print(demo_admin_banner(*admin), flush=True)  # noqa: T201 - operator's screen
            yield
        finally:
            if self.edge is not None:
                await self.edge.stop()
            for component in reversed(started):
                await component.stop()
            for client in self.clients:
                await client.aclose()
            await self.bus.stop()

    @property
    def services(self) -> list[str]:
        return self.gateway.services


def build_platform(settings: PlatformSettings) -> Platform:
    """Build every embedded service and the gateway in front of them."""
    identity_secret = secrets.token_bytes(32)
    auth = embedded_auth(settings, identity_secret)
    files = embedded_files(settings, identity_secret)
    files_client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=files.app), base_url="http://files"
    )
    users = embedded_users(settings, identity_secret, files_client)
    notifications = embedded_notifications(settings, identity_secret)
    auth_client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=auth.app), base_url="http://auth"
    )
    realtime = RealtimeRelay()  # the gateway's hub, once the gateway exists (below)
    funding: list[LiquidityBotFunding] = []  # needs banking, built after trading (below)

    async def fund_liquidity_bot() -> None:
        await funding[0]()

    trading = embedded_trading(settings, identity_secret, realtime, fund_liquidity_bot)
    trading_client = httpx.AsyncClient(  # banking's reconciliation asks trading's positions
        transport=httpx.ASGITransport(app=trading.app), base_url="http://trading"
    )
    banking = embedded_banking(settings, identity_secret, auth_client, trading_client)

    async def spot_assets(user_id: str) -> set[str]:
        held = await trading.handle.query(lambda engine: engine.balances(user_id))
        return {asset for asset, (free, locked) in held.items() if free + locked > 0}

    funding.append(
        LiquidityBotFunding(
            auth, banking.app, identity_secret, settings.data_dir / "liquidity-bot-funding.json",
            spot_assets,
        )
    )  # fmt: skip
    components: list[ServiceComponent] = [auth, users, files, notifications, banking, trading]
    bus = InMemoryBus()
    for component in components:
        component.app.state.identity_secret = identity_secret
        component.subscribe(bus)
    gateway = build_gateway(
        settings,
        services={c.name: c.app for c in components},
        identity_secret=identity_secret,
        key_source=LocalKeySource(auth.key_resolver),
        direct={trading.name: trading.direct_routes()},  # the order path without a second pipeline
    )
    realtime.bind(gateway.realtime)
    # one process holds every socket: the gateway's consumers under a fixed instance id
    edge = GatewayComponent(gateway, instance_id="embedded")
    edge.subscribe(bus)
    return Platform(
        gateway=gateway,
        bus=bus,
        auth=auth,
        components=components,
        edge=edge,
        clients=[files_client, auth_client, trading_client],
    )
