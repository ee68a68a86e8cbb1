"""The ``burency`` command.

- ``burency up``: the whole platform in one process (embedded mode; ``make run``).
- ``burency serve <service>``: one service alone (distributed mode).
- ``burency reconcile``: prove the banking ledger consistent (non-zero exit if not).

Configuration comes only from ``BURENCY_*`` environment variables (and ``.env``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import uvicorn
from starlette.types import ASGIApp

from burency_common.config import BurencySettings, RunMode, load_settings
from burency_common.errors import ConfigurationError
from burency_common.logging import configure_logging
from burency_platform.served import SERVED_SERVICES

if TYPE_CHECKING:
    from burency_banking.service.reconciliation import ReconciliationReport
    from burency_banking.settings import BankingSettings
    from burency_platform.settings import PlatformSettings

# Each command imports what it runs, inside its function: `burency serve users` never
# loads the gateway's or banking's code, so a restarted service is ready sooner.
# ruff: noqa: PLC0415

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
    from burency_platform.gc_tuning import gc_tuned
    from burency_platform.serving import uvicorn_config

    server = uvicorn.Server(uvicorn_config(gc_tuned(app), settings, trusted_proxies))
    # as uvicorn.run: Ctrl+C / SIGINT is a clean stop (uvicorn re-raises the signal it
    # handled once the server is down), and a failed start-up is a failed command
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:
        sys.exit(3)


def _up() -> int:
    from burency_common.private_files import private_directory
    from burency_platform.embedded import build_platform
    from burency_platform.settings import PlatformSettings

    settings = load_settings(PlatformSettings, mode=RunMode.EMBEDDED)
    configure_logging(level=settings.log_level, json=settings.log_json)
    private_directory(settings.data_dir)
    platform = build_platform(settings)
    print(_banner(settings, platform.services), flush=True)  # noqa: T201 - operator's screen
    _serve(platform, settings, settings.trusted_proxies)
    return 0


def _serve_gateway() -> int:
    from burency_gateway.app import build_gateway
    from burency_gateway.component import subscribe_gateway
    from burency_gateway.settings import GatewaySettings
    from burency_platform.distributed import ServedGateway, kafka_bus

    settings = load_settings(GatewaySettings)
    configure_logging(level=settings.log_level, json=settings.log_json)
    gateway = build_gateway(settings)
    bus = kafka_bus(
        settings.kafka_bootstrap,
        client_id="burency-gateway",
        topic_prefix=settings.kafka_topic_prefix,
        instance_id=settings.kafka_instance_id,
    )
    component = subscribe_gateway(bus, gateway, shared_store=bool(settings.redis_url))
    _serve(ServedGateway(gateway, bus, component), settings, settings.trusted_proxies)
    return 0


def _serve_one(service: str) -> int:
    from burency_platform.served import ServedComponent, build_served_component, kafka_bus

    if service == "gateway":
        return _serve_gateway()
    settings = load_settings(BurencySettings)
    configure_logging(level=settings.log_level, json=settings.log_json)
    bus = kafka_bus(
        settings.kafka_bootstrap,
        client_id=f"burency-{service}",
        topic_prefix=settings.kafka_topic_prefix,
        instance_id=settings.kafka_instance_id,
    )
    _serve(ServedComponent(build_served_component(service), bus), settings)
    return 0


def _reconcile() -> int:
    """Reconcile the banking database (``BURENCY_DATABASE_URL``, or in embedded mode the
    platform's ``<data_dir>/banking.db``) and, across services, the trading wallets
    against banking's trading clearing (``BURENCY_TRADING_URL``, or in embedded mode the
    platform's trading database). Prints the JSON report; exit 1 if anything is off.

    Only the banking settings are validated (in distributed mode the gateway's, such as
    ``BURENCY_JWKS_URL``, are none of this command's business)."""
    from burency_banking.entrypoints.cli import report_json, run_reconciliation
    from burency_banking.settings import BankingSettings
    from burency_platform.settings import PlatformSettings

    embedded = load_settings(BurencySettings).mode is RunMode.EMBEDDED and (
        "BURENCY_DATABASE_URL" not in os.environ
    )
    if embedded:
        platform = load_settings(PlatformSettings, mode=RunMode.EMBEDDED)
        banking_settings = load_settings(
            BankingSettings, database_url=platform.sqlite_url("banking")
        )
        configure_logging(level="WARNING", json=banking_settings.log_json)
        report = asyncio.run(_reconcile_embedded(banking_settings, platform))
    else:
        banking_settings = load_settings(BankingSettings)
        configure_logging(level="WARNING", json=banking_settings.log_json)
        report = asyncio.run(run_reconciliation(banking_settings))
    print(report_json(report))  # noqa: T201 - the command's output
    return 0 if report.ok else 1


async def _reconcile_embedded(
    banking: BankingSettings, platform: PlatformSettings
) -> ReconciliationReport:
    """Embedded: the trading service's positions come from its own database through its
    app, in this process (it is built, not started: it reads its projection only)."""
    import httpx

    from burency_banking.entrypoints.cli import run_reconciliation
    from burency_platform.components import embedded_trading

    secret = banking.identity_secret_bytes()  # one per process in embedded mode: share it
    trading = embedded_trading(platform, secret)
    transport = httpx.ASGITransport(app=trading.app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://trading") as client:
            return await run_reconciliation(banking, trading_client=client, identity_secret=secret)
    finally:
        await trading.engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="burency", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="run the whole platform in one process (embedded mode)")
    serve = commands.add_parser("serve", help="run one service alone (distributed mode)")
    serve.add_argument("service", choices=["gateway", *SERVED_SERVICES])
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
