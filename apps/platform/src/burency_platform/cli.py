"""The ``burency`` command.

- ``burency up``: the whole platform in one process (embedded mode; ``make run``).
- ``burency serve <service>``: one service alone (distributed mode).
- ``burency reconcile``: prove the banking ledger consistent (non-zero exit if not).

Configuration comes only from ``BURENCY_*`` environment variables (and ``.env``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Sequence

import uvicorn
from starlette.types import ASGIApp

from burency_banking.entrypoints.cli import report_json, run_reconciliation
from burency_banking.settings import BankingSettings
from burency_common.component import ServiceComponent
from burency_common.config import BurencySettings, RunMode, load_settings
from burency_common.errors import ConfigurationError
from burency_common.logging import configure_logging
from burency_common.private_files import private_directory
from burency_gateway.app import build_gateway
from burency_gateway.settings import GatewaySettings
from burency_platform.components import (
    SERVICES,
    distributed_auth,
    distributed_banking,
    distributed_files,
    distributed_notifications,
    distributed_users,
)
from burency_platform.distributed import (
    ServedComponent,
    ServedGateway,
    kafka_bus,
    subscribe_gateway,
)
from burency_platform.embedded import build_platform
from burency_platform.settings import PlatformSettings

__all__ = ["main"]


def _banner(settings: PlatformSettings, services: Sequence[str]) -> str:
    return "\n".join(
        [
            "",
            "  Burency is running (embedded mode: one process, SQLite, in-process bus)",
            f"  URL:       {settings.public_url}",
            f"  API docs:  {settings.public_url}/api/docs",
            f"  Health:    {settings.public_url}/healthz",
            f"  Services:  {', '.join(services)}",
            f"  Data:      {settings.data_dir.resolve()}",
            "  Stop with Ctrl+C.",
            "",
        ]
    )


def _serve(app: ASGIApp, settings: BurencySettings, trusted_proxies: str = "") -> None:
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        proxy_headers=bool(trusted_proxies),
        forwarded_allow_ips=trusted_proxies or None,
    )


def _up() -> int:
    settings = load_settings(PlatformSettings, mode=RunMode.EMBEDDED)
    configure_logging(level=settings.log_level, json=settings.log_json)
    private_directory(settings.data_dir)
    platform = build_platform(settings)
    print(_banner(settings, platform.services), flush=True)  # noqa: T201 - operator's screen
    _serve(platform, settings, settings.trusted_proxies)
    return 0


def _serve_one(service: str) -> int:
    if service == "gateway":
        gateway_settings = load_settings(GatewaySettings)
        configure_logging(level=gateway_settings.log_level, json=gateway_settings.log_json)
        gateway = build_gateway(gateway_settings)
        gateway_bus = kafka_bus(
            gateway_settings.kafka_bootstrap,
            client_id="burency-gateway",
            topic_prefix=gateway_settings.kafka_topic_prefix,
        )
        subscribe_gateway(gateway_bus, gateway, shared_store=bool(gateway_settings.redis_url))
        served = ServedGateway(gateway, gateway_bus)
        _serve(served, gateway_settings, gateway_settings.trusted_proxies)
        return 0
    settings = load_settings(BurencySettings)
    configure_logging(level=settings.log_level, json=settings.log_json)
    builders: dict[str, Callable[[], ServiceComponent]] = {
        "auth": distributed_auth,
        "users": distributed_users,
        "files": distributed_files,
        "notifications": distributed_notifications,
        "banking": distributed_banking,
    }
    bus = kafka_bus(
        settings.kafka_bootstrap,
        client_id=f"burency-{service}",
        topic_prefix=settings.kafka_topic_prefix,
    )
    _serve(ServedComponent(builders[service](), bus), settings)
    return 0


def _reconcile() -> int:
    """Reconcile the banking database: ``BURENCY_DATABASE_URL``, or in embedded mode the
    platform's ``<data_dir>/banking.db``. Prints the JSON report; exit 1 if anything is off."""
    platform = load_settings(PlatformSettings)
    overrides = {}
    if platform.mode is RunMode.EMBEDDED and "BURENCY_DATABASE_URL" not in os.environ:
        overrides["database_url"] = platform.sqlite_url("banking")
    banking_settings = load_settings(BankingSettings, **overrides)
    configure_logging(level="WARNING", json=banking_settings.log_json)
    report = asyncio.run(run_reconciliation(banking_settings))
    print(report_json(report))  # noqa: T201 - the command's output
    return 0 if report.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="burency", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="run the whole platform in one process (embedded mode)")
    serve = commands.add_parser("serve", help="run one service alone (distributed mode)")
    serve.add_argument("service", choices=SERVICES)
    commands.add_parser(
        "reconcile", help="prove the banking ledger consistent (exit 1 when anything is off)"
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            return _serve_one(args.service)
        if args.command == "reconcile":
            return _reconcile()
        return _up()
    except ConfigurationError as exc:
        print(f"burency: {exc.detail}", file=sys.stderr)  # noqa: T201
        return 2


if __name__ == "__main__":
    sys.exit(main())
