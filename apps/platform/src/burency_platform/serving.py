"""How a Burency process is served by uvicorn: one place, so ``burency up``/``serve`` and
the benchmarks that claim to measure them (``bench/_trading_server.py``) run the same
server: ``loop="auto"`` (uvloop where installed), httptools, no proxy-header rewriting
unless trusted proxies are configured, uvicorn's own logs at warning (the platform writes
its own access log).
"""

from __future__ import annotations

import uvicorn
from starlette.types import ASGIApp

from burency_common.config import BurencySettings

__all__ = ["uvicorn_config"]


def uvicorn_config(
    app: ASGIApp, settings: BurencySettings, trusted_proxies: str = ""
) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        loop="auto",
        log_level="warning",
        proxy_headers=bool(trusted_proxies),
        forwarded_allow_ips=trusted_proxies or None,
    )
