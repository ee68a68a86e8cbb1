"""The gateway's proxy core: upstream pools, load balancing, health, streaming forwarder.

Typical wiring (the gateway app does this)::

    upstreams = Upstreams.from_mapping({"trading": ["http://10.0.0.5:8003"], "auth": auth_app})
    await upstreams.start()                       # in the lifespan; stop() on shutdown
    route = table.match(scope["method"], scope["path"])   # None -> 404
    pool = upstreams.get(route.service.name)              # None -> not configured
    await forward(scope, receive, send, pool=pool, upstream_path=route.upstream_path,
                  timeout=route.timeout, extra_headers=identity_headers)

``upstreams.snapshot()`` is the per-service, per-instance state for ``/healthz``.
"""

from burency_gateway.proxy.forward import (
    IDEMPOTENT_METHODS,
    MAX_ATTEMPTS,
    ClientDisconnected,
    forward,
    send_problem,
)
from burency_gateway.proxy.headers import HOP_BY_HOP
from burency_gateway.proxy.instance import Instance
from burency_gateway.proxy.pool import Policy, UpstreamPool, Upstreams, UpstreamSpec

__all__ = [
    "HOP_BY_HOP",
    "IDEMPOTENT_METHODS",
    "MAX_ATTEMPTS",
    "ClientDisconnected",
    "Instance",
    "Policy",
    "UpstreamPool",
    "UpstreamSpec",
    "Upstreams",
    "forward",
    "send_problem",
]
