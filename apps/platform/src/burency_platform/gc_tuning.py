"""Garbage-collector settings for a serving process (``burency up`` and ``burency serve``).

A started platform holds a large, long-lived heap (every service's app, routes, schemas,
SQLAlchemy metadata, the trading engine's book), and CPython's cyclic collector walks
all of it on each full collection. Under order load the engine keeps creating
long-lived objects, which triggers full collections often: ``bench/trading_gateway.py``
measured 17 full collections in 15 s costing 3.8 s of the event loop's time (~250 ms
each, stalling every request and the engine thread too), about a quarter of the CPU
per order.

So once start-up is complete the heap built so far is frozen (:func:`gc.freeze`, O(1):
those objects are never walked again; start-up's own garbage stays too, a one-time cost
in memory, because a last full collection would delay the server's start by a few
hundred milliseconds), and the first generation's threshold is raised from 700 to
20,000 allocations, so short-lived request objects mostly die before a collection sees
them. Cycles created later are still collected. Only the serving commands do this: a test
process that builds many platforms must not keep each one's start-up heap forever.
"""

from __future__ import annotations

import gc

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["THRESHOLDS", "freeze_start_up_heap", "gc_tuned"]

THRESHOLDS = (20_000, 20, 10)
"""``gc.set_threshold`` of a serving process (Python's default is 700, 10, 10)."""


def freeze_start_up_heap() -> None:
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)


def gc_tuned(app: ASGIApp) -> ASGIApp:
    """``app``, with :func:`freeze_start_up_heap` run when its start-up completes."""

    async def serve(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return

        async def send_tuned(message: Message) -> None:
            if message["type"] == "lifespan.startup.complete":
                freeze_start_up_heap()
            await send(message)

        await app(scope, receive, send_tuned)

    return serve
