"""A service component in a process of its own, configured by ``BURENCY_*`` environment
variables, on an in-memory bus: kill tests and benchmarks SIGKILL it mid-work.

``python -m burency_testing.component_process <module:build_component> <module:Settings>``
prints ``ready`` once started; the service is named by import strings so this package
imports no service.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from typing import Any

from burency_common.bus import InMemoryBus


def _load(target: str) -> Any:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


async def serve(builder: str, settings_class: str) -> None:
    """Build the component from its settings (read from the environment), start it, wait."""
    component = _load(builder)(_load(settings_class)())
    bus = InMemoryBus()
    component.subscribe(bus)
    await component.start(bus)
    print("ready", flush=True)  # noqa: T201 - the parent waits for this line
    try:
        await asyncio.Event().wait()
    finally:
        await component.stop()


def main(argv: list[str] | None = None) -> None:
    builder, settings_class = argv if argv is not None else sys.argv[1:3]
    try:
        import uvloop  # noqa: PLC0415
    except ImportError:
        asyncio.run(serve(builder, settings_class))
    else:
        uvloop.run(serve(builder, settings_class))


if __name__ == "__main__":
    main()
