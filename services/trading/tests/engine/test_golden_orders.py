"""Golden tests, case by case, with exact minor-unit numbers (market BTC/AED, see
conftest: a lot at p ticks is worth p / 10_000 fils; maker 0.1 %, taker 0.2 %)."""

from __future__ import annotations

from burency_trading.domain.model import (
    FEES_ACCOUNT,
    BalanceChanged,
    EndReason,
    OrderAccepted,
    OrderStatus,
    OrderType,
    OrderUpdated,
    Side,
    StpMode,
    TimeInForce,
    Trade,
)

from .conftest import LOT, Harness, of, rejected

AED0 = 100_000_000
BTC0 = 10 * 100_000_000
P = 25_000_000  # 250,000.00 AED: one lot (0.0001 BTC) is 2,500 fils


def test_a_limit_order_rests_and_locks_its_notional_plus_the_worst_fee(h: Harness) -> None:
    events = h.limit("alice", Side.BUY, 10, P)
    (accepted,) = of(events, OrderAccepted)
    # 10 lots * 2,500 fils = 25,000, plus the fee at max(maker, taker) = 0.2 %: 50
    assert accepted.locked == 25_050
    assert accepted.order_id == h.seq
    assert events[-1] == BalanceChanged("alice", "AED", AED0 - 25_050, 25_050, h.ts)
    assert len(events) == 2
    assert h.engine.depth("BTC/AED", 5) == ([(P, 10)], [])
    view = h.engine.order(h.seq)
    assert view is not None
    assert (view.status, view.locked, view.triggered) == (OrderStatus.NEW, 25_050, True)


def test_a_crossing_limit_trades_at_the_makers_price_and_settles_both_sides(h: Harness) -> None:
    h.limit("bob", Side.SELL, 10, P)
    maker_id = h.seq
    events = h.limit("alice", Side.BUY, 4, P + 100)
    # alice locked notional(25,000,100 * 4) = 10,000.04 -> 10,001 and its fee 20.002 -> 21
    assert of(events, OrderAccepted)[0].locked == 10_022
    (trade,) = of(events, Trade)
    assert (trade.price, trade.qty, trade.quote_amount) == (P, 4, 10_000)
    assert (trade.maker_fee, trade.taker_fee, trade.taker_side) == (10, 20, Side.BUY)
    assert (trade.maker_order_id, trade.taker_order_id, trade.trade_id) == (maker_id, h.seq, 1)
    maker, taker = of(events, OrderUpdated)
    assert (maker.status, maker.filled_qty, maker.filled_quote, maker.fees_paid) == (
        OrderStatus.PARTIALLY_FILLED, 4, 10_000, 10,
    )  # fmt: skip
    assert (taker.status, taker.filled_qty, taker.filled_quote, taker.fees_paid) == (
        OrderStatus.FILLED, 4, 10_000, 20,
    )  # fmt: skip
    # alice paid 10,000 + 20; the 2 fils of her lock that the better price saved came back
    assert h.bal("alice", "AED") == (AED0 - 10_020, 0)
    assert h.bal("alice", "BTC") == (BTC0 + 4 * LOT, 0)
    assert h.bal("bob", "AED") == (AED0 + 9_990, 0)
    assert h.bal("bob", "BTC") == (BTC0 - 10 * LOT, 6 * LOT)
    assert h.bal(FEES_ACCOUNT, "AED") == (30, 0)
    balance_events = [(e.user_id, e.asset) for e in of(events, BalanceChanged)]
    assert balance_events == [
        ("alice", "AED"), ("alice", "BTC"), (FEES_ACCOUNT, "AED"), ("bob", "BTC"), ("bob", "AED"),
    ]  # fmt: skip
    assert all(isinstance(e, BalanceChanged) for e in events[-5:])
    assert h.engine.last_price("BTC/AED") == P
    h.check_conservation()


def test_rounding_buyer_rounds_up_seller_down_the_difference_goes_to_fees(h: Harness) -> None:
    h.limit("bob", Side.SELL, 1, 10_001)  # 1 lot at 100.01 AED = 1.0001 fils
    events = h.limit("alice", Side.BUY, 1, 10_001)
    (trade,) = of(events, Trade)
    # seller: floor(1.0001) = 1, fee ceil(0.001) = 1 -> receives 0 net
    # buyer: ceil(1.0001) = 2, fee ceil(0.004) = 1 -> pays 3 (its whole lock)
    assert (trade.quote_amount, trade.maker_fee, trade.taker_fee) == (1, 1, 1)
    assert h.bal("alice", "AED") == (AED0 - 3, 0)
    assert h.bal("bob", "AED") == (AED0, 0)
    assert h.bal(FEES_ACCOUNT, "AED") == (3, 0)  # 1 + 1 fees + 1 rounding (2 - 1)
    h.check_conservation()


def test_the_buyer_is_charged_cumulatively_never_more_than_its_lock(h: Harness) -> None:
    for _ in range(3):
        h.limit("bob", Side.SELL, 1, 10_001)
    events = h.limit("alice", Side.BUY, 3, 10_001)
    # lock: ceil(3.0003) = 4 + fee ceil(0.008) = 1 -> 5; per-fill rounding would pay 9
    assert of(events, OrderAccepted)[0].locked == 5
    trades = of(events, Trade)
    assert [t.taker_fee for t in trades] == [1, 0, 0]
    assert [t.maker_fee for t in trades] == [1, 1, 1]
    taker = of(events, OrderUpdated)[-1]
    assert (taker.status, taker.filled_quote, taker.fees_paid) == (OrderStatus.FILLED, 4, 1)
    assert h.bal("alice", "AED") == (AED0 - 5, 0)
    assert h.bal(FEES_ACCOUNT, "AED") == (5, 0)  # fees 3 + 1, rounding 4 - 3
    h.check_conservation()


def test_ioc_fills_what_it_can_and_the_rest_expires(h: Harness) -> None:
    h.limit("bob", Side.SELL, 5, P)
    events = h.limit("alice", Side.BUY, 8, P, tif=TimeInForce.IOC)
    assert sum(t.qty for t in of(events, Trade)) == 5
    final = of(events, OrderUpdated)[-1]
    assert (final.status, final.reason, final.filled_qty) == (
        OrderStatus.EXPIRED, EndReason.IOC, 5,
    )  # fmt: skip
    assert h.bal("alice", "AED") == (AED0 - 12_500 - 25, 0)  # lock 20,040 less what it spent
    assert h.engine.open_orders("alice") == []


def test_fok_fills_completely_or_is_refused_with_nothing_changed(h: Harness) -> None:
    h.limit("bob", Side.SELL, 5, P)
    h.limit("bob", Side.SELL, 5, P + 100)
    before = h.engine.state_hash()
    assert rejected(h.limit("alice", Side.BUY, 12, P + 100, tif=TimeInForce.FOK)) == (
        "FOK_NOT_FILLABLE"
    )
    # only the seq moved: the same book, the same balances
    assert h.engine.depth("BTC/AED", 5) == ([], [(P, 5), (P + 100, 5)])
    assert h.engine.state_hash() != before  # last_seq is part of the state
    events = h.limit("alice", Side.BUY, 10, P + 100, tif=TimeInForce.FOK)
    assert [t.price for t in of(events, Trade)] == [P, P + 100]
    assert of(events, OrderUpdated)[-1].status is OrderStatus.FILLED


def test_post_only_is_refused_when_it_would_take_and_rests_otherwise(h: Harness) -> None:
    h.limit("bob", Side.SELL, 5, P)
    assert rejected(h.limit("alice", Side.BUY, 1, P, post_only=True)) == "POST_ONLY_WOULD_TAKE"
    events = h.limit("alice", Side.BUY, 1, P - 1, post_only=True)
    assert of(events, OrderAccepted)
    assert (
        rejected(h.limit("alice", Side.BUY, 1, P - 1, post_only=True, tif=TimeInForce.IOC))
        == "INVALID_ORDER"
    )


def test_market_by_quantity_walks_the_book_within_the_slippage_band(h: Harness) -> None:
    h.limit("bob", Side.SELL, 2, P)
    h.limit("bob", Side.SELL, 3, 25_100_000)
    h.limit("bob", Side.SELL, 5, 26_500_000)  # beyond best + 5 % = 26,250,000
    events = h.place("alice", Side.BUY, OrderType.MARKET, qty=10)
    # locked: at most 10 lots at the band's edge, 26,250 + fee 53
    assert of(events, OrderAccepted)[0].locked == 26_303
    assert [(t.price, t.qty) for t in of(events, Trade)] == [(P, 2), (25_100_000, 3)]
    final = of(events, OrderUpdated)[-1]
    assert (final.status, final.reason, final.filled_qty) == (
        OrderStatus.EXPIRED, EndReason.NO_LIQUIDITY, 5,
    )  # fmt: skip
    # paid ceil(5,000 + 7,530) = 12,530, fee ceil(25.06) = 26
    assert (final.filled_quote, final.fees_paid) == (12_530, 26)
    assert h.bal("alice", "AED") == (AED0 - 12_556, 0)
    h.check_conservation()


def test_a_market_order_into_an_empty_side_is_refused(h: Harness) -> None:
    assert rejected(h.place("alice", Side.SELL, OrderType.MARKET, qty=1)) == "NO_LIQUIDITY"


def test_market_buy_by_quote_amount_spends_at_most_the_amount_fee_included(h: Harness) -> None:
    h.limit("bob", Side.SELL, 10, P)
    events = h.place("alice", Side.BUY, OrderType.MARKET, quote_qty=10_000)
    # 3 lots cost 7,500 + 15 = 7,515; a 4th would make 10,020 > 10,000
    assert sum(t.qty for t in of(events, Trade)) == 3
    final = of(events, OrderUpdated)[-1]
    assert (final.status, final.filled_quote, final.fees_paid) == (OrderStatus.FILLED, 7_500, 15)
    assert h.bal("alice", "AED") == (AED0 - 7_515, 0)


def test_market_sell_by_quote_amount_sells_until_it_received_the_amount(h: Harness) -> None:
    h.limit("carol", Side.BUY, 10, P)
    events = h.place("bob", Side.SELL, OrderType.MARKET, quote_qty=6_000)
    # net per n lots: 2,500 n - ceil(5 n): 2 lots 4,990 < 6,000 <= 3 lots 7,485
    assert of(events, OrderAccepted)[0].locked == 4 * LOT  # enough at the band's edge
    assert sum(t.qty for t in of(events, Trade)) == 3
    final = of(events, OrderUpdated)[-1]
    assert (final.status, final.filled_quote, final.fees_paid) == (OrderStatus.FILLED, 7_500, 15)
    assert h.bal("bob", "BTC") == (BTC0 - 3 * LOT, 0)
    assert h.bal("bob", "AED") == (AED0 + 7_485, 0)


def test_a_market_buy_by_quantity_fills_only_what_the_balance_pays(h: Harness) -> None:
    h.fund("dave", "AED", 6_000)
    h.fund("erin", "AED", 2_000)
    h.limit("bob", Side.SELL, 10, P)
    events = h.place("dave", Side.BUY, OrderType.MARKET, qty=5)
    assert of(events, OrderAccepted)[0].locked == 6_000  # all it has, less than the worst
    final = of(events, OrderUpdated)[-1]
    # 2 lots = 5,010; a 3rd would make 7,515
    assert (final.status, final.reason, final.filled_qty) == (
        OrderStatus.EXPIRED, EndReason.IOC, 2,
    )  # fmt: skip
    assert h.bal("dave", "AED") == (990, 0)
    assert rejected(h.place("erin", Side.BUY, OrderType.MARKET, qty=1)) == "INSUFFICIENT_BALANCE"
    h.check_conservation()


def test_stp_expire_taker(h: Harness) -> None:
    h.limit("alice", Side.SELL, 5, P)
    events = h.limit("alice", Side.BUY, 5, P, stp=StpMode.EXPIRE_TAKER)
    assert not of(events, Trade)
    (taker,) = of(events, OrderUpdated)
    assert (taker.status, taker.reason) == (OrderStatus.EXPIRED, EndReason.SELF_TRADE)
    assert h.engine.depth("BTC/AED", 5)[1] == [(P, 5)]
    assert h.bal("alice", "AED") == (AED0, 0)


def test_stp_expire_maker_then_matching_goes_on(h: Harness) -> None:
    h.limit("alice", Side.SELL, 5, P)
    own = h.seq
    h.limit("bob", Side.SELL, 5, P)
    events = h.limit("alice", Side.BUY, 5, P, stp=StpMode.EXPIRE_MAKER)
    expired, maker, taker = of(events, OrderUpdated)
    assert (expired.order_id, expired.status, expired.reason) == (
        own, OrderStatus.EXPIRED, EndReason.SELF_TRADE,
    )  # fmt: skip
    assert of(events, Trade)[0].maker_user_id == "bob"
    assert (maker.status, taker.status) == (OrderStatus.FILLED, OrderStatus.FILLED)
    assert h.bal("alice", "BTC") == (BTC0 + 5 * LOT, 0)


def test_stp_expire_both(h: Harness) -> None:
    h.limit("alice", Side.SELL, 5, P)
    events = h.limit("alice", Side.BUY, 5, P, stp=StpMode.EXPIRE_BOTH)
    assert [(u.status, u.reason) for u in of(events, OrderUpdated)] == [
        (OrderStatus.EXPIRED, EndReason.SELF_TRADE),
        (OrderStatus.EXPIRED, EndReason.SELF_TRADE),
    ]
    assert h.engine.depth("BTC/AED", 5) == ([], [])
    assert h.bal("alice", "AED") == (AED0, 0)
    assert h.bal("alice", "BTC") == (BTC0, 0)


def test_stp_none_lets_a_user_trade_with_itself_and_pay_both_fees(h: Harness) -> None:
    h.limit("alice", Side.SELL, 4, P)
    events = h.limit("alice", Side.BUY, 4, P, stp=StpMode.NONE)
    (trade,) = of(events, Trade)
    assert trade.maker_user_id == trade.taker_user_id == "alice"
    assert h.bal("alice", "AED") == (AED0 - 10 - 20, 0)
    assert h.bal("alice", "BTC") == (BTC0, 0)
    h.check_conservation()


def test_amend_down_keeps_the_queue_place_and_releases_the_lock_exactly(h: Harness) -> None:
    h.limit("bob", Side.SELL, 5, P)
    first = h.seq
    h.limit("carol", Side.SELL, 5, P)
    from burency_trading.domain.model import AmendOrder

    events = h.run(AmendOrder("bob", "BTC/AED", first, 2))
    (upd,) = of(events, OrderUpdated)
    assert (upd.qty, upd.status) == (2, OrderStatus.NEW)
    assert h.bal("bob", "BTC") == (BTC0 - 2 * LOT, 2 * LOT)
    trades = of(h.limit("alice", Side.BUY, 3, P), Trade)
    assert [(t.maker_user_id, t.qty) for t in trades] == [("bob", 2), ("carol", 1)]
    # a buy: the lock of 4 lots (10,000 + 20) replaces the lock of 10 (25,000 + 50)
    h.limit("alice", Side.BUY, 10, P - 100)
    buy = h.seq
    before = h.bal("alice", "AED")
    h.run(AmendOrder("alice", "BTC/AED", buy, 4))
    view = h.engine.order(buy)
    assert view is not None
    assert view.locked == notional_lock(P - 100, 4)
    assert h.bal("alice", "AED")[0] == before[0] + notional_lock(P - 100, 10) - view.locked
    for bad in (4, 11, 0):
        assert rejected(h.run(AmendOrder("alice", "BTC/AED", buy, bad))) == ("AMEND_NOT_A_DECREASE")
    h.check_conservation()


def notional_lock(price: int, lots: int) -> int:
    notional = -(-price * lots // 10_000)
    return notional + -(-notional * 2_000 // 1_000_000)
