"""The hot answers written with msgspec are the response models' bytes: whatever the
order and its fills, ``placed_json``/``order_json`` equal ``placed_out``/``order_out``'s
``model_dump_json`` (the OpenAPI schema documents the models)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from burency_common.timeutil import SystemClock
from burency_trading.entrypoints.http.answers import order_json, placed_json
from burency_trading.entrypoints.http.schemas import order_out, placed_out
from burency_trading.service.context import TradingContext
from burency_trading.service.views import Fill, OrderState
from burency_trading.settings import TradingSettings

_CTX = TradingContext(
    settings=TradingSettings(_env_file=None, journal_dir=Path("unused")),  # type: ignore[call-arg]
    engine=None,  # type: ignore[arg-type]  # the answers only read the markets
    history=None,  # type: ignore[arg-type]
    clock=SystemClock(),
)
_AMOUNT = st.integers(min_value=0, max_value=10**15)
_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=36)

_STATES = st.builds(
    OrderState,
    order_id=st.integers(min_value=1, max_value=2**53),
    user_id=st.uuids().map(str),
    market=st.sampled_from(sorted(_CTX.specs)),
    side=st.sampled_from(["BUY", "SELL"]),
    type=st.sampled_from(["LIMIT", "MARKET", "STOP_LIMIT", "STOP_MARKET"]),
    tif=st.sampled_from(["GTC", "IOC", "FOK"]),
    qty=_AMOUNT, price=_AMOUNT, quote_qty=_AMOUNT, stop_price=_AMOUNT,
    post_only=st.booleans(),
    client_order_id=_TEXT,
    status=st.sampled_from(["NEW", "PARTIALLY_FILLED", "FILLED", "CANCELED", "EXPIRED"]),
    filled_qty=_AMOUNT, filled_quote=_AMOUNT, fees_paid=_AMOUNT,
    created_ts=st.integers(min_value=0, max_value=2**62),
    updated_ts=st.integers(min_value=0, max_value=2**62),
)  # fmt: skip
_FILLS = st.lists(
    st.builds(
        Fill, trade_id=st.integers(min_value=1, max_value=2**53), price=_AMOUNT, qty=_AMOUNT,
        quote_amount=_AMOUNT, fee=_AMOUNT, is_maker=st.booleans(),
    ),
    max_size=4,
)  # fmt: skip


@given(state=_STATES)
def test_order_json_is_the_order_model(state: OrderState) -> None:
    assert order_json(_CTX, state) == order_out(_CTX, state).model_dump_json().encode()


@given(state=_STATES, fills=_FILLS)
def test_placed_json_is_the_placed_model(state: OrderState, fills: list[Any]) -> None:
    expected = placed_out(_CTX, state, fills).model_dump_json().encode()
    assert placed_json(_CTX, state, fills) == expected
