from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from burency_common.ids import (
    UUID7Generator,
    canonical_uuid,
    is_uuid7,
    new_id,
    uuid7,
    uuid7_time,
)
from burency_common.timeutil import to_epoch_ms, utc_now


def test_version_and_variant_bits() -> None:
    for _ in range(100):
        u = uuid7()
        assert u.version == 7
        assert u.variant == uuid.RFC_4122
        assert (u.int >> 76) & 0xF == 0x7
        assert (u.int >> 62) & 0b11 == 0b10


def test_ten_thousand_ids_strictly_increasing() -> None:
    ids = [uuid7() for _ in range(10_000)]
    assert all(a < b for a, b in pairwise(ids))
    strings = [str(u) for u in ids]
    assert strings == sorted(strings)  # lexical order matches time order
    assert len(set(strings)) == 10_000


def test_timestamp_extraction_matches_creation_time() -> None:
    before = to_epoch_ms(utc_now())
    u = uuid7()
    after = to_epoch_ms(utc_now())
    created = uuid7_time(u)
    assert created.tzinfo is UTC
    assert before <= to_epoch_ms(created) <= after
    assert uuid7_time(str(u)) == created


def test_timestamp_layout_with_injected_clock() -> None:
    ms = 1_795_000_000_123
    u = UUID7Generator(lambda: ms)()
    assert u.int >> 80 == ms
    assert uuid7_time(u) == datetime(2026, 11, 18, 11, 6, 40, 123_000, tzinfo=UTC)


def test_same_millisecond_and_backwards_clock_stay_monotonic() -> None:
    times = iter([5_000, 5_000, 5_000, 4_000, 4_500, 6_000])
    gen = UUID7Generator(lambda: next(times))
    ids = [gen() for _ in range(6)]
    assert all(a < b for a, b in pairwise(ids))
    assert [u.int >> 80 for u in ids] == [5_000, 5_000, 5_000, 5_000, 5_000, 6_000]


def test_counter_overflow_moves_to_next_millisecond() -> None:
    gen = UUID7Generator(lambda: 1_000)
    first = gen()
    gen._counter = (1 << 74) - 1  # simulate an exhausted counter
    second = gen()
    assert second > first
    assert second.int >> 80 == 1_001
    assert second.version == 7


def test_timestamp_beyond_48_bits_rejected() -> None:
    with pytest.raises(OverflowError):
        UUID7Generator(lambda: 1 << 48)()


def test_thread_safety_yields_unique_ids() -> None:
    results: list[list[uuid.UUID]] = [[] for _ in range(8)]

    def work(out: list[uuid.UUID]) -> None:
        out.extend(uuid7() for _ in range(2_000))

    threads = [threading.Thread(target=work, args=(r,)) for r in results]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = [u for r in results for u in r]
    assert len(set(everything)) == len(everything) == 16_000
    for r in results:  # each thread sees strictly increasing ids
        assert all(a < b for a, b in pairwise(r))


def test_new_id_is_canonical_uuid7_string() -> None:
    value = new_id()
    assert isinstance(value, str)
    assert len(value) == 36
    assert value == value.lower()
    assert is_uuid7(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("018f3c8e-7a4b-7cde-8f01-23456789abcd", True),
        ("018F3C8E-7A4B-7CDE-BF01-23456789ABCD", True),
        ("018f3c8e-7a4b-4cde-8f01-23456789abcd", False),  # version 4
        ("018f3c8e-7a4b-7cde-cf01-23456789abcd", False),  # wrong variant
        ("018f3c8e7a4b7cde8f0123456789abcd", False),  # no hyphens
        ("{018f3c8e-7a4b-7cde-8f01-23456789abcd}", False),
        ("urn:uuid:018f3c8e-7a4b-7cde-8f01-23456789abcd", False),
        ("018f3c8e-7a4b-7cde-8f01-23456789abcg", False),
        ("", False),
        (None, False),
        (uuid.uuid4(), False),
    ],
)
def test_is_uuid7(value: object, expected: bool) -> None:
    assert is_uuid7(value) is expected


def test_is_uuid7_accepts_uuid_objects() -> None:
    assert is_uuid7(uuid7())


def test_uuid7_time_rejects_other_versions() -> None:
    with pytest.raises(ValueError, match="UUIDv7"):
        uuid7_time(uuid.uuid4())
    with pytest.raises(ValueError):  # noqa: PT011 - uuid's own parse error
        uuid7_time("not-a-uuid")


@given(st.integers(min_value=0, max_value=(1 << 128) - 1))
def test_canonical_uuid_is_the_uuid_string(value: int) -> None:
    assert canonical_uuid(value) == str(uuid.UUID(int=value))


def test_new_id_is_a_canonical_uuid7_string_in_order() -> None:
    ids = [new_id() for _ in range(2_000)]  # several pools of random bytes
    assert all(is_uuid7(i) and i == i.lower() for i in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_a_reset_generator_draws_fresh_random_bits() -> None:
    """A forked child resets its generator: it must not replay the parent's buffered
    random bytes (equal ids in two processes within one millisecond)."""
    generator = UUID7Generator(clock_ms=lambda: 1_000)
    first = generator.next_int()
    generator.reset()
    assert generator.next_int() != first  # same millisecond, new random start
