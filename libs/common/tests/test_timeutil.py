from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from burency_common.timeutil import (
    Clock,
    FixedClock,
    ManualClock,
    SystemClock,
    from_epoch_ms,
    parse_iso,
    to_epoch_ms,
    to_iso_ms,
    utc_now,
)

aware = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
)


def test_utc_now_is_aware_utc() -> None:
    now = utc_now()
    assert now.tzinfo is UTC
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)


def test_to_iso_ms_exact_form() -> None:
    assert to_iso_ms(datetime(2026, 11, 26, 12, 0, tzinfo=UTC)) == "2026-11-26T12:00:00.000Z"
    assert (
        to_iso_ms(datetime(2026, 11, 26, 12, 0, 1, 987_999, tzinfo=UTC))
        == "2026-11-26T12:00:01.987Z"
    )


def test_to_iso_ms_converts_offsets_and_pads_years() -> None:
    dubai = timezone(timedelta(hours=4))
    assert to_iso_ms(datetime(2026, 1, 1, 3, 30, tzinfo=dubai)) == "2025-12-31T23:30:00.000Z"
    assert to_iso_ms(datetime(999, 1, 2, tzinfo=UTC)) == "0999-01-02T00:00:00.000Z"


def test_naive_datetimes_rejected() -> None:
    naive = datetime(2026, 11, 26, 12, 0)
    with pytest.raises(ValueError, match="naive"):
        to_iso_ms(naive)
    with pytest.raises(ValueError, match="naive"):
        to_epoch_ms(naive)
    with pytest.raises(ValueError, match="naive"):
        FixedClock(naive)


def test_parse_iso_variants() -> None:
    expected = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert parse_iso("2026-11-26T12:00:00.000Z") == expected
    assert parse_iso("2026-11-26T16:00:00+04:00") == expected
    assert parse_iso("2026-11-26T12:00:00Z").tzinfo is UTC
    assert parse_iso("2026-11-26T16:00:00+04:00").tzinfo is UTC


@pytest.mark.parametrize(
    "text", ["2026-11-26T12:00:00", "2026-11-26", "yesterday", "", "２０２６-11-26T12:00:00Z"]
)
def test_parse_iso_rejects_naive_and_garbage(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - any parse failure
        parse_iso(text)


def test_parse_iso_rejects_non_str() -> None:
    with pytest.raises(TypeError):
        parse_iso(1_700_000_000)  # type: ignore[arg-type]


@given(aware)
def test_iso_round_trip_to_millisecond(dt: datetime) -> None:
    truncated = dt.replace(microsecond=dt.microsecond // 1000 * 1000)
    assert parse_iso(to_iso_ms(dt)) == truncated


@given(st.integers(min_value=-62_135_596_800_000 + 86_400_000, max_value=253_402_214_400_000))
def test_epoch_ms_round_trip(ms: int) -> None:
    assert to_epoch_ms(from_epoch_ms(ms)) == ms


def test_epoch_ms_values() -> None:
    assert to_epoch_ms(datetime(1970, 1, 1, tzinfo=UTC)) == 0
    assert from_epoch_ms(1_795_000_000_123) == datetime(
        2026, 11, 18, 11, 6, 40, 123_000, tzinfo=UTC
    )
    # floors (not rounds, not truncates toward zero) sub-millisecond parts
    assert to_epoch_ms(datetime(1970, 1, 1, 0, 0, 0, 1_999, tzinfo=UTC)) == 1
    assert to_epoch_ms(datetime(1969, 12, 31, 23, 59, 59, 999_500, tzinfo=UTC)) == -1
    with pytest.raises(TypeError):
        from_epoch_ms(1.5)  # type: ignore[arg-type]


def test_clocks_satisfy_protocol() -> None:
    for clock in (SystemClock(), FixedClock(utc_now()), ManualClock()):
        assert isinstance(clock, Clock)
        assert clock.now().tzinfo is UTC


def test_fixed_clock_never_moves() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    clock = FixedClock(at)
    assert clock.now() == clock.now() == at


def test_manual_clock_advance_and_set() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    clock = ManualClock(start)
    assert clock.now() == start
    assert clock.advance(timedelta(seconds=5)) == start + timedelta(seconds=5)
    clock.advance(1.5)
    clock.advance(minutes=1)
    assert clock.now() == start + timedelta(seconds=66.5)
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)
    clock.set(start - timedelta(days=1))
    assert clock.now() == start - timedelta(days=1)


def test_manual_clock_defaults_to_epoch() -> None:
    assert ManualClock().now() == datetime(1970, 1, 1, tzinfo=UTC)
