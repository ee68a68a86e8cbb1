"""FileSnapshotStore: atomic files, latest(at_most), the newest N kept, corruption skipped."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from burency_trading.adapters.snapshots import FileSnapshotStore, SnapshotCorrupt

from .standin import CountingFsync


def test_save_and_latest(snapshot_dir: Path) -> None:
    store = FileSnapshotStore(snapshot_dir)
    assert store.latest() is None
    store.save(10, b"ten")
    store.save(20, b"twenty")
    assert store.latest() == (20, b"twenty")
    assert store.latest(at_most=19) == (10, b"ten")
    assert store.latest(at_most=9) is None
    assert store.seqs() == [10, 20]


def test_keeps_the_newest_n(snapshot_dir: Path) -> None:
    store = FileSnapshotStore(snapshot_dir, keep=3)
    for seq in range(1, 7):
        store.save(seq * 100, bytes([seq]))
    assert store.seqs() == [400, 500, 600]
    assert FileSnapshotStore(snapshot_dir).latest(at_most=450) == (400, b"\x04")


def test_a_write_is_fsynced_then_renamed_and_the_directory_fsynced(snapshot_dir: Path) -> None:
    fsync = CountingFsync()
    store = FileSnapshotStore(snapshot_dir, fsync=fsync)
    store.save(5, b"x" * 10_000)
    assert fsync.calls == 2  # the file's content, then the directory (the rename)
    assert not list(snapshot_dir.glob("*.tmp"))
    assert stat.S_IMODE((snapshot_dir / f"{5:020d}.snap").stat().st_mode) == 0o600


def test_an_interrupted_write_leaves_no_snapshot(snapshot_dir: Path) -> None:
    store = FileSnapshotStore(snapshot_dir)
    store.save(1, b"one")
    (snapshot_dir / f"{2:020d}.snap.tmp").write_bytes(b"half a snap")  # crash before rename
    reopened = FileSnapshotStore(snapshot_dir)
    assert reopened.latest() == (1, b"one")
    assert not list(snapshot_dir.glob("*.tmp"))


def test_a_corrupt_snapshot_is_skipped_loudly(
    snapshot_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = FileSnapshotStore(snapshot_dir)
    store.save(1, b"good")
    store.save(2, b"bad!")
    path = snapshot_dir / f"{2:020d}.snap"
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(SnapshotCorrupt):
        store.load(2)
    with caplog.at_level(logging.ERROR):
        assert store.latest() == (1, b"good")
    assert "CORRUPT SNAPSHOT 2" in caplog.text
