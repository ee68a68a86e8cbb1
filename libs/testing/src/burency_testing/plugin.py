"""Pytest plugin with fixtures every Burency test suite reuses (registered via entry point).

- ``postgres_database`` (module): a fresh, empty PostgreSQL database URL per test module;
  ``postgres_database_factory`` makes more, migrated with a service's Alembic scripts.
- ``kafka_bootstrap`` / ``redis_url`` / ``s3_endpoint`` (session): the real servers
  started by ``make infra-up``; a missing one fails the test, never skips it.
- ``unique_topic``: a Kafka-safe topic name unique to the test.
- ``kafka_topic_prefix``: a Kafka topic namespace unique to the test.
- ``memory_bus``: a started :class:`~burency_common.bus.InMemoryBus`.
- ``settings_factory``: builds a settings class from explicit values only, ignoring the
  developer's environment and ``.env``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pydantic_settings import BaseSettings

from burency_testing.infra import (
    create_postgres_database,
    drop_postgres_database,
    require_env,
    require_tcp,
    run_blocking,
    unique_name,
)

SettingsT = TypeVar("SettingsT", bound=BaseSettings)


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    bootstrap = require_env("BURENCY_TEST_KAFKA_BOOTSTRAP", "Kafka")
    require_tcp(bootstrap.split(",")[0], "Kafka")
    return bootstrap


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = require_env("BURENCY_TEST_REDIS_URL", "Redis")
    require_tcp(url.split("//", 1)[1].split("/", 1)[0], "Redis")
    return url


@pytest.fixture(scope="session")
def s3_endpoint() -> str:
    endpoint = require_env("BURENCY_TEST_S3_ENDPOINT", "S3 API server")
    require_tcp(endpoint.split("//", 1)[1].rstrip("/"), "S3 API server")
    return endpoint


@pytest.fixture
def kafka_topic_prefix() -> str:
    """A Kafka namespace of this test alone (``KafkaBus(topic_prefix=...)``): a component
    subscribed to its real topic names, e.g. ``SEND_NOTIFICATION``, reads only what this
    test published, not every earlier run's history on the shared broker."""
    return unique_name("test").replace("_", "-") + "."


@pytest.fixture
def unique_topic(request: pytest.FixtureRequest) -> Callable[[str], str]:
    """``unique_topic("orders")`` → ``test.orders.<random>``: no test sees another's messages."""
    base = request.node.name.split("[")[0][:40]

    def make(name: str = base) -> str:
        return unique_name(f"test.{name}").replace("_", ".")

    return make


@pytest.fixture(scope="module")
def postgres_database() -> Iterator[str]:
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


@pytest.fixture(scope="module")
def postgres_database_factory() -> Iterator[Callable[..., str]]:
    """``factory(migrations=path)`` → URL of a fresh database upgraded to head."""
    made: list[str] = []

    def make(*, migrations: str | Path | None = None) -> str:
        url = create_postgres_database()
        made.append(url)
        if migrations is not None:
            run_blocking(lambda: _migrate(url, migrations))
        return url

    yield make
    for url in made:
        drop_postgres_database(url)


async def _migrate(url: str, migrations: str | Path) -> None:
    from burency_common.db import create_engine, migrate  # noqa: PLC0415

    engine = create_engine(url)
    try:
        await migrate(engine, migrations)
    finally:
        await engine.dispose()


@pytest.fixture
async def memory_bus() -> AsyncIterator[Any]:
    from burency_common.bus import InMemoryBus  # noqa: PLC0415

    bus = InMemoryBus()
    await bus.start()
    yield bus
    await bus.stop()


@pytest.fixture
def settings_factory(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """Build settings from the given values only: ``BURENCY_*`` env vars and ``.env`` ignored."""
    import os  # noqa: PLC0415

    def make(cls: type[SettingsT], **values: Any) -> SettingsT:
        for key in list(os.environ):
            if key.startswith("BURENCY_") and not key.startswith("BURENCY_TEST_"):
                monkeypatch.delenv(key)
        return cls(_env_file=None, **values)

    return make


def pytest_report_header() -> list[str]:
    """Say at the top of every run which real infrastructure the tests will use."""
    import os  # noqa: PLC0415

    names = {
        "postgres": "BURENCY_TEST_POSTGRES_URL",
        "kafka": "BURENCY_TEST_KAFKA_BOOTSTRAP",
        "redis": "BURENCY_TEST_REDIS_URL",
        "s3": "BURENCY_TEST_S3_ENDPOINT",
    }
    found = [
        f"{svc}={_redact(os.environ[var])}" for svc, var in names.items() if os.environ.get(var)
    ]
    return ["burency infrastructure: " + (", ".join(found) or "none configured")]


def _redact(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        rest = "***@" + rest.split("@", 1)[1]
    return f"{scheme}{sep}{rest}"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Adopt orphans, so the sweep at the end finds a server whose launcher died; and on
    SIGTERM (CI's time-out, ``timeout``, ``kill``) sweep at once, then die of SIGTERM as
    before (an exception raised from the handler could be swallowed by a running test)."""
    import signal  # noqa: PLC0415

    from burency_testing.processes import become_subreaper  # noqa: PLC0415

    become_subreaper()
    signal.signal(signal.SIGTERM, _reap_then_terminate)


def _reap_then_terminate(signum: int, frame: object) -> None:
    import os  # noqa: PLC0415
    import signal  # noqa: PLC0415
    import sys  # noqa: PLC0415

    from burency_testing.processes import reap_descendants  # noqa: PLC0415

    leftovers = reap_descendants()
    for process in leftovers:
        print(f"burency: reaped pid {process.pid}: {process.command}", file=sys.stderr)  # noqa: T201
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """No process outlives the run, whatever failed: reap and name what was left."""
    from burency_testing.processes import reap_descendants  # noqa: PLC0415

    leftovers = reap_descendants()
    if leftovers:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = [f"  pid {p.pid}: {p.command}" for p in leftovers]
        message = "burency: reaped processes that tests left running:\n" + "\n".join(lines)
        if reporter is not None:
            reporter.write_line(message, yellow=True)
