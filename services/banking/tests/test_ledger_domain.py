"""The ledger's rules as pure functions (burency_banking.domain.ledger): no database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from burency_banking.domain import ledger as rules
from burency_banking.domain.errors import (
    HoldNotPending,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidTransfer,
    TransferNotFound,
)
from burency_banking.domain.model import LockedAccount, Transfer, TransferRecord, TransferSpec

NOW = datetime(2026, 12, 2, tzinfo=UTC)
AMOUNT = st.integers(min_value=1, max_value=10**12)


def _record(spec: TransferSpec, status: str = "posted") -> TransferRecord:
    values = rules.transfer_values(spec, NOW) | {"status": status}
    values.pop("hold")
    return TransferRecord(Transfer(**values), hold=spec.pending)


@given(posted=AMOUNT, held=AMOUNT, amount=AMOUNT)
def test_a_user_account_is_funded_only_while_available_stays_non_negative(
    posted: int, held: int, amount: int
) -> None:
    user = LockedAccount("usr:AED:u", "AED", False, posted, held)
    assert rules.is_funded(user, amount) == (posted - held - amount >= 0)
    assert rules.is_funded(user._replace(is_system=True), amount)  # system may go negative


@given(amount=AMOUNT, pending=st.booleans())
def test_a_transfer_moves_posted_balances_that_sum_to_zero(amount: int, pending: bool) -> None:
    spec = TransferSpec("t", "AED", "usr:AED:a", "usr:AED:b", amount, "internal", pending)
    deltas = rules.transfer_deltas(spec)
    assert sum(posted for posted, _ in deltas.values()) == 0
    assert deltas[spec.debit] == ((0, amount) if pending else (-amount, 0))


@given(held=AMOUNT, part=AMOUNT, void=st.booleans())
def test_settling_a_hold_releases_it_and_moves_at_most_the_hold(
    held: int, part: int, void: bool
) -> None:
    spec = TransferSpec("h", "AED", "usr:AED:a", "sys:AED:fees", held, "w", pending=True)
    hold = _record(spec, status="pending")
    if not void and part > held:
        with pytest.raises(InvalidTransfer):
            rules.settle_amount(hold, "h", part, void=void)
        return
    moved = rules.settle_amount(hold, "h", part, void=void)
    deltas = rules.settlement_deltas(hold.transfer, moved, void=void)
    assert deltas[spec.debit][1] == -held
    assert sum(posted for posted, _ in deltas.values()) == 0


def test_a_hold_settles_once_and_only_a_hold_settles() -> None:
    spec = TransferSpec("h", "AED", "usr:AED:a", "sys:AED:fees", 5, "w", pending=True)
    for status in ("posted", "voided"):
        with pytest.raises(HoldNotPending):
            rules.settle_amount(_record(spec, status=status), "h", None, void=False)
    plain = TransferSpec("p", "AED", "usr:AED:a", "usr:AED:b", 5, "internal")
    with pytest.raises(HoldNotPending):
        rules.settle_amount(_record(plain), "p", None, void=True)
    with pytest.raises(TransferNotFound):
        rules.settle_amount(None, "nope", None, void=True)


def test_a_replayed_id_returns_the_original_or_conflicts() -> None:
    spec = TransferSpec("t", "AED", "usr:AED:a", "usr:AED:b", 5, "internal", memo="m")
    record = _record(spec)
    debit = LockedAccount("usr:AED:a", "AED", False, 0, 0)
    assert rules.not_recorded(spec, record, debit) == record.transfer  # even unfunded now
    for changed in (spec.__class__(**{**spec.__dict__, "amount": 6}),
                    spec.__class__(**{**spec.__dict__, "memo": "other"}),
                    spec.__class__(**{**spec.__dict__, "pending": True})):  # fmt: skip
        with pytest.raises(IdempotencyConflict):
            rules.not_recorded(changed, record, debit)
    with pytest.raises(InsufficientFunds):
        rules.not_recorded(spec, None, debit)
