"""Crypto deposits over the simulated chain: a stable address, pending until the
network's confirmations, credited exactly once per output, never when reorganised
away; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from .flows_harness import FlowsHarness

OUTSIDE_BTC = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"


async def _address(h: FlowsHarness, user: str, asset: str, network: str) -> str:
    response = await h.call(
        "GET", f"/v1/deposits/crypto/address?asset={asset}&network={network}", user
    )
    assert response.status_code == 200, response.text
    return str(response.json()["address"])


async def _deposits(h: FlowsHarness, user: str) -> list[dict[str, object]]:
    response = await h.call("GET", "/v1/deposits/crypto", user)
    assert response.status_code == 200, response.text
    items: list[dict[str, object]] = response.json()["items"]
    return items


async def test_address_is_stable_per_user_asset_network(flows_h: FlowsHarness) -> None:
    a = await _address(flows_h, "u1", "USDT", "TRC20")
    assert a == await _address(flows_h, "u1", "USDT", "trc20")
    assert a != await _address(flows_h, "u2", "USDT", "TRC20")
    assert a != await _address(flows_h, "u1", "USDT", "ERC20")
    assert (await _address(flows_h, "u1", "BTC", "BTC")).startswith("bc1")
    for query, code in [
        ("asset=BTC&network=TRC20", "UNSUPPORTED_NETWORK"),
        ("asset=AED&network=BTC", "UNSUPPORTED_ASSET"),
        ("asset=DOGE&network=BTC", "UNKNOWN_ASSET"),
    ]:
        response = await flows_h.call("GET", f"/v1/deposits/crypto/address?{query}", "u1")
        assert (response.status_code, response.json()["code"]) == (422, code), query


async def test_pending_then_confirmed_then_credited_once(db_flows: FlowsHarness) -> None:
    h, sim = db_flows, db_flows.flows.sim
    assert sim is not None
    user = await h.user(totp=False)
    address = await _address(h, user, "BTC", "BTC")  # BTC needs 2 confirmations
    txid = await sim.send("BTC", [(address, 150_000), (OUTSIDE_BTC, 1), (address, 2_500)])
    await h.flows.run_chain_once()
    pending = await _deposits(h, user)
    assert sorted((d["outputIndex"], d["status"], d["amount"]) for d in pending) == [
        (0, "PENDING", "0.00150000"),
        (2, "PENDING", "0.00002500"),
    ]
    assert (await h.balance(user, "BTC"))["total"] == "0"
    await sim.mine("BTC")
    await h.flows.run_chain_once()
    assert {d["confirmations"] for d in await _deposits(h, user)} == {1}
    assert (await h.balance(user, "BTC"))["total"] == "0"
    await sim.mine("BTC")
    await asyncio.gather(*(h.flows.run_chain_once() for _ in range(3)))  # racing watchers
    await h.flows.run_chain_once()
    credited = await _deposits(h, user)
    assert {d["status"] for d in credited} == {"CREDITED"}
    assert {d["txid"] for d in credited} == {txid}
    assert (await h.balance(user, "BTC"))["available"] == "0.00152500"
    notes = await h.notifications("deposit.credited", user)
    assert sorted(n["data"]["amount"] for n in notes) == ["0.00002500", "0.00150000"]


async def test_reorganised_deposit_is_never_credited(db_flows: FlowsHarness) -> None:
    h, sim = db_flows, db_flows.flows.sim
    assert sim is not None
    user = await h.user(totp=False)
    address = await _address(h, user, "BTC", "BTC")
    doomed = await sim.send("BTC", [(address, 70_000)])
    await sim.mine("BTC")  # 1 of 2 confirmations
    await h.flows.run_chain_once()
    assert [d["status"] for d in await _deposits(h, user)] == ["PENDING"]
    await sim.reorg("BTC", doomed)
    await sim.mine("BTC", 5)
    await h.flows.run_chain_once()
    [dropped] = await _deposits(h, user)
    assert dropped["status"] == "DROPPED"
    assert (await h.balance(user, "BTC"))["total"] == "0"
    assert await h.notifications("deposit.credited", user) == []


async def test_a_deposit_sent_while_the_watcher_was_away_is_found(flows_h: FlowsHarness) -> None:
    sim = flows_h.flows.sim
    assert sim is not None
    user = await flows_h.user(totp=False)
    address = await _address(flows_h, user, "USDT", "TRC20")  # 20 confirmations
    await sim.send("TRC20", [(address, 5_000_000)])
    await sim.mine("TRC20", 25)  # confirmed deep before the first scan
    await flows_h.flows.run_chain_once()
    [deposit] = await _deposits(flows_h, user)
    assert (deposit["status"], deposit["amount"]) == ("CREDITED", "5.000000")
    assert (await flows_h.balance(user, "USDT"))["available"] == "5.000000"
