"""Engine snapshots as files (implements ``ports.SnapshotStore``).

One file per snapshot, named by the seq it includes (``00000000000000001000.snap``):
``b"BSNP"``, then ``<u32 version><u64 seq><u64 length><u32 crc32>`` and the engine's bytes.
A snapshot is written to a temporary file, fsynced, renamed into place and the directory
fsynced: a crash leaves either the whole snapshot or none (a stray ``.tmp`` is removed on
open). Only the newest ``keep`` are kept. A snapshot that fails its CRC is logged loudly
and skipped (the next older one and a longer replay take its place).
"""

from __future__ import annotations

import logging
import os
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

from burency_common.private_files import PRIVATE_FILE_MODE, private_directory
from burency_trading.adapters.journal_format import fsync_directory

__all__ = ["FileSnapshotStore", "SnapshotCorrupt"]

log = logging.getLogger(__name__)

_MAGIC = b"BSNP"
_VERSION = 1
_HEADER = struct.Struct("<4sIQQI")
_SUFFIX = ".snap"
_TMP = ".tmp"


class SnapshotCorrupt(ValueError):
    """A snapshot file whose header or CRC does not hold."""


def _name(seq: int) -> str:
    return f"{seq:020d}{_SUFFIX}"


class FileSnapshotStore:
    """Snapshots in ``directory``, newest ``keep`` kept; ``fsync`` injectable for tests."""

    def __init__(
        self, directory: Path, *, keep: int = 3, fsync: Callable[[int], None] = os.fsync
    ) -> None:
        if keep < 1:
            raise ValueError("keep at least one snapshot")
        self._dir = private_directory(Path(directory))
        self._keep = keep
        self._fsync = fsync
        for stray in self._dir.glob(f"*{_TMP}"):
            log.warning("snapshots: removing %s left by an interrupted write", stray.name)
            stray.unlink()

    def seqs(self) -> list[int]:
        """The seqs of the stored snapshots, oldest first."""
        return sorted(
            int(path.stem)
            for path in self._dir.iterdir()
            if path.suffix == _SUFFIX and path.stem.isdigit()
        )

    def save(self, seq: int, data: bytes) -> None:
        """Durably store ``data`` as the snapshot after ``seq`` (atomic), then prune."""
        final = self._dir / _name(seq)
        tmp = self._dir / (_name(seq) + _TMP)
        header = _HEADER.pack(_MAGIC, _VERSION, seq, len(data), zlib.crc32(data))
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
        try:
            view = memoryview(header + data)
            while view:
                view = view[os.write(fd, view) :]
            self._fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, final)
        fsync_directory(self._dir, self._fsync)
        self._prune()

    def _prune(self) -> None:
        stale = self.seqs()[: -self._keep]
        for seq in stale:
            (self._dir / _name(seq)).unlink(missing_ok=True)
        if stale:
            fsync_directory(self._dir, self._fsync)

    def load(self, seq: int) -> bytes:
        """The bytes of snapshot ``seq``; :class:`SnapshotCorrupt` if they do not check."""
        raw = (self._dir / _name(seq)).read_bytes()
        if len(raw) < _HEADER.size:
            raise SnapshotCorrupt(f"snapshot {seq}: a short header")
        magic, version, stored_seq, length, crc = _HEADER.unpack_from(raw)
        data = raw[_HEADER.size :]
        if magic != _MAGIC or version != _VERSION or stored_seq != seq:
            raise SnapshotCorrupt(f"snapshot {seq}: a foreign header")
        if len(data) != length or zlib.crc32(data) != crc:
            raise SnapshotCorrupt(f"snapshot {seq}: length or CRC mismatch")
        return data

    def latest(self, at_most: int | None = None) -> tuple[int, bytes] | None:
        """The newest valid snapshot with seq <= ``at_most`` (any when None), or None."""
        for seq in reversed(self.seqs()):
            if at_most is not None and seq > at_most:
                continue
            try:
                return seq, self.load(seq)
            except (SnapshotCorrupt, OSError) as exc:
                log.error("snapshots: SKIPPING CORRUPT SNAPSHOT %d (%s)", seq, exc)
        return None
