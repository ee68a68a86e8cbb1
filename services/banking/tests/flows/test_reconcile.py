"""Reconciliation with the flows: custody matches the chain adapter's view of deposits
minus withdrawals; a confirmed deposit the watcher has not credited yet is reported."""

from __future__ import annotations

from typing import Any

from .flows_harness import FlowsHarness

OUTSIDE_BTC = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"


async def _report(h: FlowsHarness) -> dict[str, Any]:
    response = await h.call("GET", "/v1/admin/reconciliation", "ops", "admin")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _custody_findings(report: dict[str, Any]) -> list[str]:
    return [f["detail"] for f in report["findings"] if f["check"] == "custody_matches_chain"]


async def test_custody_matches_chain_through_deposits_and_withdrawals(
    db_flows: FlowsHarness,
) -> None:
    h, sim = db_flows, db_flows.flows.sim
    assert sim is not None
    user = await h.user()
    await h.kyc_level(user, 1)
    address = (
        await h.call("GET", "/v1/deposits/crypto/address?asset=BTC&network=BTC", user)
    ).json()["address"]
    await sim.send("BTC", [(address, 20_000_000)])
    await sim.mine("BTC", 2)
    report = await _report(h)
    assert "custody_matches_chain" in report["checks"]
    [finding] = _custody_findings(report)  # confirmed on chain, not credited yet
    assert finding.startswith("custody per ledger 0.00000000 != per chain 0.20000000")
    assert report["ok"] is False
    await h.flows.run_chain_once()
    assert _custody_findings(await _report(h)) == []
    body = {"asset": "BTC", "network": "BTC", "address": OUTSIDE_BTC, "amount": "0.04",
            "totpCode": h.code(user)}  # fmt: skip
    placed = await h.call("POST", "/v1/withdrawals/crypto", user, json=body, key="w")
    assert placed.status_code == 201, placed.text
    await h.flows.run_chain_once()
    await sim.mine("BTC", 2)
    await h.flows.run_chain_once()
    final = await _report(h)
    assert (final["ok"], final["findings"]) == (True, [])
    assert (await h.balance(user, "BTC"))["total"] == "0.15995000"
    assert (await sim.wallet_totals("BTC", min_confirmations=2))["BTC"].sent == 4_000_000
