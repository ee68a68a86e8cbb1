"""Golden tests: stops, cancels, transfers, market status, price band, fee tiers, and
every rejection code at least once."""

from __future__ import annotations

import msgspec
import pytest

from burency_common.market_math import MarketGrid, Rounding
from burency_trading.domain.engine import Engine, SequenceError
from burency_trading.domain.model import (
    FEES_ACCOUNT,
    AddMarket,
    AmendOrder,
    CancelAll,
    CancelOrder,
    EndReason,
    FeeTier,
    MarketChanged,
    MarketStatus,
    OrderAccepted,
    OrderStatus,
    OrderType,
    OrderUpdated,
    PlaceOrder,
    Reject,
    SetFeeSchedule,
    SetMarketFees,
    SetMarketStatus,
    SetReferencePrice,
    SetUserFeeTier,
    Side,
    StopTriggered,
    TimeInForce,
    Trade,
    TransferApplied,
    TransferIn,
    TransferOut,
    TransferOutReversal,
)
from burency_trading.domain.state import MAX_OPEN_ORDERS, Market

from .conftest import BTC_AED, Harness, market, of, rejected

AED0 = 100_000_000
BTC0 = 10 * 100_000_000
P = 25_000_000


def trade_at(h: Harness, price: int) -> None:
    h.limit("bob", Side.SELL, 1, price)
    assert of(h.limit("carol", Side.BUY, 1, price), Trade)


def test_a_stop_limit_waits_then_triggers_on_the_last_trade_price(h: Harness) -> None:
    trade_at(h, P)
    events = h.place(
        "alice", Side.BUY, OrderType.STOP_LIMIT, qty=2, price=25_200_000, stop_price=25_100_000
    )
    stop_id = h.seq
    # locked like a limit: 5,040 + fee ceil(10.08) = 11
    assert of(events, OrderAccepted)[0].locked == 5_051
    view = h.engine.order(stop_id)
    assert view is not None
    assert not view.triggered
    assert h.engine.depth("BTC/AED", 5) == ([], [])  # a waiting stop is not in the book
    assert (
        rejected(h.place("alice", Side.BUY, OrderType.STOP_LIMIT, qty=1, price=P, stop_price=P))
        == "STOP_WOULD_TRIGGER_IMMEDIATELY"
    )
    h.limit("bob", Side.SELL, 2, 25_150_000)
    events = h.limit("carol", Side.BUY, 1, 25_150_000)  # last = 25,150,000 >= stop
    kinds = [type(e).__name__ for e in events]
    assert kinds.index("StopTriggered") > kinds.index("Trade")
    (triggered,) = of(events, StopTriggered)
    assert (triggered.order_id, triggered.last_price) == (stop_id, 25_150_000)
    stop_update = [u for u in of(events, OrderUpdated) if u.order_id == stop_id][-1]
    assert (stop_update.status, stop_update.filled_qty) == (OrderStatus.PARTIALLY_FILLED, 1)
    assert h.engine.depth("BTC/AED", 5)[0] == [(25_200_000, 1)]
    h.check_conservation()


def test_stops_cascade_in_one_command(h: Harness) -> None:
    h.fund("dave", "BTC", BTC0)
    trade_at(h, P)
    h.limit("alice", Side.BUY, 1, 24_900_000)
    h.limit("alice", Side.BUY, 5, 24_800_000)
    h.place("bob", Side.SELL, OrderType.STOP_MARKET, qty=3, stop_price=24_900_000)
    bob_stop = h.seq
    h.place("carol", Side.SELL, OrderType.STOP_LIMIT, qty=1, price=24_800_000,
            stop_price=24_800_000)  # fmt: skip
    carol_stop = h.seq
    events = h.limit("dave", Side.SELL, 1, 24_900_000)
    assert [t.taker_user_id for t in of(events, Trade)] == ["dave", "bob", "carol"]
    assert [s.order_id for s in of(events, StopTriggered)] == [bob_stop, carol_stop]
    assert [(t.price, t.qty) for t in of(events, Trade)] == [
        (24_900_000, 1), (24_800_000, 3), (24_800_000, 1),
    ]  # fmt: skip
    assert h.engine.depth("BTC/AED", 5)[0] == [(24_800_000, 1)]
    assert h.engine.last_price("BTC/AED") == 24_800_000
    h.check_conservation()


def test_cancel_by_id_by_client_id_by_admin_and_cancel_all(h: Harness) -> None:
    h.limit("alice", Side.BUY, 10, P, client_order_id="mine-1")
    first = h.seq
    h.limit("alice", Side.SELL, 10, P + 100)
    h.place("alice", Side.SELL, OrderType.STOP_MARKET, qty=1, stop_price=P - 100)
    # another user's order is "not found", whoever asks
    assert rejected(h.run(CancelOrder("bob", "BTC/AED", order_id=first))) == "ORDER_NOT_FOUND"
    by_client_id = CancelOrder("bob", "BTC/AED", client_order_id="mine-1")
    assert rejected(h.run(by_client_id)) == "ORDER_NOT_FOUND"
    events = h.run(CancelOrder("alice", "BTC/AED", client_order_id="mine-1"))
    (upd,) = of(events, OrderUpdated)
    assert (upd.order_id, upd.status, upd.reason) == (
        first, OrderStatus.CANCELED, EndReason.USER_CANCELED,
    )  # fmt: skip
    assert h.bal("alice", "AED") == (AED0, 0)
    assert rejected(h.run(CancelOrder("alice", "BTC/AED", order_id=first))) == "ORDER_NOT_FOUND"
    assert rejected(h.run(CancelOrder("alice", "BTC/AED"))) == "INVALID_ORDER"
    h.limit("alice", Side.BUY, 1, P - 100)
    events = h.run(CancelOrder("staff", "BTC/AED", order_id=h.seq, by_admin=True))
    assert of(events, OrderUpdated)[0].reason is EndReason.ADMIN_CANCELED
    events = h.run(CancelAll("alice", "BTC/AED"))
    assert [u.status for u in of(events, OrderUpdated)] == [OrderStatus.CANCELED] * 2
    assert h.engine.open_orders("alice") == []
    assert h.bal("alice", "BTC") == (BTC0, 0)
    # the client id is free again once its order ended
    assert of(h.limit("alice", Side.BUY, 1, P, client_order_id="mine-1"), OrderAccepted)
    view = h.engine.order_by_client_id("alice", "mine-1")
    assert view is not None
    assert view.order_id == h.seq


def test_transfers_are_idempotent_and_a_reversal_credits_back_once(h: Harness) -> None:
    e = h.run(TransferIn("t1", "dave", "AED", 500))[0]
    assert isinstance(e, TransferApplied)
    assert (e.replayed, e.reason) == (False, "")
    e = h.run(TransferIn("t1", "dave", "AED", 500))[0]
    assert isinstance(e, TransferApplied)
    assert (e.replayed, e.reason) == (True, "")
    assert h.bal("dave", "AED") == (500, 0)
    events = h.run(TransferIn("t1", "dave", "AED", 501))
    assert [x.reason for x in of(events, TransferApplied)] == ["TRANSFER_ID_REUSED"]
    assert len(events) == 1
    assert of(h.run(TransferOut("o1", "dave", "AED", 501)), TransferApplied)[0].reason == (
        "INSUFFICIENT_BALANCE"
    )
    assert of(h.run(TransferOut("o1", "dave", "AED", 200)), TransferApplied)[0].reason == ""
    assert h.bal("dave", "AED") == (300, 0)
    for _ in range(2):
        h.run(TransferOutReversal("o1"))
    assert h.bal("dave", "AED") == (500, 0)
    reasons = [
        of(h.run(cmd), TransferApplied)[0].reason
        for cmd in (
            TransferOutReversal("t1"),
            TransferOutReversal("nope"),
            TransferIn("t2", "dave", "XRP", 5),
            TransferIn("t3", "dave", "AED", 0),
            TransferOut("t4", "dave", "AED", -1),
        )
    ]
    assert reasons == [
        "TRANSFER_UNKNOWN", "TRANSFER_UNKNOWN", "UNKNOWN_ASSET", "INVALID_AMOUNT",
        "INVALID_AMOUNT",
    ]  # fmt: skip
    assert h.engine.net_transferred()["AED"] == 3 * AED0 + 500
    h.check_conservation()


def test_market_status_halted_and_cancel_only(h: Harness) -> None:
    h.limit("alice", Side.BUY, 1, P)
    resting = h.seq
    events = h.run(SetMarketStatus("BTC/AED", MarketStatus.HALTED))
    assert of(events, MarketChanged)[0].spec.status is MarketStatus.HALTED
    assert rejected(h.limit("alice", Side.BUY, 1, P)) == "MARKET_HALTED"
    assert rejected(h.run(CancelOrder("alice", "BTC/AED", order_id=resting))) == "MARKET_HALTED"
    h.run(SetMarketStatus("BTC/AED", MarketStatus.CANCEL_ONLY))
    assert rejected(h.limit("alice", Side.BUY, 1, P)) == "MARKET_CANCEL_ONLY"
    assert of(h.run(CancelOrder("alice", "BTC/AED", order_id=resting)), OrderUpdated)
    h.run(SetMarketStatus("BTC/AED", MarketStatus.TRADING))
    assert of(h.limit("alice", Side.BUY, 1, P), OrderAccepted)


def test_the_price_band_around_the_last_or_reference_price(h: Harness) -> None:
    h.run(AddMarket(market(symbol="ETH/AED", base="ETH", price_band_bps=1_000)))
    h.fund("alice", "ETH", 10**9)
    eth = {"market": "ETH/AED"}
    assert of(h.limit("alice", Side.SELL, 1, 1_000_000, **eth), OrderAccepted)  # no reference
    h.run(SetReferencePrice("ETH/AED", 100_000))
    # 10 % band: 90,000 .. 110,000
    assert rejected(h.limit("alice", Side.SELL, 1, 110_001, **eth)) == "ORDER_PRICE_OUT_OF_BAND"
    assert rejected(h.limit("alice", Side.BUY, 1, 89_999, **eth)) == "ORDER_PRICE_OUT_OF_BAND"
    assert of(h.limit("alice", Side.BUY, 1, 90_000, **eth), OrderAccepted)


def test_fee_tiers_replace_the_market_rates_for_new_orders(h: Harness) -> None:
    h.run(SetFeeSchedule((FeeTier(1, 500, 700), FeeTier(2, 0, 100))))
    h.run(SetUserFeeTier("alice", 2))
    assert h.engine.user_tier("alice") == 2
    assert h.engine.fee_rates("alice", "BTC/AED") == (0, 100)
    assert h.engine.fee_rates("bob", "BTC/AED") == (1_000, 2_000)
    h.limit("bob", Side.SELL, 4, P)
    (trade,) = of(h.limit("alice", Side.BUY, 4, P), Trade)
    assert (trade.maker_fee, trade.taker_fee) == (10, 1)  # 0.01 % of 10,000 = 1
    assert rejected(h.run(SetUserFeeTier("alice", 3))) == "INVALID_ORDER"
    assert rejected(h.run(SetFeeSchedule((FeeTier(1, -1, 0),)))) == "INVALID_ORDER"
    assert rejected(h.run(SetMarketFees("BTC/AED", -100, 0))) == "INVALID_ORDER"
    assert rejected(h.run(AddMarket(market(symbol="X/AED", base="X", maker_ppm=-1)))) == (
        "INVALID_ORDER"
    )
    events = h.run(SetMarketFees("BTC/AED", 300, 400))
    assert of(events, MarketChanged)[0].spec.taker_ppm == 400
    assert h.engine.fee_rates("bob", "BTC/AED") == (300, 400)
    h.run(SetUserFeeTier("alice", 0))
    assert h.engine.fee_rates("alice", "BTC/AED") == (300, 400)


def test_every_reject_code_at_least_once(h: Harness) -> None:
    seen: list[str] = []

    def refused(events: list[object]) -> None:
        (e,) = events
        seen.append(e.reason if isinstance(e, TransferApplied) else rejected(events))  # type: ignore[arg-type]

    h.run(AddMarket(market(symbol="ETH/AED", base="ETH", min_qty=2, price_band_bps=100)))
    h.run(SetReferencePrice("ETH/AED", 100_000))
    refused(h.limit("alice", Side.BUY, 1, P, market="NOPE/AED"))
    refused(h.run(AddMarket(BTC_AED)))
    refused(h.limit("zoe", Side.BUY, 1, P))
    refused(h.place("alice", Side.BUY, OrderType.MARKET, qty=1, price=5))
    refused(h.limit("alice", Side.BUY, 1, 100_000, market="ETH/AED"))
    refused(h.limit("alice", Side.BUY, 100_001, P))
    refused(h.limit("alice", Side.BUY, 1, 1))  # 1 lot at 0.01 AED: 0 fils < 1
    refused(h.limit("alice", Side.BUY, 2, 200_000, market="ETH/AED"))
    h.limit("alice", Side.BUY, 1, P - 1, client_order_id="dup")
    dup = h.seq
    refused(h.limit("alice", Side.BUY, 1, P - 1, client_order_id="dup"))
    h.limit("bob", Side.SELL, 1, P)
    refused(h.limit("alice", Side.BUY, 1, P, post_only=True))
    refused(h.limit("alice", Side.BUY, 2, P, tif=TimeInForce.FOK))
    refused(h.place("alice", Side.SELL, OrderType.MARKET, qty=2, market="ETH/AED"))
    h.limit("carol", Side.BUY, 1, P)  # trades: last price = P
    refused(h.place("alice", Side.SELL, OrderType.STOP_MARKET, qty=1, stop_price=P))
    refused(h.run(CancelOrder("alice", "BTC/AED", order_id=999_999)))
    refused(h.run(AmendOrder("alice", "BTC/AED", order_id=dup, new_qty=1)))
    for i in range(MAX_OPEN_ORDERS - 1):
        h.limit("alice", Side.BUY, 1, P - 10 - i)
    refused(h.limit("alice", Side.BUY, 1, P - 1))
    h.run(SetMarketStatus("ETH/AED", MarketStatus.HALTED))
    refused(h.limit("alice", Side.BUY, 2, 100_000, market="ETH/AED"))
    h.run(SetMarketStatus("ETH/AED", MarketStatus.CANCEL_ONLY))
    refused(h.limit("alice", Side.BUY, 2, 100_000, market="ETH/AED"))
    refused(h.run(TransferIn("x1", "alice", "XRP", 1)))
    refused(h.run(TransferIn("x2", "alice", "AED", 0)))
    h.run(TransferIn("x3", "alice", "AED", 1))
    refused(h.run(TransferIn("x3", "alice", "AED", 2)))
    refused(h.run(TransferOutReversal("x4")))
    assert set(seen) == {r.value for r in Reject}
    assert seen[:8] == [
        "MARKET_UNKNOWN", "MARKET_EXISTS", "INSUFFICIENT_BALANCE", "INVALID_ORDER",
        "QUANTITY_TOO_SMALL", "QUANTITY_TOO_LARGE", "NOTIONAL_TOO_SMALL",
        "ORDER_PRICE_OUT_OF_BAND",
    ]  # fmt: skip


def test_a_too_large_quantity_is_refused(h: Harness) -> None:
    assert rejected(h.limit("alice", Side.BUY, 100_001, P)) == "QUANTITY_TOO_LARGE"


def test_balance_events_come_last_once_per_account_and_seq_must_grow(h: Harness) -> None:
    h.limit("bob", Side.SELL, 3, P)
    events = h.limit("alice", Side.BUY, 3, P)
    balances = [(e.user_id, e.asset) for e in events if type(e).__name__ == "BalanceChanged"]
    assert len(balances) == len(set(balances))
    assert type(events[-len(balances) - 1]).__name__ != "BalanceChanged"
    with pytest.raises(SequenceError):
        h.engine.apply(TransferIn("late", "bob", "AED", 1), h.seq, h.ts)


def test_the_inlined_notional_is_the_grids(h: Harness) -> None:
    for spec in (BTC_AED, market(quote_scale=8, tick_size="1", lot_size="1")):
        m = Market(spec)
        grid = MarketGrid(spec.base_scale, spec.quote_scale, spec.tick_size, spec.lot_size)
        for price, lots in ((1, 1), (10_001, 3), (25_000_123, 77), (7, 10**6)):
            x = price * lots * m.mul
            assert x // m.div == grid.notional(price, lots, Rounding.DOWN)
            assert -(-x // m.div) == grid.notional(price, lots, Rounding.UP)
            assert lots * m.base_mul == grid.base_minor(lots)


def test_fees_account_and_snapshot_restore(h: Harness) -> None:
    h.limit("bob", Side.SELL, 3, P)
    h.limit("alice", Side.BUY, 5, P)
    h.place("carol", Side.SELL, OrderType.STOP_MARKET, qty=1, stop_price=P - 100)
    restored = Engine.restore(h.engine.snapshot())
    assert restored.state_hash() == h.engine.state_hash()
    assert restored.balances(FEES_ACCOUNT) == {"AED": (8 + 15, 0)}  # 7,500 fils: ceil(7.5) + 15
    assert restored.open_orders("alice") == h.engine.open_orders("alice")
    assert restored.open_orders("carol") == h.engine.open_orders("carol")
    assert restored.last_seq == h.engine.last_seq
    assert msgspec.msgpack.decode(restored.snapshot()) == msgspec.msgpack.decode(
        h.engine.snapshot()
    )


def test_a_snapshot_holds_a_buyers_running_sums_past_2_to_the_64(h: Harness) -> None:
    h.fund("whale", "AED", 3 * 10**15)
    h.fund("miner", "BTC", 10**9)
    price = 2 * 10**14  # ticks: 2e12 AED per BTC; 99,999 lots make exact ~2e19 > 2**64
    h.limit("miner", Side.SELL, 99_999, price)
    h.limit("whale", Side.BUY, 100_000, price)  # one lot rests, partly filled
    view = h.engine.order(h.seq)
    assert view is not None
    assert view.filled_qty == 99_999
    restored = Engine.restore(h.engine.snapshot())
    assert restored.state_hash() == h.engine.state_hash()
    last = PlaceOrder("miner", "BTC/AED", Side.SELL, OrderType.LIMIT, qty=1, price=price)
    expected = h.engine.apply(last, h.seq + 1, h.ts)
    assert restored.apply(last, h.seq + 1, h.ts) == expected
    assert restored.state_hash() == h.engine.state_hash()
    h.check_conservation()
