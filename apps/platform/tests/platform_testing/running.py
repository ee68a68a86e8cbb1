"""The embedded platform in-process for a test: ``async with running_platform(settings)``."""

from __future__ import annotations

from types import TracebackType

import httpx
from asgi_lifespan import LifespanManager

from burency_platform.embedded import Platform, build_platform
from burency_platform.settings import PlatformSettings

from .email import PlatformClient

__all__ = ["running_platform"]


class running_platform:  # noqa: N801 - used like a function: ``async with running_platform(s)``
    """Build and start the platform (its lifespan: bus, services, gateway), give an HTTP
    client over ASGI; stop it all on exit."""

    def __init__(self, settings: PlatformSettings) -> None:
        self.built = build_platform(settings)
        self.manager = LifespanManager(self.built, shutdown_timeout=60, startup_timeout=60)

    async def __aenter__(self) -> tuple[Platform, PlatformClient]:
        app = (await self.manager.__aenter__()).app
        self.client = PlatformClient(
            self.built, transport=httpx.ASGITransport(app=app), base_url="http://burency"
        )
        return self.built, self.client

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        await self.client.aclose()
        await self.manager.__aexit__(kind, exc, tb)
