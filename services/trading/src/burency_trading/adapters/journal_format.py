"""The journal's on-disk format: a record is ``[u32 length][u32 crc32][payload]`` (little
endian), the payload msgpack ``[seq, ts, command]`` (or the same array as JSON when an
integer does not fit 64 bits). Reading a segment's bytes back into records and finding
where its valid prefix ends (``Scan``) live here; files and fsyncs in ``journal.py``.
"""

from __future__ import annotations

import fcntl
import os
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import msgspec

from burency_common.private_files import PRIVATE_FILE_MODE
from burency_trading.domain.model import Command

__all__ = [
    "HEADER",
    "MAX_RECORD_BYTES",
    "Codec",
    "JournalCorrupt",
    "JournalError",
    "JournalLocked",
    "Scan",
    "fsync_directory",
    "lock_directory",
    "parse",
]

MAX_RECORD_BYTES = 16 * 1024 * 1024  # a longer declared length is garbage, not a record
HEADER = struct.Struct("<II")
_JSON_START = ord("[")  # a msgpack payload starts with 0x93 (a 3-array), never "["


class JournalError(RuntimeError):
    """The journal cannot be used (a failed write or fsync, a closed journal)."""


class JournalCorrupt(JournalError):
    """The journal holds a gap or a corrupt record that is not a torn tail: refuse to go on
    (an operator must look; replaying past it would silently lose commands)."""


class JournalLocked(JournalError):
    """Another writer holds the journal (a second engine for the same market group)."""


class Codec:
    """A record's payload: msgpack ``[seq, ts, command]``, or the same array as JSON when
    an integer does not fit msgpack's 64 bits (an amount of an 18-decimal asset above
    ~18.4 units): the first byte tells them apart, both decode to the same values."""

    def __init__(self) -> None:
        self._msgpack = msgspec.msgpack.Encoder()
        self._json = msgspec.json.Encoder()
        self._from_msgpack = msgspec.msgpack.Decoder(tuple[int, int, Command])
        self._from_json = msgspec.json.Decoder(tuple[int, int, Command])

    def encode(self, seq: int, ts: int, command: Command) -> bytes:
        try:
            return self._msgpack.encode((seq, ts, command))
        except OverflowError:
            return self._json.encode((seq, ts, command))

    def decode(self, payload: bytes) -> tuple[int, int, Command]:
        if payload[0] == _JSON_START:
            return self._from_json.decode(payload)
        return self._from_msgpack.decode(payload)


def fsync_directory(directory: Path, fsync: Callable[[int], None] = os.fsync) -> None:
    """Make a created, renamed or removed entry of ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fsync(fd)
    finally:
        os.close(fd)


class Scan:
    """The valid prefix of a segment: where it ends and the last seq in it."""

    def __init__(self, data: bytes, expected_first: int, decoder: Codec) -> None:
        self.end = 0
        self.last_seq = expected_first - 1
        self.bad_at: int | None = None  # offset of the first invalid record, if any
        self.bad_why = ""
        self.gap = False
        offset = 0
        while offset < len(data):
            parsed = parse(data, offset, decoder)
            if isinstance(parsed, str):
                self.bad_at, self.bad_why = offset, parsed
                return
            seq, following = parsed
            if seq != self.last_seq + 1:
                self.bad_at, self.gap = offset, True
                self.bad_why = f"seq {seq} after {self.last_seq}"
                return
            self.last_seq, self.end = seq, following
            offset = following


def parse(data: bytes, offset: int, decoder: Codec) -> tuple[int, int] | str:
    """(seq, next offset) of the record at ``offset``, or why it is not a record."""
    if offset + HEADER.size > len(data):
        return "a short header"
    length, crc = HEADER.unpack_from(data, offset)
    start = offset + HEADER.size
    if length == 0 or length > MAX_RECORD_BYTES or start + length > len(data):
        return f"a bad or short length ({length})"
    payload = data[start : start + length]
    if zlib.crc32(payload) != crc:
        return "a CRC mismatch"
    try:
        seq, _ts, _command = decoder.decode(payload)
    except (msgspec.DecodeError, ValueError) as exc:
        return f"an undecodable payload ({exc})"
    return int(seq), start + length


def lock_directory(directory: Path) -> int:
    """One writer per journal: an exclusive ``flock`` on ``directory/LOCK``, held while
    open and released by the kernel when the process dies (a SIGKILLed engine restarts
    at once; a second live one is refused)."""
    fd = os.open(directory / "LOCK", os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise JournalLocked(f"the journal in {directory} is open by another writer") from None
    return fd
