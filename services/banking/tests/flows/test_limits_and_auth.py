"""The ``kyc.status_changed`` consumer (idempotent, never rolled back by an older event)
and the 2FA adapter when auth cannot be reached."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from burency_banking.adapters.orm import inbox
from burency_banking.flows.errors import AuthUnavailable
from burency_banking.flows.second_factor import HttpSecondFactorVerifier
from burency_banking.flows.tables import user_kyc_levels
from burency_common.events import default_registry
from burency_common.events.kyc import KYC_STATUS_CHANGED, KycStatusChanged
from burency_testing.infra import free_port

from .flows_harness import FlowsHarness


def _event(user: str, level: int, at: datetime) -> object:
    payload = KycStatusChanged(
        user_id=user, submission_id="s", requested_level=max(level, 1), status="APPROVED",
        level=level, previous_level=0, changed_at=at,
    )  # fmt: skip
    return default_registry().build(payload, event_type=KYC_STATUS_CHANGED, producer="users")


async def _level(h: FlowsHarness, user: str) -> int | None:
    async with h.banking.context.engine.connect() as db:
        level = await db.scalar(
            select(user_kyc_levels.c.level).where(user_kyc_levels.c.user_id == user)
        )
    return None if level is None else int(level)


async def test_kyc_events_apply_once_and_in_order(db_flows: FlowsHarness) -> None:
    h = db_flows
    now = datetime.now(UTC)
    newer, older = _event("u1", 2, now), _event("u1", 1, now - timedelta(minutes=5))
    handler = h.banking.handlers[KYC_STATUS_CHANGED]
    await handler(newer)  # type: ignore[arg-type]
    await handler(newer)  # type: ignore[arg-type]  # redelivery
    await handler(older)  # type: ignore[arg-type]  # arrives late
    assert await _level(h, "u1") == 2
    async with h.banking.context.engine.connect() as db:
        claimed = await db.scalar(select(func.count()).select_from(inbox))
    assert claimed == 2  # the redelivery claimed nothing
    limits = (await h.call("GET", "/v1/withdrawals/limits", "u1")).json()
    assert {x["level"] for x in limits} == {2}


async def test_unreachable_auth_is_503() -> None:
    verifier = HttpSecondFactorVerifier.from_url(
        f"http://127.0.0.1:{free_port()}", identity_secret=secrets.token_bytes(32), timeout=2
    )
    try:
        with pytest.raises(AuthUnavailable) as exc:
            await verifier.verify(user_id="u1", code="123456", ip=None)
        assert (exc.value.status, exc.value.code) == (503, "AUTH_UNAVAILABLE")
    finally:
        await verifier.aclose()
    unconfigured = HttpSecondFactorVerifier(None, identity_secret=secrets.token_bytes(32))
    with pytest.raises(AuthUnavailable):
        await unconfigured.verify(user_id="u1", code="123456", ip=None)
