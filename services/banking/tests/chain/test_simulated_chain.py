"""The simulated chain keeps the ``ChainAdapter`` semantics, on SQLite and PostgreSQL:
deterministic valid addresses, mempool -> blocks -> confirmations, reorganising a
transaction away, idempotent broadcasts, wallet totals, and state that survives a
restart (a new adapter over the same database)."""

from __future__ import annotations

import asyncio

import pytest

from burency_banking.chain import (
    OutgoingPayment,
    SimulatedChain,
    UnknownNetwork,
    UnknownTransaction,
    derive_address,
)
from burency_common.validators import validate_crypto_address

from ..banking_testing.harness import LedgerDb

NETWORKS = {"BTC": "BTC", "ETH": "ETH", "ERC20": "USDT", "TRC20": "USDT"}
SEED = b"test-seed-0123456789abcdef012345"
OUTSIDE_BTC = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"


def _chain(db: LedgerDb) -> SimulatedChain:
    return SimulatedChain(db.engine, networks=NETWORKS, seed=SEED)


def test_addresses_are_deterministic_valid_and_distinct() -> None:
    seen = set()
    for network, asset in NETWORKS.items():
        for user in ("u1", "u2"):
            address = derive_address(SEED, user_id=user, asset=asset, network=network)
            assert validate_crypto_address(network, address) == address
            assert derive_address(SEED, user_id=user, asset=asset, network=network) == address
            seen.add(address)
    assert len(seen) == 2 * len(NETWORKS)
    other_seed = derive_address(
        b"another-seed-0123456789abcdefabc", user_id="u1", asset="BTC", network="BTC"
    )
    assert other_seed not in seen


async def test_deposit_lifecycle_mempool_blocks_confirmations(ledger_db: LedgerDb) -> None:
    chain = _chain(ledger_db)
    address = await chain.new_address(user_id="u1", asset="BTC", network="BTC")
    assert await chain.height("BTC") == 0
    txid = await chain.send("BTC", [(address, 150_000), (OUTSIDE_BTC, 7)])
    [seen] = await chain.deposits_since("BTC", height=0)  # only the wallet's output
    assert (seen.txid, seen.output_index, seen.amount, seen.confirmations) == (txid, 0, 150_000, 0)
    assert await chain.confirmations("BTC", txid) == 0
    assert await chain.mine("BTC") == 1
    assert await chain.confirmations("BTC", txid) == 1
    assert await chain.mine("BTC", 2) == 3
    assert await chain.confirmations("BTC", txid) == 3
    [mined] = await chain.deposits_since("BTC", height=0)
    assert (mined.block_height, mined.confirmations) == (1, 3)
    assert await chain.deposits_since("BTC", height=1) == []
    assert await chain.confirmations("BTC", "no-such-tx") is None


async def test_reorg_drops_the_transaction_and_keeps_the_others(ledger_db: LedgerDb) -> None:
    chain = _chain(ledger_db)
    a = await chain.new_address(user_id="u1", asset="USDT", network="TRC20")
    b = await chain.new_address(user_id="u2", asset="USDT", network="TRC20")
    await chain.mine("TRC20", 5)
    doomed = await chain.send("TRC20", [(a, 1_000_000)])
    kept = await chain.send("TRC20", [(b, 2_000_000)])
    await chain.mine("TRC20", 2)  # both in block 6; tip 7
    assert await chain.confirmations("TRC20", doomed) == 2
    result = await chain.reorg("TRC20", doomed)
    assert (result.orphaned_blocks, result.height) == (2, 8)  # the new branch is longer
    assert await chain.confirmations("TRC20", doomed) is None
    assert await chain.confirmations("TRC20", kept) == 3  # re-mined in the new block 6
    outputs = await chain.deposits_since("TRC20", height=0)
    assert [o.txid for o in outputs] == [kept]
    with pytest.raises(UnknownTransaction):
        await chain.reorg("TRC20", doomed)


async def test_reorg_of_a_mempool_transaction_mines_nothing(ledger_db: LedgerDb) -> None:
    chain = _chain(ledger_db)
    address = await chain.new_address(user_id="u1", asset="ETH", network="ETH")
    txid = await chain.send("ETH", [(address, 5)])
    assert txid.startswith("0x")
    result = await chain.reorg("ETH", txid)
    assert (result.orphaned_blocks, result.height) == (0, 0)
    await chain.mine("ETH")
    assert await chain.confirmations("ETH", txid) is None
    assert await chain.deposits_since("ETH", height=0) == []


async def test_broadcast_is_idempotent_and_counts_in_wallet_totals(ledger_db: LedgerDb) -> None:
    chain = _chain(ledger_db)
    address = await chain.new_address(user_id="u1", asset="BTC", network="BTC")
    await chain.send("BTC", [(address, 1_000)])
    await chain.mine("BTC")
    payment = OutgoingPayment("wd-1", "BTC", "BTC", OUTSIDE_BTC, 300)
    first, second = await asyncio.gather(chain.broadcast(payment), chain.broadcast(payment))
    assert first == second
    assert await chain.confirmations("BTC", first) == 0
    totals = await chain.wallet_totals("BTC", min_confirmations=1)
    assert (totals["BTC"].received, totals["BTC"].sent) == (1_000, 0)
    await chain.mine("BTC", 2)
    assert (await chain.wallet_totals("BTC", min_confirmations=2))["BTC"].sent == 300
    assert (await chain.wallet_totals("BTC", min_confirmations=3))["BTC"].sent == 0
    assert (await chain.wallet_totals("BTC", min_confirmations=3))["BTC"].received == 1_000


async def test_state_survives_a_new_adapter_and_concurrent_miners(ledger_db: LedgerDb) -> None:
    chain = _chain(ledger_db)
    address = await chain.new_address(user_id="u1", asset="BTC", network="BTC")
    txid = await chain.send("BTC", [(address, 42)])
    await asyncio.gather(*(chain.mine("BTC") for _ in range(4)))
    restarted = _chain(ledger_db)
    assert await restarted.height("BTC") == 4
    assert await restarted.confirmations("BTC", txid) == 4
    assert await restarted.new_address(user_id="u1", asset="BTC", network="BTC") == address


async def test_unknown_networks_and_bad_operations(ledger_db: LedgerDb) -> None:
    chain = _chain(ledger_db)
    with pytest.raises(UnknownNetwork):
        await chain.height("DOGE")
    with pytest.raises(UnknownNetwork):
        await chain.new_address(user_id="u1", asset="BTC", network="LTC")
    with pytest.raises(ValueError, match="positive amounts"):
        await chain.send("BTC", [])
    with pytest.raises(ValueError, match="at least one block"):
        await chain.mine("BTC", 0)
    with pytest.raises(UnknownTransaction):
        await chain.reorg("BTC", "0" * 64)
