"""Settings of the gateway and of the embedded platform it launches."""

from __future__ import annotations

from pathlib import Path

from burency_common.config import BurencySettings

__all__ = ["PlatformSettings"]


class PlatformSettings(BurencySettings):
    """``BURENCY_*`` settings read by ``burency up`` and ``burency serve``."""

    service_name: str = "gateway"
    data_dir: Path = Path("var")
    log_json: bool = False

    @property
    def public_url(self) -> str:
        return f"http://{self.host}:{self.port}"
