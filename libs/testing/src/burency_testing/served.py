"""A service running on its own event loop in a background thread, for synchronous drivers.

schemathesis drives tests synchronously (Hypothesis), while a service's database pool
belongs to one event loop. So the service lives on a private loop and each generated
request is sent to it with ``run_coroutine_threadsafe``. Subclasses say how to bring
their service up (:meth:`setup`, which sets :attr:`client`) and down (:meth:`teardown`).
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Coroutine
from typing import Any, TypeVar

import httpx

__all__ = ["ServedOnThread"]

T = TypeVar("T")


class ServedOnThread:
    """``start()`` → requests with :meth:`request` → ``close()``; :attr:`statuses` counts
    the answers by (method, status) so a test can show the fuzzing got past the 4xx."""

    client: httpx.AsyncClient
    request_timeout: float = 60.0

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.statuses: Counter[tuple[str, int]] = Counter()

    async def setup(self) -> None:
        """Start the service and set :attr:`client` (runs on the private loop)."""
        raise NotImplementedError

    async def teardown(self) -> None:
        """Stop what :meth:`setup` started (runs on the private loop)."""
        raise NotImplementedError

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(self.request_timeout)

    def start(self) -> None:
        self.thread.start()
        self.run(self.setup())

    def request(self, kwargs: dict[str, Any]) -> httpx.Response:
        """Send one request given as httpx keyword arguments (schemathesis' transport kwargs)."""
        if not kwargs.get("cookies"):
            kwargs = {k: v for k, v in kwargs.items() if k != "cookies"}
        response = self.run(self.client.request(**kwargs))
        self.statuses[(kwargs["method"].upper(), response.status_code)] += 1
        return response

    def close(self) -> None:
        try:
            self.run(self.teardown())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=10)
            self.loop.close()
