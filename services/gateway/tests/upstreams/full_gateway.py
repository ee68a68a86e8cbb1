"""The production gateway (every middleware, auth, rate limits) for benchmarks and tests.

``FULL_GATEWAY_UPSTREAMS`` is the JSON ``{service: [base urls]}`` map; rate limits are
raised so that the load generator measures the pipeline, not the limiter saying 429.
"""

from __future__ import annotations

import json
import logging
import os

from starlette.types import ASGIApp

from burency_gateway.app import build_gateway
from burency_gateway.settings import GatewaySettings


def create_app() -> ASGIApp:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("burency.access").setLevel(logging.WARNING)
    settings = GatewaySettings(
        _env_file=None,
        upstreams=json.loads(os.environ["FULL_GATEWAY_UPSTREAMS"]),
        rate_limits="default=100000000/minute",
        log_level="WARNING",
    )
    return build_gateway(settings).app
