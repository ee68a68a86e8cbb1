"""Settings of ``burency up`` (embedded mode): the gateway's, plus where data lives."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from burency_gateway.settings import GatewaySettings

__all__ = ["PlatformSettings"]


class PlatformSettings(GatewaySettings):
    """``burency up``: the whole platform in one process."""

    data_dir: Path = Path("var")
    log_json: bool = False
    live_markets: bool = Field(
        default=True,
        description="a simulated reference price per market and the liquidity bot quoting "
        "around it, funded with demo money through banking: a new install has live books. "
        "Off: the markets are empty and accept any price (BURENCY_LIVE_MARKETS=false)",
    )

    @property
    def public_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def sqlite_url(self, service: str) -> str:
        """Each service owns its own database file: ``<data_dir>/<service>.db``."""
        return f"sqlite+aiosqlite:///{self.data_dir / f'{service}.db'}"
