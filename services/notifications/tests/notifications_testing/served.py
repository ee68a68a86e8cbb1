"""The notification service on its own event loop in a background thread.

schemathesis drives tests synchronously (Hypothesis); the service's database pool
belongs to one event loop. So the service lives on a private loop and each generated
request is sent to it with ``run_coroutine_threadsafe``.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Coroutine
from typing import Any, TypeVar

import httpx

from burency_notifications.settings import NotificationsSettings
from notifications_testing.harness import command, running_harness

T = TypeVar("T")


class ServedNotifications:
    """``start()`` → requests with :meth:`request` → ``close()``."""

    def __init__(self, settings: NotificationsSettings) -> None:
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.statuses: Counter[tuple[str, int]] = Counter()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=60)

    def start(self) -> None:
        self.thread.start()
        self.run(self._start())

    async def _start(self) -> None:
        self.running = running_harness(self.settings)
        self.harness = await self.running.__aenter__()
        self.user = await self.harness.register("fuzz@example.com")
        note = command("auth.welcome", [self.user])
        await self.harness.bus.publish(note)
        await self.harness.settled(note.payload["notification_id"], 4)

    def identity_headers(self) -> dict[str, str]:
        return self.harness.headers(self.user)

    def request(self, kwargs: dict[str, Any]) -> httpx.Response:
        if not kwargs.get("cookies"):
            kwargs = {k: v for k, v in kwargs.items() if k != "cookies"}
        response = self.run(self.harness.client.request(**kwargs))
        self.statuses[(kwargs["method"].upper(), response.status_code)] += 1
        return response

    def close(self) -> None:
        self.run(self.running.__aexit__(None, None, None))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()
