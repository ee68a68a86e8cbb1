"""Operator commands: ``python -m burency_auth.entrypoints.cli <command>``.

* ``create-admin --email EMAIL``: the password comes from ``BURENCY_ADMIN_PASSWORD``
  or stdin (prompted twice on a terminal), never from the command line, where it
  would land in shell history and ``ps`` output.
* ``rotate-signing-key``: prints a new Ed25519 private key (PKCS#8 PEM) on stdout and,
  on stderr, how to put it first in ``BURENCY_SIGNING_KEYS`` while keeping the old
  key published until every token it signed has expired.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from burency_auth.component import MIGRATIONS, build_component
from burency_auth.service.bootstrap import create_admin
from burency_auth.settings import AuthSettings
from burency_common.config import load_settings
from burency_common.db import migrate
from burency_common.errors import BurencyError
from burency_common.tokens import SigningKey

__all__ = ["main"]

PASSWORD_ENV = "BURENCY_ADMIN_PASSWORD"  # noqa: S105 - the variable's name


def _read_password(stdin: TextIO) -> str:
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    if stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Repeat password: "):
            raise SystemExit("passwords do not match")
        return first
    return stdin.readline().rstrip("\r\n")


async def _create_admin(settings: AuthSettings, email: str, password: str) -> str:
    """Create the admin in the auth database; its ``user.registered`` stays in the outbox.

    The running auth service's relay publishes it, as it does a registration's, so the
    notification, users and banking services learn the admin. (This command once
    drained its outbox into a private in-process bus that nobody listened to: the event
    was marked published and lost, and the admin's security e-mails failed with
    ``recipient_unknown``.)
    """
    component = build_component(settings)
    try:
        await migrate(component.engine, MIGRATIONS)
        return await create_admin(component.context, email=email, password=password)
    finally:
        await component.engine.dispose()


def _rotate(out: TextIO, err: TextIO) -> None:
    key = SigningKey.generate()
    out.write(key.to_pem().decode())
    err.write(
        f"new signing key kid={key.kid}\n"
        "Put this PEM FIRST in BURENCY_SIGNING_KEYS (a JSON list) and keep the current keys\n"
        "after it; remove an old key only once the access-token TTL has passed since.\n"
    )


def main(argv: Sequence[str] | None = None, *, stdin: TextIO | None = None) -> int:
    parser = argparse.ArgumentParser(prog="burency-auth")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-admin", help="create an administrator account")
    create.add_argument("--email", required=True)
    commands.add_parser("rotate-signing-key", help="generate the next signing key")
    args = parser.parse_args(argv)
    if args.command == "rotate-signing-key":
        _rotate(sys.stdout, sys.stderr)
        return 0
    password = _read_password(stdin or sys.stdin)
    try:
        user_id = asyncio.run(_create_admin(load_settings(AuthSettings), args.email, password))
    except BurencyError as exc:
        sys.stderr.write(f"error: {exc.code}: {exc.detail}\n")
        return 1
    sys.stdout.write(f"created admin {user_id}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
