"""How a Burency process is served by uvicorn: one place, so ``burency up``/``serve`` and
the benchmarks that claim to measure them (``bench/_trading_server.py``) run the same
server: ``loop="auto"`` (uvloop where installed), httptools, no proxy-header rewriting
unless trusted proxies are configured, uvicorn's own logs at warning and its access log
off (the platform writes its own access log; uvicorn's, filtered out at warning anyway,
still built its arguments and asked the logger for every response: ~1.5 of uvicorn's
~7 µs per response).
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
        access_log=False,
        proxy_headers=bool(trusted_proxies),
        forwarded_allow_ips=trusted_proxies or None,
    )
