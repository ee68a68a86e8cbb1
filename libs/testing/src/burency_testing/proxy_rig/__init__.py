"""A rig for proxy tests and the gateway benchmark: a tiny upstream app
(:mod:`.proxy_upstream`), a minimal gateway built from the gateway's proxy pieces
(:mod:`.proxy_gateway`), the production gateway with raised rate limits (:mod:`.full_gateway`),
and uvicorn subprocesses serving any of them on free loopback ports (:mod:`.servers`).

The one part of ``burency_testing`` that imports a service (the gateway): the gateway
tests and ``bench/gateway_overhead.py`` share it instead of ``bench/`` reaching into a
service's tests.
"""
