"""The notification service in a process of its own, configured by ``BURENCY_*``
environment variables: the kill tests and the benchmark SIGKILL it mid-broadcast.

``python -m notifications_testing.fanout_proc`` prints ``ready`` once started.
"""

from __future__ import annotations

import asyncio

from burency_common.bus import InMemoryBus
from burency_notifications.component import build_component
from burency_notifications.settings import NotificationsSettings


async def _main() -> None:
    component = build_component(NotificationsSettings())
    bus = InMemoryBus()
    component.subscribe(bus)
    await component.start(bus)
    print("ready", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await component.stop()


def main() -> None:
    try:
        import uvloop
    except ImportError:
        asyncio.run(_main())
    else:
        uvloop.run(_main())


if __name__ == "__main__":
    main()
