"""The production gateway (every middleware, auth, rate limits) for benchmarks and tests.

``FULL_GATEWAY_UPSTREAMS`` is the JSON ``{service: [base urls]}`` map; rate limits are
raised so that the load generator measures the pipeline, not the limiter saying 429.
"""

from __future__ import annotations

import json
import logging
import os

from starlette.types import ASGIApp

from burency_common.logging import configure_logging
from burency_gateway.app import build_gateway
from burency_gateway.settings import GatewaySettings


def create_app() -> ASGIApp:
    configure_logging(level="INFO", json=True)  # as in production: one JSON line per request
    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings = GatewaySettings(
        _env_file=None,
        upstreams=json.loads(os.environ["FULL_GATEWAY_UPSTREAMS"]),
        rate_limits="default=100000000/minute",
    )
    return build_gateway(settings).app
