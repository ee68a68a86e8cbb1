"""The engine's journal as segment files on local disk (embedded mode; see ADR 0018).

A segment is a file of records ``[u32 length][u32 crc32][payload]`` (little endian),
the payload being msgpack ``[seq, ts, command]`` (commands are tagged msgspec arrays).
Segments are named by the seq of their first record (``00000000000000000001.seg``) and a
new one starts when the current one would pass ``segment_bytes``; a batch never spans two.

``append`` writes a batch with one ``write`` and makes it durable with ONE fsync (group
commit), plus one fsync of the directory when it created a segment. Opening the journal
scans the last segment: a torn or corrupt tail (a batch cut short by a crash) is truncated
and logged loudly; a bad record followed by a good one (corruption in the middle) or a seq
gap is refused with :class:`JournalCorrupt` - never silently skipped. Older segments are
checked as they are read (CRC and seq continuity).
"""

from __future__ import annotations

import logging
import os
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from burency_common.private_files import PRIVATE_FILE_MODE, private_directory
from burency_trading.adapters.journal_format import (
    HEADER,
    MAX_RECORD_BYTES,
    Codec,
    JournalCorrupt,
    JournalError,
    JournalLocked,
    Scan,
    fsync_directory,
    lock_directory,
    parse,
)
from burency_trading.service.ports import JournalRecord

__all__ = [
    "DEFAULT_SEGMENT_BYTES",
    "FileJournal",
    "JournalCorrupt",
    "JournalError",
    "JournalLocked",
]

log = logging.getLogger(__name__)

DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024
_SUFFIX = ".seg"
_READ_BUFFER = 1 << 20


@dataclass(slots=True)
class _Segment:
    first_seq: int
    path: Path


def _segment_name(first_seq: int) -> str:
    return f"{first_seq:020d}{_SUFFIX}"


class FileJournal:
    """An append-only, fsynced command log in ``directory`` (implements ``ports.Journal``).

    One writer (the engine thread) calls :meth:`append`; :meth:`read_from`,
    :meth:`last_seq` and :meth:`compact` may be called from other threads.
    ``fsync`` is injectable so tests can count the fsyncs of a batch.
    """

    def __init__(
        self,
        directory: Path,
        *,
        segment_bytes: int = DEFAULT_SEGMENT_BYTES,
        fsync: Callable[[int], None] = os.fsync,
    ) -> None:
        self._dir = private_directory(Path(directory))
        self._lock_fd = lock_directory(self._dir)
        self._segment_bytes = segment_bytes
        self._fsync = fsync
        self._codec = Codec()
        self._lock = threading.Lock()  # the segment list, sizes and last seq
        self._segments = self._list_segments()
        self._last_seq = 0
        self._size = 0  # bytes of the active (last) segment that are durable
        self._fd: int | None = None
        self._failed: str | None = None
        self._closed = False
        try:
            self._recover_tail()
        except BaseException:
            os.close(self._lock_fd)
            raise

    # -- opening -----------------------------------------------------------------------

    def _list_segments(self) -> list[_Segment]:
        found = []
        for path in self._dir.iterdir():
            if path.suffix == _SUFFIX and path.stem.isdigit():
                found.append(_Segment(int(path.stem), path))
        found.sort(key=lambda s: s.first_seq)
        return found

    def _recover_tail(self) -> None:
        """Scan the last segment; truncate a torn tail; drop a segment left empty."""
        while self._segments:
            seg = self._segments[-1]
            data = seg.path.read_bytes()
            scan = Scan(data, seg.first_seq, self._codec)
            if scan.bad_at is not None:
                self._judge_bad_tail(seg, data, scan)
            if scan.end == 0:
                log.error(
                    "journal: segment %s holds no complete record; removing it", seg.path.name
                )
                seg.path.unlink()
                fsync_directory(self._dir, self._fsync)
                self._segments.pop()
                continue
            self._last_seq, self._size = scan.last_seq, scan.end
            break
        if self._segments:
            self._fd = os.open(self._segments[-1].path, os.O_WRONLY | os.O_APPEND)

    def _judge_bad_tail(self, seg: _Segment, data: bytes, scan: Scan) -> None:
        assert scan.bad_at is not None
        if scan.gap or self._good_record_after(data, scan.bad_at):
            raise JournalCorrupt(
                f"journal segment {seg.path} is corrupt at byte {scan.bad_at} ({scan.bad_why}) "
                f"and valid records follow: refusing to open (after seq {scan.last_seq})"
            )
        log.error(
            "journal: TORN TAIL in %s at byte %d (%s): truncating %d bytes after seq %d",
            seg.path.name,
            scan.end,
            scan.bad_why,
            len(data) - scan.end,
            scan.last_seq,
        )
        fd = os.open(seg.path, os.O_WRONLY)
        try:
            os.ftruncate(fd, scan.end)
            self._fsync(fd)
        finally:
            os.close(fd)

    def _good_record_after(self, data: bytes, bad_at: int) -> bool:
        """Whether a valid record starts after the bad one (its declared length skipped):
        then the damage is in the middle, not a torn last write."""
        if bad_at + HEADER.size > len(data):
            return False
        length, _crc = HEADER.unpack_from(data, bad_at)
        if not 0 < length <= MAX_RECORD_BYTES:
            return False
        return not isinstance(parse(data, bad_at + HEADER.size + length, self._codec), str)

    # -- writing -----------------------------------------------------------------------

    def append(self, records: Sequence[JournalRecord]) -> None:
        """Write ``records`` (seqs following :meth:`last_seq` without a gap) and fsync once."""
        if not records:
            return
        self._check_usable()
        expected = self._last_seq + 1
        for offset, record in enumerate(records):
            if record.seq != expected + offset:
                raise JournalError(f"append of seq {record.seq}, expected {expected + offset}")
        blob = self._encode(records)
        try:
            created = self._make_room(len(blob), records[0].seq)
            self._write_all(blob)
            assert self._fd is not None
            self._fsync(self._fd)
            if created:
                fsync_directory(self._dir, self._fsync)
        except OSError as exc:
            self._failed = f"write or fsync failed: {exc}"
            raise JournalError(self._failed) from exc
        with self._lock:
            self._size += len(blob)
            self._last_seq = records[-1].seq

    def _encode(self, records: Sequence[JournalRecord]) -> bytes:
        parts: list[bytes] = []
        encode, pack, crc32 = self._codec.encode, HEADER.pack, zlib.crc32
        for record in records:
            payload = encode(record.seq, record.ts, record.command)
            parts.append(pack(len(payload), crc32(payload)))
            parts.append(payload)
        return b"".join(parts)

    def _make_room(self, nbytes: int, first_seq: int) -> bool:
        """Start a new segment if needed; True when one was created (fsync the dir)."""
        if self._fd is not None and (self._size == 0 or self._size + nbytes <= self._segment_bytes):
            return False
        path = self._dir / _segment_name(first_seq)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, PRIVATE_FILE_MODE)
        if self._fd is not None:
            os.close(self._fd)
        with self._lock:
            self._fd, self._size = fd, 0
            self._segments.append(_Segment(first_seq, path))
        return True

    def _write_all(self, blob: bytes) -> None:
        assert self._fd is not None
        view = memoryview(blob)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]

    def _check_usable(self) -> None:
        if self._closed:
            raise JournalError("the journal is closed")
        if self._failed is not None:
            raise JournalError(f"the journal failed earlier ({self._failed}); restart to recover")

    # -- reading -----------------------------------------------------------------------

    def last_seq(self) -> int:
        """The highest durable seq (0 when empty)."""
        return self._last_seq

    def first_seq(self) -> int:
        """The lowest seq still held (0 when empty): replay cannot start before it."""
        with self._lock:
            return self._segments[0].first_seq if self._segments and self._last_seq else 0

    def read_from(self, seq: int) -> Iterator[JournalRecord]:
        """Every durable record with ``record.seq >= seq``, in order, checked as read."""
        with self._lock:
            last, segments = self._last_seq, list(self._segments)
        seq = max(seq, 1)
        if not segments or seq > last:
            return
        if seq < segments[0].first_seq:
            raise JournalError(
                f"records before seq {segments[0].first_seq} were compacted (asked {seq})"
            )
        start = max(i for i, s in enumerate(segments) if s.first_seq <= seq)
        expected = segments[start].first_seq
        for seg in segments[start:]:
            if seg.first_seq != expected:
                raise JournalCorrupt(
                    f"journal gap: segment {seg.path.name} after seq {expected - 1}"
                )
            for record in self._read_segment(seg, last):
                if record.seq != expected:
                    raise JournalCorrupt(
                        f"journal gap in {seg.path.name}: seq {record.seq} after {expected - 1}"
                    )
                expected += 1
                if record.seq >= seq:
                    yield record
                if record.seq >= last:
                    return

    def _read_segment(self, seg: _Segment, last: int) -> Iterator[JournalRecord]:
        with open(seg.path, "rb", buffering=_READ_BUFFER) as handle:
            while True:
                header = handle.read(HEADER.size)
                if not header:
                    return
                if len(header) < HEADER.size:
                    raise JournalCorrupt(f"journal {seg.path.name}: a short header")
                length, crc = HEADER.unpack(header)
                payload = handle.read(length) if 0 < length <= MAX_RECORD_BYTES else b""
                if len(payload) != length or zlib.crc32(payload) != crc:
                    raise JournalCorrupt(
                        f"journal {seg.path.name}: a corrupt record at {handle.tell()}"
                    )
                seq, ts, command = self._codec.decode(payload)
                yield JournalRecord(seq, ts, command)
                if seq >= last:
                    return

    # -- compaction and closing ----------------------------------------------------------

    def compact(self, below: int) -> int:
        """Delete whole segments whose records are all below ``below`` (never the active
        one); returns how many were deleted."""
        removed: list[_Segment] = []
        with self._lock:
            while len(self._segments) > 1 and self._segments[1].first_seq <= below:
                removed.append(self._segments.pop(0))
        for seg in removed:
            seg.path.unlink(missing_ok=True)
            log.info("journal: compacted segment %s (below seq %d)", seg.path.name, below)
        if removed:
            fsync_directory(self._dir, self._fsync)
        return len(removed)

    def segment_count(self) -> int:
        with self._lock:
            return len(self._segments)

    def close(self) -> None:
        """Close the active segment and release the writer's lock (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        os.close(self._lock_fd)
