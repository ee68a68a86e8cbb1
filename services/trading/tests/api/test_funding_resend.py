"""Trading → funding transfers banking never answered are requested again (the user's
money must not stay between the two wallets), under a new event id once per period,
until banking answers; answers arrive through the saga's consumer and are recorded."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from burency_common.events import EventEnvelope, default_registry
from burency_common.events.wallet import (
    TRADING_TO_FUNDING,
    WALLET_TRANSFER_COMPLETED,
    WALLET_TRANSFER_FAILED,
    WALLET_TRANSFER_REQUESTED,
    WalletTransferCompleted,
    WalletTransferFailed,
)
from burency_common.timeutil import utc_now
from burency_trading.adapters.funding_resend import FundingResender, record_funding_answer
from burency_trading.adapters.orm import outbox
from burency_trading.service import saga

from .conftest import make_settings, start_api

WAIT = 60.0


async def _requests(db: object) -> list[tuple[str, bytes]]:
    async with db.connect() as conn:  # type: ignore[attr-defined]
        rows = await conn.execute(
            select(outbox.c.event_id, outbox.c.body).where(
                outbox.c.topic == WALLET_TRANSFER_REQUESTED
            )
        )
        return [(r.event_id, r.body) for r in rows]


async def test_unanswered_transfer_out_is_requested_again_until_answered(tmp_path: Path) -> None:
    api, db = await start_api(make_settings(tmp_path))
    try:
        await api.fund("alice", "AED", "100")
        scales = {"AED": 2}
        keys = {"k1": "10.00", "k2": "20.00", "k3": "30.00"}
        ids = {}
        for key, amount in keys.items():
            ids[key] = saga.to_funding_id("alice", key)
            answer = await api.client.post(
                "/v1/transfers/funding", json={"asset": "AED", "amount": amount},
                headers={**api.headers("alice"), "Idempotency-Key": key},
            )  # fmt: skip
            assert answer.status_code in (200, 201, 202), answer.text
        first = await _requests(db)
        assert len(first) == 3  # the projection's own requests

        registry = default_registry()

        async def record(transfer_id: str, outcome: str) -> None:
            await record_funding_answer(db, transfer_id=transfer_id, outcome=outcome,
                                        now=utc_now())  # fmt: skip

        # banking answers k1 (completed) and k2 (failed: reversed here); k3 was lost
        fields = {"user_id": "alice", "asset": "AED", "direction": TRADING_TO_FUNDING}
        for payload, topic in (
            (WalletTransferCompleted(transfer_id=ids["k1"], amount="10.00", **fields),
             WALLET_TRANSFER_COMPLETED),
            (WalletTransferFailed(transfer_id=ids["k2"], amount="20.00", reason="UNKNOWN_USER",
                                  **fields), WALLET_TRANSFER_FAILED),
        ):  # fmt: skip
            envelope = registry.build(payload, event_type=topic, producer="banking")
            await saga.on_wallet_transfer(api.local, registry, scales, envelope,
                                          record_answer=record)  # fmt: skip
        balances = (await api.get("/v1/balances", "alice")).json()
        aed = next(b for b in balances["items"] if b["asset"] == "AED")
        assert aed["free"] == "60.00"  # 100 - 10 - 20 - 30, and the 20 reversed

        resender = FundingResender(db, registry, scales=scales, after_commit=[])
        now = utc_now()
        assert await resender.resend_stale(now=now, wait_seconds=WAIT) == 0  # too young
        later = now + timedelta(seconds=WAIT + 1)
        assert await resender.resend_stale(now=later, wait_seconds=WAIT) == 1
        resent = [r for r in await _requests(db) if r not in first]
        assert len(resent) == 1
        envelope = EventEnvelope.from_bytes(resent[0][1])
        assert envelope.type == WALLET_TRANSFER_REQUESTED
        assert envelope.payload["transfer_id"] == ids["k3"]
        assert envelope.payload["amount"] == "30.00"
        assert envelope.payload["direction"] == TRADING_TO_FUNDING
        # the same period: nothing new; the next period: asked again under a new id
        await resender.resend_stale(now=later + timedelta(seconds=1), wait_seconds=WAIT)
        assert len(await _requests(db)) == 4
        await resender.resend_stale(now=later + timedelta(seconds=WAIT), wait_seconds=WAIT)
        assert len(await _requests(db)) == 5
        # banking answers at last: no more requests
        await record(ids["k3"], "COMPLETED")
        await record(ids["k3"], "COMPLETED")  # a redelivered answer changes nothing
        assert (
            await resender.resend_stale(now=later + timedelta(seconds=3 * WAIT), wait_seconds=WAIT)
            == 0
        )
    finally:
        await api.client.aclose()
        await db.dispose()
