"""The ledger contract on SQLite and on real PostgreSQL: balances, idempotency, holds
(posted fully, in part, voided, exactly once), refusals that write nothing, the
database's own not-negative constraint and concurrent spending of one balance."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from burency_banking.adapters.orm import ledger_accounts
from burency_banking.ledger import (
    AccountNotFound,
    Balance,
    HoldNotPending,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidTransfer,
    LedgerError,
    SystemAccount,
    TransferNotFound,
    TransferSpec,
)
from burency_common.ids import new_id

from .banking_testing.harness import LedgerDb


async def _balance(ldb: LedgerDb, account: str) -> Balance:
    async with ldb.engine.begin() as db:
        return await ldb.ledger.balance(db, account)


async def _transfer(ldb: LedgerDb, spec: TransferSpec):  # type: ignore[no-untyped-def]
    async with ldb.engine.begin() as db:
        return await ldb.ledger.transfer(db, spec)


async def test_deposit_and_transfer_keep_the_asset_summing_to_zero(ledger_db: LedgerDb) -> None:
    alice = await ledger_db.fund("alice", "AED", 10_000)
    async with ledger_db.engine.begin() as db:
        bob = await ledger_db.ledger.user_account(db, "bob", "AED")
    t = await _transfer(ledger_db, TransferSpec("t1", "AED", alice, bob, 2_550, "internal"))
    assert (t.status, t.amount, t.pending_id) == ("posted", 2_550, None)
    assert await _balance(ledger_db, alice) == Balance(7_450, 0, 7_450)
    assert await _balance(ledger_db, bob) == Balance(2_550, 0, 2_550)
    omnibus = "sys:AED:bank_omnibus"
    assert await _balance(ledger_db, omnibus) == Balance(-10_000, 0, -10_000)
    assert await ledger_db.sum_posted("AED") == 0


async def test_same_id_same_body_returns_the_original_and_moves_nothing(
    ledger_db: LedgerDb,
) -> None:
    alice = await ledger_db.fund("alice", "BTC", 100)
    async with ledger_db.engine.begin() as db:
        bob = await ledger_db.ledger.user_account(db, "bob", "BTC")
    spec = TransferSpec("same", "BTC", alice, bob, 60, "internal", memo="rent")
    first = await _transfer(ledger_db, spec)
    again = await _transfer(ledger_db, spec)  # alice could not afford it a second time
    assert again == first
    assert await _balance(ledger_db, alice) == Balance(40, 0, 40)
    with pytest.raises(IdempotencyConflict) as info:
        await _transfer(ledger_db, TransferSpec("same", "BTC", alice, bob, 61, "internal"))
    assert (info.value.status, info.value.code) == (409, "IDEMPOTENCY_CONFLICT")
    assert await _balance(ledger_db, bob) == Balance(60, 0, 60)


async def test_insufficient_funds_writes_nothing_and_the_transaction_goes_on(
    ledger_db: LedgerDb,
) -> None:
    alice = await ledger_db.fund("alice", "AED", 500)
    async with ledger_db.engine.begin() as db:
        bob = await ledger_db.ledger.user_account(db, "bob", "AED")
        with pytest.raises(InsufficientFunds) as info:
            await ledger_db.ledger.transfer(db, TransferSpec("x", "AED", alice, bob, 501, "i"))
        assert (info.value.status, info.value.code) == (409, "INSUFFICIENT_FUNDS")
        await ledger_db.ledger.transfer(db, TransferSpec("y", "AED", alice, bob, 500, "i"))
    assert await _balance(ledger_db, alice) == Balance(0, 0, 0)
    # the refused id was never recorded: it can be used later for an affordable body
    await ledger_db.fund("alice", "AED", 1)
    await _transfer(ledger_db, TransferSpec("x", "AED", alice, bob, 1, "i"))


async def test_hold_posted_in_part_releases_the_rest_exactly_once(ledger_db: LedgerDb) -> None:
    alice = await ledger_db.fund("alice", "USDT", 1_000_000)
    async with ledger_db.engine.begin() as db:
        flight = await ledger_db.ledger.system_account(
            db, SystemAccount.WITHDRAWALS_IN_FLIGHT, "USDT"
        )
    hold = await _transfer(
        ledger_db, TransferSpec("h1", "USDT", alice, flight, 700_000, "withdrawal", pending=True)
    )
    assert hold.status == "pending"
    assert await _balance(ledger_db, alice) == Balance(1_000_000, 700_000, 300_000)
    with pytest.raises(InsufficientFunds):  # held funds are not available
        await _transfer(ledger_db, TransferSpec("h2", "USDT", alice, flight, 300_001, "w"))
    async with ledger_db.engine.begin() as db:
        post = await ledger_db.ledger.post(db, id="p1", pending_id="h1", amount=650_000)
    assert (post.status, post.amount, post.pending_id) == ("post", 650_000, "h1")
    assert await _balance(ledger_db, alice) == Balance(350_000, 0, 350_000)
    assert await _balance(ledger_db, flight) == Balance(650_000, 0, 650_000)
    async with ledger_db.engine.begin() as db:
        assert await ledger_db.ledger.post(db, id="p1", pending_id="h1", amount=650_000) == post
        with pytest.raises(HoldNotPending) as info:
            await ledger_db.ledger.void(db, id="v1", pending_id="h1")
        assert (info.value.status, info.value.code) == (409, "HOLD_NOT_PENDING")
        with pytest.raises(IdempotencyConflict):
            await ledger_db.ledger.post(db, id="p1", pending_id="h1", amount=1)
        replay = await ledger_db.ledger.transfer(
            db, TransferSpec("h1", "USDT", alice, flight, 700_000, "withdrawal", pending=True)
        )
    assert replay.status == "posted"  # the hold's row shows it was settled
    assert await ledger_db.sum_posted("USDT") == 0


async def test_void_releases_the_hold_and_a_second_settlement_is_refused(
    ledger_db: LedgerDb,
) -> None:
    alice = await ledger_db.fund("alice", "ETH", 5_000)
    async with ledger_db.engine.begin() as db:
        flight = await ledger_db.ledger.system_account(
            db, SystemAccount.WITHDRAWALS_IN_FLIGHT, "ETH"
        )
        await ledger_db.ledger.transfer(
            db, TransferSpec("h", "ETH", alice, flight, 5_000, "withdrawal", pending=True)
        )
        void = await ledger_db.ledger.void(db, id="v", pending_id="h")
        assert (void.status, void.amount, void.pending_id) == ("voided", 5_000, "h")
        assert await ledger_db.ledger.void(db, id="v", pending_id="h") == void
        with pytest.raises(HoldNotPending):
            await ledger_db.ledger.post(db, id="p", pending_id="h")
        with pytest.raises(HoldNotPending):
            await ledger_db.ledger.void(db, id="v2", pending_id="h")
    assert await _balance(ledger_db, alice) == Balance(5_000, 0, 5_000)
    assert await _balance(ledger_db, flight) == Balance(0, 0, 0)


async def test_bad_requests_are_refused_with_stable_codes(ledger_db: LedgerDb) -> None:
    alice = await ledger_db.fund("alice", "AED", 100)
    async with ledger_db.engine.begin() as db:
        btc = await ledger_db.ledger.user_account(db, "bob", "BTC")
        cases: list[tuple[TransferSpec, type[LedgerError], str]] = [
            (TransferSpec("a", "AED", alice, "nope", 1, "i"), AccountNotFound, "ACCOUNT_NOT_FOUND"),
            (TransferSpec("b", "AED", alice, btc, 1, "i"), InvalidTransfer, "ASSET_MISMATCH"),
            (TransferSpec("c", "AED", alice, alice, 1, "i"), InvalidTransfer, "SAME_ACCOUNT"),
            (TransferSpec("d", "AED", alice, btc, 0, "i"), InvalidTransfer, "INVALID_AMOUNT"),
            (TransferSpec("e", "XYZ", alice, btc, 1, "i"), InvalidTransfer, "UNKNOWN_ASSET"),
            (TransferSpec("", "AED", alice, btc, 1, "i"), InvalidTransfer, "INVALID_TRANSFER_ID"),
        ]
        for spec, error, code in cases:
            with pytest.raises(error) as info:
                await ledger_db.ledger.transfer(db, spec)
            assert info.value.code == code
        with pytest.raises(TransferNotFound):
            await ledger_db.ledger.post(db, id="p", pending_id="missing")
    assert await _balance(ledger_db, alice) == Balance(100, 0, 100)


async def test_the_database_refuses_a_negative_user_account(ledger_db: LedgerDb) -> None:
    alice = await ledger_db.fund("alice", "AED", 100)
    with pytest.raises(IntegrityError):
        async with ledger_db.engine.begin() as conn:
            await conn.execute(
                update(ledger_accounts)
                .where(ledger_accounts.c.id == alice)
                .values(held=ledger_accounts.c.held + 101)
            )
    omnibus = "sys:AED:bank_omnibus"  # system accounts may go negative
    async with ledger_db.engine.begin() as conn:
        await conn.execute(
            update(ledger_accounts)
            .where(ledger_accounts.c.id == omnibus)
            .values(posted=ledger_accounts.c.posted - 1)
        )


async def test_concurrent_spending_never_overdraws(ledger_db: LedgerDb) -> None:
    alice = await ledger_db.fund("alice", "AED", 1_000)
    async with ledger_db.engine.begin() as db:
        bob = await ledger_db.ledger.user_account(db, "bob", "AED")

    async def spend(i: int) -> bool:
        try:
            await _transfer(ledger_db, TransferSpec(f"s{i}", "AED", alice, bob, 100, "internal"))
        except InsufficientFunds:
            return False
        return True

    results = await asyncio.gather(*(spend(i) for i in range(25)))
    assert sum(results) == 10
    assert await _balance(ledger_db, alice) == Balance(0, 0, 0)
    assert await _balance(ledger_db, bob) == Balance(1_000, 0, 1_000)
    assert await ledger_db.sum_posted("AED") == 0


async def test_a_new_id_is_accepted_for_a_different_hold_settlement(ledger_db: LedgerDb) -> None:
    alice = await ledger_db.fund("alice", "AED", 100)
    async with ledger_db.engine.begin() as db:
        flight = await ledger_db.ledger.system_account(
            db, SystemAccount.WITHDRAWALS_IN_FLIGHT, "AED"
        )
        hold = TransferSpec(new_id(), "AED", alice, flight, 40, "withdrawal", pending=True)
        await ledger_db.ledger.transfer(db, hold)
        with pytest.raises(InvalidTransfer) as info:
            await ledger_db.ledger.post(db, id="p", pending_id=hold.id, amount=41)
        assert info.value.code == "AMOUNT_EXCEEDS_HOLD"
        posted = await ledger_db.ledger.post(db, id="p", pending_id=hold.id)
    assert posted.amount == 40
    assert await _balance(ledger_db, alice) == Balance(60, 0, 60)
