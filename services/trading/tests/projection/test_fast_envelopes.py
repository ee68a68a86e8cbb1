"""The projection writes its high-volume messages with msgspec instead of two pydantic
models each. Whatever the row, the bytes must be the ones the event registry builds for
the same payload: consumers parse them with the registry's models."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from burency_common.events import SEND_NOTIFICATION, SendNotification, default_registry
from burency_common.outbox import stable_event_id
from burency_trading.adapters.messages import ORDER_FILLED, PRODUCER, Messages

from .journal import BTC_AED, ETH_USDT

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_REGISTRY = default_registry()


def _messages() -> Messages:
    messages = Messages(_REGISTRY, sink="sql")
    messages.learn_market(BTC_AED)
    messages.learn_market(ETH_USDT)
    return messages


def _registry_bytes(row: dict[str, Any], data: dict[str, object]) -> bytes:
    notification_id = stable_event_id(ORDER_FILLED, "sql", str(row["order_id"]))
    command = SendNotification(
        notification_id=notification_id, event=ORDER_FILLED, user_ids=[row["user_id"]],
        data=data,
    )  # fmt: skip
    envelope = _REGISTRY.build(
        command, event_type=SEND_NOTIFICATION, producer=PRODUCER,
        id=stable_event_id(SEND_NOTIFICATION, notification_id),
        occurred_at=_EPOCH + timedelta(microseconds=row["updated_ts"]),
    )  # fmt: skip
    return envelope.to_bytes()


_CASES = st.fixed_dictionaries({
    "symbol": st.sampled_from([BTC_AED.symbol, ETH_USDT.symbol]),
    "side": st.sampled_from(["BUY", "SELL"]),
    "lots": st.integers(min_value=1, max_value=10**12),  # filled quantity, in lots
    "quote": st.integers(min_value=1, max_value=10**15),  # filled quote, in minor units
    "order_id": st.integers(min_value=1, max_value=2**53),
    "user_id": st.uuids().map(str),
    "updated_ts": st.integers(min_value=0, max_value=4_102_444_800_000_000),
})  # fmt: skip


@given(case=_CASES)
def test_order_filled_body_is_the_registry_envelope(case: dict[str, Any]) -> None:
    market, side, updated_ts = case["symbol"], case["side"], case["updated_ts"]
    order_id, user_id, qty, quote = case["order_id"], case["user_id"], case["lots"], case["quote"]
    messages = _messages()
    row = {
        "market": market, "side": side, "filled_qty": qty, "order_id": order_id,
        "filled_quote": quote,
        "user_id": user_id, "updated_ts": updated_ts,
    }  # fmt: skip
    market_of = messages.markets[market]
    data: dict[str, object] = {
        "symbol": market, "side": side, "amount": market_of.grid.format_quantity(qty),
        "price": market_of.average_price(row["filled_quote"], qty),
    }  # fmt: skip

    built = messages.order_filled(row)

    assert built is not None
    assert built["body"] == _registry_bytes(row, data)
    assert (built["topic"], built["event_key"]) == (SEND_NOTIFICATION, json.loads(
        built["body"])["key"])  # fmt: skip
    assert built["event_id"] == json.loads(built["body"])["id"]
