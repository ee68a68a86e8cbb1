"""Embedded databases and keys are created owner-only, and stay so."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from burency_common.db import create_engine
from burency_common.private_files import private_directory, private_file


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # what most machines use: new files would be 0644
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


async def test_sqlite_database_and_its_wal_files_are_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "data" / "auth.db"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (x INTEGER)"))
            await connection.execute(text("INSERT INTO t VALUES (1)"))
        files = sorted(p.name for p in database.parent.iterdir())
        assert files == ["auth.db", "auth.db-shm", "auth.db-wal"]
        assert {p.name: mode(p) for p in database.parent.iterdir()} == dict.fromkeys(files, 0o600)
        assert mode(database.parent) == 0o700
    finally:
        await engine.dispose()


def test_an_existing_world_readable_file_is_tightened_and_kept(tmp_path: Path) -> None:
    old = tmp_path / "auth.db"
    old.write_bytes(b"old content")
    old.chmod(0o644)
    private_file(old, b"ignored for an existing file")
    assert mode(old) == 0o600
    assert old.read_bytes() == b"old content"


def test_a_new_file_is_private_from_its_first_byte(tmp_path: Path) -> None:
    key = private_file(tmp_path / "keys" / "signing.pem", b"secret")
    assert key.read_bytes() == b"secret"
    assert mode(key) == 0o600
    assert mode(key.parent) == 0o700


def test_an_existing_directory_is_left_as_its_owner_made_it(tmp_path: Path) -> None:
    """``var/`` may be shared on purpose (the test PostgreSQL, run as another user, keeps
    its data there): closing it would stop that server. The files in it are private."""
    shared = tmp_path / "var"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    private_directory(shared)
    database = private_file(shared / "auth.db")
    assert mode(shared) == 0o755
    assert mode(database) == 0o600
