"""The ``wallet.transfer.*`` saga schemas: registered, keyed by the saga id, strict."""

from __future__ import annotations

import pytest

from burency_common.errors import EventSchemaError
from burency_common.events import EventEnvelope, default_registry
from burency_common.events.wallet import (
    FUNDING_TO_TRADING,
    WALLET_TRANSFER_COMPLETED,
    WALLET_TRANSFER_FAILED,
    WALLET_TRANSFER_REQUESTED,
    WalletTransferFailed,
    WalletTransferRequested,
)


def test_requested_round_trips_keyed_by_transfer_id() -> None:
    registry = default_registry()
    payload = WalletTransferRequested(
        transfer_id="t-1", direction=FUNDING_TO_TRADING, user_id="u-1", asset="BTC",
        amount="0.01500000",
    )  # fmt: skip
    envelope = registry.build(payload, event_type=WALLET_TRANSFER_REQUESTED, producer="banking")
    assert envelope.key == "t-1"
    wire = EventEnvelope.from_bytes(envelope.to_bytes())
    assert registry.parse_payload(wire) == payload


@pytest.mark.parametrize(
    "changes",
    [
        {"amount": "1e5"},
        {"amount": "-1"},
        {"amount": 1.5},
        {"direction": "sideways"},
        {"asset": "btc"},
        {"transfer_id": ""},
    ],
)
def test_invalid_payloads_are_refused(changes: dict[str, object]) -> None:
    registry = default_registry()
    valid = {"transfer_id": "t", "direction": "trading_to_funding", "user_id": "u",
             "asset": "AED", "amount": "10.00"}  # fmt: skip
    envelope = EventEnvelope(
        type=WALLET_TRANSFER_COMPLETED, producer="trading", key="t", payload={**valid, **changes}
    )
    with pytest.raises(EventSchemaError):
        registry.parse_payload(envelope)


def test_failed_needs_a_reason() -> None:
    registry = default_registry()
    assert registry.get(WALLET_TRANSFER_FAILED).payload is WalletTransferFailed
    envelope = EventEnvelope(
        type=WALLET_TRANSFER_FAILED, producer="banking", key="t",
        payload={"transfer_id": "t", "direction": "trading_to_funding", "user_id": "u",
                 "asset": "AED", "amount": "1"},
    )  # fmt: skip
    with pytest.raises(EventSchemaError):
        registry.parse_payload(envelope)
