"""Pure domain rules: refresh state machine, throttling, TOTP, one-time secrets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from burency_auth.domain.refresh import RefreshOutcome, RefreshState, decide_refresh
from burency_auth.domain.throttling import FailureCounts, throttle_retry_after
from burency_auth.domain.totp import (
    accept_totp,
    hash_recovery_code,
    new_recovery_codes,
    new_totp_secret,
)
from burency_common.errors import PermissionDenied

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
IDLE = timedelta(days=7)
GRACE = timedelta(seconds=10)


def _state(**changes: object) -> RefreshState:
    values: dict[str, object] = {
        "session_expires_at": NOW + timedelta(days=1),
        "session_last_used_at": NOW - timedelta(hours=1),
        "session_revoked": False,
        "rotated_at": None,
        "successor_available": False,
    }
    values.update(changes)
    return RefreshState(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("state", "outcome"),
    [
        (_state(), RefreshOutcome.ROTATE),
        (_state(session_revoked=True), RefreshOutcome.REVOKED),
        (_state(session_expires_at=NOW), RefreshOutcome.EXPIRED),
        (_state(session_last_used_at=NOW - IDLE), RefreshOutcome.EXPIRED),
        (
            _state(rotated_at=NOW - timedelta(seconds=3), successor_available=True),
            RefreshOutcome.REPLAY,
        ),
        (
            _state(rotated_at=NOW - timedelta(seconds=3), successor_available=False),
            RefreshOutcome.REUSED,
        ),
        (
            _state(rotated_at=NOW - timedelta(seconds=11), successor_available=True),
            RefreshOutcome.REUSED,
        ),
        (_state(session_revoked=True, rotated_at=NOW), RefreshOutcome.REVOKED),
    ],
)
def test_refresh_decisions(state: RefreshState, outcome: RefreshOutcome) -> None:
    assert decide_refresh(state, now=NOW, idle_timeout=IDLE, grace=GRACE) is outcome


def _counts(from_ip: int, total: int, known_ip: bool = False) -> FailureCounts:
    oldest = NOW - timedelta(minutes=5)
    return FailureCounts(
        from_ip, oldest if from_ip else None, total, oldest if total else None, known_ip
    )


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        (_counts(0, 0), None),
        (_counts(4, 4), None),
        (_counts(5, 5), 600),
        (_counts(0, 49), None),
        (_counts(0, 50), 600),
        (_counts(0, 50, known_ip=True), None),
        (_counts(5, 50, known_ip=True), 600),
    ],
)
def test_throttle_decisions(counts: FailureCounts, expected: int | None) -> None:
    window = timedelta(minutes=15)
    result = throttle_retry_after(counts, now=NOW, window=window, max_per_ip=5, max_per_account=50)
    assert result == expected


def test_totp_accepts_drift_of_one_step_and_refuses_replays() -> None:
    secret = new_totp_secret()
    totp = pyotp.TOTP(secret)
    step = totp.timecode(NOW)
    assert accept_totp(secret, totp.at(NOW), now=NOW, last_step=None) == step
    assert (
        accept_totp(secret, totp.at(NOW - timedelta(seconds=30)), now=NOW, last_step=None)
        == step - 1
    )
    with pytest.raises(PermissionDenied) as reused:
        accept_totp(secret, totp.at(NOW), now=NOW, last_step=step)
    assert reused.value.code == "TOTP_REUSED"
    with pytest.raises(PermissionDenied) as invalid:
        accept_totp(secret, totp.at(NOW - timedelta(minutes=5)), now=NOW, last_step=None)
    assert invalid.value.code == "TOTP_INVALID"
    with pytest.raises(PermissionDenied):
        accept_totp(secret, "12345a", now=NOW, last_step=None)


def test_recovery_codes_are_unique_and_hash_normalised() -> None:
    codes = new_recovery_codes()
    assert len(set(codes)) == 10
    assert hash_recovery_code(codes[0].upper() + " ") == hash_recovery_code(codes[0])


def test_domain_imports_no_framework_or_database_code() -> None:
    import ast
    from pathlib import Path

    import burency_auth.domain

    forbidden = ("sqlalchemy", "fastapi", "starlette", "aiokafka", "httpx")
    for path in Path(burency_auth.domain.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(forbidden), f"{path.name} imports {name}"
