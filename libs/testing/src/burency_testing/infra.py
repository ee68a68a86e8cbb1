"""Finding the real test infrastructure that ``make infra-up`` starts, or failing loudly.

Tests that need PostgreSQL, Kafka, Redis or S3 never skip: a missing service is a
test failure that says how to start it.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

__all__ = [
    "create_postgres_database",
    "drop_postgres_database",
    "free_port",
    "require_env",
    "require_tcp",
    "run_blocking",
    "unique_name",
    "wait_until_ready",
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


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now (for test servers)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_ready(
    url: str,
    proc: subprocess.Popen[bytes],
    *,
    deadline_s: float = 180,  # a bound for failure only: a loaded CI machine starts slowly
    path: str = "/healthz",
    log: Path | None = None,
) -> None:
    """Poll ``url + path`` until it answers 200, failing early if ``proc`` exits.

    A failure quotes the end of ``log`` (the server's output), which is usually the why.
    """
    import httpx  # noqa: PLC0415 - only tests that start servers need it

    def tail() -> str:
        return "\n" + log.read_text(errors="replace")[-3000:] if log and log.exists() else ""

    deadline = time.monotonic() + deadline_s
    while True:
        if proc.poll() is not None:
            pytest.fail(f"the server for {url} exited ({proc.returncode}){tail()}", pytrace=False)
        try:
            if httpx.get(url + path, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{url}{path} not ready within {deadline_s} s{tail()}", pytrace=False)
        time.sleep(0.05)  # polling with a deadline


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
