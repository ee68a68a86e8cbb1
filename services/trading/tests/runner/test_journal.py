"""FileJournal: round trip, group commit, torn tails, corruption, segments, compaction."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from burency_trading.adapters.journal import (
    FileJournal,
    JournalCorrupt,
    JournalError,
    JournalLocked,
)
from burency_trading.domain.model import PlaceOrder, Side, TransferIn
from burency_trading.service.ports import JournalRecord

from .standin import CountingFsync, transfer


def records(first: int, count: int) -> list[JournalRecord]:
    return [JournalRecord(seq, 1_000 + seq, transfer(seq)) for seq in range(first, first + count)]


def segments(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.seg"))


def test_round_trip_keeps_every_command_type_and_field(journal_dir: Path) -> None:
    place = PlaceOrder(user_id="u", market="BTC/AED", side=Side.BUY, type="LIMIT", qty=3, price=7)
    batch = [JournalRecord(1, 10, place), JournalRecord(2, 11, transfer(2))]
    journal = FileJournal(journal_dir)
    journal.append(batch)
    journal.close()
    reopened = FileJournal(journal_dir)
    assert list(reopened.read_from(1)) == batch
    assert reopened.last_seq() == 2
    assert list(reopened.read_from(2)) == batch[1:]
    assert list(reopened.read_from(3)) == []


def test_a_batch_is_one_fsync_plus_the_directory_when_a_segment_starts(journal_dir: Path) -> None:
    fsync = CountingFsync()
    journal = FileJournal(journal_dir, fsync=fsync)
    journal.append(records(1, 500))
    assert fsync.calls == 2  # the segment file + its directory entry
    journal.append(records(501, 500))
    assert fsync.calls == 3  # one fsync for the whole second batch
    assert journal.last_seq() == 1000


def test_files_are_owner_only(journal_dir: Path) -> None:
    journal = FileJournal(journal_dir)
    journal.append(records(1, 1))
    mode = stat.S_IMODE(segments(journal_dir)[0].stat().st_mode)
    assert mode == 0o600


def test_a_seq_gap_in_an_append_is_refused(journal_dir: Path) -> None:
    journal = FileJournal(journal_dir)
    with pytest.raises(JournalError, match="expected 1"):
        journal.append(records(2, 1))
    journal.append(records(1, 2))
    with pytest.raises(JournalError, match="expected 3"):
        journal.append(records(4, 1))


@pytest.mark.parametrize("cut", [1, 5, 9, 30])
def test_a_torn_tail_is_truncated_and_logged(
    journal_dir: Path, cut: int, caplog: pytest.LogCaptureFixture
) -> None:
    journal = FileJournal(journal_dir)
    journal.append(records(1, 10))
    journal.close()
    seg = segments(journal_dir)[0]
    whole = seg.read_bytes()
    last_record = len(whole) - len(last_record_bytes(whole))
    seg.write_bytes(whole[: last_record + min(cut, len(whole) - last_record - 1)])
    with caplog.at_level(logging.ERROR):
        reopened = FileJournal(journal_dir)
    assert "TORN TAIL" in caplog.text
    assert reopened.last_seq() == 9
    assert [r.seq for r in reopened.read_from(1)] == list(range(1, 10))
    reopened.append(records(10, 2))  # writing goes on after the truncated tail
    reopened.close()
    assert [r.seq for r in FileJournal(journal_dir).read_from(9)] == [9, 10, 11]


def last_record_bytes(whole: bytes) -> bytes:
    """The bytes of the last record of a segment (walk the length prefixes)."""
    offset = 0
    last = b""
    while offset < len(whole):
        length = int.from_bytes(whole[offset : offset + 4], "little")
        last = whole[offset : offset + 8 + length]
        offset += 8 + length
    return last


def test_garbage_appended_after_the_last_record_is_a_torn_tail(journal_dir: Path) -> None:
    journal = FileJournal(journal_dir)
    journal.append(records(1, 3))
    journal.close()
    with segments(journal_dir)[0].open("ab") as handle:
        handle.write(b"\xff" * 100)
    assert FileJournal(journal_dir).last_seq() == 3


def test_a_segment_with_no_complete_record_is_removed(journal_dir: Path) -> None:
    journal = FileJournal(journal_dir, segment_bytes=200)
    journal.append(records(1, 3))
    journal.append(records(4, 3))
    journal.close()
    assert len(segments(journal_dir)) == 2
    second = segments(journal_dir)[1]
    second.write_bytes(second.read_bytes()[:5])
    reopened = FileJournal(journal_dir, segment_bytes=200)
    assert reopened.last_seq() == 3
    assert len(segments(journal_dir)) == 1
    reopened.append(records(4, 1))
    assert [r.seq for r in reopened.read_from(1)] == [1, 2, 3, 4]


def test_corruption_in_the_middle_is_refused(journal_dir: Path) -> None:
    journal = FileJournal(journal_dir)
    journal.append(records(1, 10))
    journal.close()
    seg = segments(journal_dir)[0]
    data = bytearray(seg.read_bytes())
    data[20] ^= 0xFF  # inside the first record's payload: records 2..10 follow intact
    seg.write_bytes(bytes(data))
    with pytest.raises(JournalCorrupt, match="valid records follow"):
        FileJournal(journal_dir)


def test_a_corrupt_older_segment_is_refused_when_read(journal_dir: Path) -> None:
    journal = FileJournal(journal_dir, segment_bytes=300)
    for first in range(1, 30, 4):
        journal.append(records(first, 4))
    journal.close()
    first_segment = segments(journal_dir)[0]
    data = bytearray(first_segment.read_bytes())
    data[-3] ^= 0x55
    first_segment.write_bytes(bytes(data))
    reopened = FileJournal(journal_dir, segment_bytes=300)
    with pytest.raises(JournalCorrupt):
        list(reopened.read_from(1))


def test_a_missing_middle_segment_is_a_gap(journal_dir: Path) -> None:
    journal = FileJournal(journal_dir, segment_bytes=300)
    for first in range(1, 30, 4):
        journal.append(records(first, 4))
    journal.close()
    assert len(segments(journal_dir)) >= 3
    segments(journal_dir)[1].unlink()
    with pytest.raises(JournalCorrupt, match="gap"):
        list(FileJournal(journal_dir, segment_bytes=300).read_from(1))


def test_segments_rotate_and_read_from_crosses_them(journal_dir: Path) -> None:
    journal = FileJournal(journal_dir, segment_bytes=1_000)
    for first in range(1, 400, 10):
        journal.append(records(first, 10))
    names = [int(p.stem) for p in segments(journal_dir)]
    assert len(names) > 5
    assert names[0] == 1
    assert all(n % 10 == 1 for n in names)
    assert all(p.stat().st_size <= 1_000 for p in segments(journal_dir))
    assert [r.seq for r in journal.read_from(1)] == list(range(1, 401))
    middle = names[3] + 4
    assert [r.seq for r in journal.read_from(middle)] == list(range(middle, 401))
    journal.close()
    assert FileJournal(journal_dir, segment_bytes=1_000).last_seq() == 400


def test_compaction_drops_only_whole_segments_below_the_seq(journal_dir: Path) -> None:
    journal = FileJournal(journal_dir, segment_bytes=1_000)
    for first in range(1, 400, 10):
        journal.append(records(first, 10))
    before = journal.segment_count()
    removed = journal.compact(155)
    assert removed > 0
    assert journal.segment_count() == before - removed
    assert journal.first_seq() <= 155  # the segment holding 155 stays
    assert next(r.seq for r in journal.read_from(155)) == 155
    with pytest.raises(JournalError, match="compacted"):
        list(journal.read_from(1))
    journal.compact(10_000)
    assert journal.segment_count() == 1  # never the active segment
    journal.append(records(401, 1))
    journal.close()
    assert FileJournal(journal_dir, segment_bytes=1_000).last_seq() == 401


def test_a_failed_fsync_fails_the_journal_for_good(journal_dir: Path) -> None:
    def broken(fd: int) -> None:
        raise OSError(5, "I/O error")

    journal = FileJournal(journal_dir, fsync=broken)
    with pytest.raises(JournalError, match="fsync failed"):
        journal.append(records(1, 1))
    with pytest.raises(JournalError, match="failed earlier"):
        journal.append(records(1, 1))
    assert journal.last_seq() == 0


def test_a_big_command_survives(journal_dir: Path) -> None:
    big = TransferIn(transfer_id="x" * 100_000, user_id="u", asset="AED", amount=1)
    journal = FileJournal(journal_dir)
    journal.append([JournalRecord(1, 1, big)])
    journal.close()
    assert next(FileJournal(journal_dir).read_from(1)).command == big
    assert os.listdir(journal_dir)


def test_a_second_writer_is_refused_until_the_first_closes(journal_dir: Path) -> None:
    first = FileJournal(journal_dir)
    with pytest.raises(JournalLocked):
        FileJournal(journal_dir)
    first.close()
    first.close()  # idempotent
    FileJournal(journal_dir).close()


def test_an_integer_past_64_bits_is_journaled_too(journal_dir: Path) -> None:
    huge = TransferIn(transfer_id="eth", user_id="u", asset="ETH", amount=1_000 * 10**18)
    journal = FileJournal(journal_dir)
    journal.append([JournalRecord(1, 1, transfer(1)), JournalRecord(2, 2, huge)])
    journal.append([JournalRecord(3, 3, transfer(3))])
    journal.close()
    reopened = FileJournal(journal_dir)
    assert [r.command for r in reopened.read_from(1)] == [transfer(1), huge, transfer(3)]
    assert reopened.last_seq() == 3
    reopened.close()
