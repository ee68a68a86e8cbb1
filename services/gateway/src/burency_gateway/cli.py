"""The ``burency`` command: ``burency up`` runs the embedded platform in one process.

``make run`` calls ``burency up``. Configuration comes only from ``BURENCY_*``
environment variables (and ``.env``); see the README.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import uvicorn

from burency_common.config import load_settings
from burency_common.errors import ConfigurationError
from burency_common.logging import configure_logging
from burency_gateway.app import create_gateway_app
from burency_gateway.settings import PlatformSettings

__all__ = ["main"]


def _banner(settings: PlatformSettings, services: Sequence[str]) -> str:
    mounted = ", ".join(services) if services else "none yet (gateway shell)"
    return "\n".join(
        [
            "",
            "  Burency is running (embedded mode: one process, SQLite, in-process bus)",
            f"  URL:       {settings.public_url}",
            f"  Health:    {settings.public_url}/healthz",
            f"  Services:  {mounted}",
            f"  Data:      {settings.data_dir.resolve()}",
            "  Stop with Ctrl+C.",
            "",
        ]
    )


def _up(settings: PlatformSettings) -> int:
    app = create_gateway_app({})
    print(_banner(settings, []), flush=True)  # noqa: T201 - the operator's first screen
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="burency", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="run the whole platform in one process (embedded mode)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(PlatformSettings)
    except ConfigurationError as exc:
        print(f"burency: {exc.detail}", file=sys.stderr)  # noqa: T201
        return 2
    configure_logging(level=settings.log_level, json=settings.log_json)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    handlers = {"up": _up}
    return handlers[args.command](settings)


if __name__ == "__main__":
    sys.exit(main())
