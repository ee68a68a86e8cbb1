"""Finding the real test infrastructure that ``make infra-up`` starts, or failing loudly.

Tests that need PostgreSQL, Kafka, Redis or S3 never skip: a missing service is a
test failure that says how to start it.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import uuid
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlsplit

import pytest

__all__ = [
    "create_postgres_database",
    "drop_postgres_database",
    "require_env",
    "require_tcp",
    "run_blocking",
    "unique_name",
]

_HOW_TO_START = "run `make infra-up` (or `make test`, which starts it) and `source var/infra.env`"


def require_env(name: str, service: str) -> str:
    """The value of ``name``, or a test failure explaining how to provide it."""
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{service} is required but {name} is not set: {_HOW_TO_START}", pytrace=False)
    return value


def require_tcp(host_port: str, service: str, timeout: float = 3.0) -> None:
    """Fail the test unless something accepts TCP connections at ``host:port``."""
    host, _, port = host_port.rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout):
            return
    except OSError as exc:
        pytest.fail(
            f"{service} not reachable at {host_port} ({exc}): {_HOW_TO_START}", pytrace=False
        )


def unique_name(prefix: str) -> str:
    """A name no other test uses (topics, databases, buckets, consumer groups)."""
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def run_blocking(make_coro: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run a coroutine to completion from sync code, even inside a running event loop.

    Fixtures are called both from plain tests and from async fixtures; a private thread
    with its own loop works in both cases.
    """
    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(make_coro())
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target, name="burency-test-infra")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def _admin_dsn() -> str:
    return require_env("BURENCY_TEST_POSTGRES_ADMIN_DSN", "PostgreSQL")


def create_postgres_database(prefix: str = "test") -> str:
    """Create an empty database and return its ``postgresql+asyncpg://`` URL."""
    import asyncpg  # noqa: PLC0415 - only test runs that use PostgreSQL need it

    admin = _admin_dsn()
    parts = urlsplit(admin)
    require_tcp(f"{parts.hostname}:{parts.port or 5432}", "PostgreSQL")
    name = unique_name(prefix).lower()

    async def create() -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    run_blocking(create)
    netloc = parts.netloc
    return f"postgresql+asyncpg://{netloc}/{name}"


def drop_postgres_database(url: str) -> None:
    """Drop a database made by :func:`create_postgres_database`, closing its connections."""
    import asyncpg  # noqa: PLC0415

    name = urlsplit(url).path.lstrip("/")

    async def drop() -> None:
        conn = await asyncpg.connect(_admin_dsn())
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    run_blocking(drop)
