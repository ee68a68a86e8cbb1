"""HistoryReader: pages by cursor (newest first, no overlap, no gap), one user's rows
only, the fills of a self-trade, volumes for the fee tiers, balances."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_trading.adapters.history import HistoryReader, InvalidCursor
from burency_trading.adapters.projection import SqlProjection
from burency_trading.domain.model import BalanceChanged, Side

from .journal import ETH_USDT, T0, Script, cross


async def pages(fetch, limit: int) -> list[list[object]]:  # type: ignore[no-untyped-def]
    """Every page of a list, following next_cursor."""
    found, cursor = [], None
    while True:
        page, cursor = await fetch(limit=limit, cursor=cursor)
        found.append(page)
        if cursor is None:
            return found


async def test_orders_page_newest_first_and_stay_private(db: AsyncEngine, script: Script) -> None:
    script.market()
    script.market(ETH_USDT)
    mine = [script.place("A", Side.BUY, 10, 1_000 + i, client_order_id=f"c{i}").seq
            for i in range(5)]  # fmt: skip
    theirs = script.place("B", Side.BUY, 10, 999, client_order_id="c0").seq
    eth = script.place("A", Side.SELL, 10, 2_000, market="ETH/USDT").seq
    script.cancel("A", mine[1], qty=10)
    await SqlProjection(db).handle(script.results)
    history = HistoryReader(db)

    def fetch(**kw):  # type: ignore[no-untyped-def]
        return history.list_orders("A", market=None, open_only=False, **kw)

    got = await pages(fetch, 2)
    assert [[o.order_id for o in p] for p in got] == [[eth, mine[4]], [mine[3], mine[2]],
                                                      [mine[1], mine[0]]]  # fmt: skip
    assert all(o.user_id == "A" for p in got for o in p)
    open_btc, cursor = await history.list_orders(
        "A", market="BTC/AED", open_only=True, limit=50, cursor=None
    )
    assert [o.order_id for o in open_btc] == [mine[4], mine[3], mine[2], mine[0]]
    assert cursor is None
    assert all(o.is_open for o in open_btc)

    order = await history.get_order("A", mine[1])
    assert order is not None
    assert (order.status, order.reason) == ("CANCELED", "USER_CANCELED")
    assert (order.price, order.qty, order.client_order_id) == (1_001, 10, "c1")
    assert await history.get_order("A", theirs) is None  # B's order is not A's to see
    by_client = await history.get_order_by_client_id("A", "c0")
    assert by_client is not None
    assert by_client.order_id == mine[0]
    assert (await history.get_order_by_client_id("B", "c0")).order_id == theirs  # type: ignore[union-attr]
    assert await history.get_order_by_client_id("C", "c0") is None
    assert (await history.get_order("A", eth)).client_order_id == ""  # type: ignore[union-attr]


async def test_trades_list_the_users_fills_with_role_and_fee(
    db: AsyncEngine, script: Script
) -> None:
    script.market()
    buy = script.place("A", Side.BUY, 5_000, 10_000_000)
    cross(script, maker=buy, taker_user="B", qty=1_000, maker_qty=5_000)
    cross(script, maker=buy, taker_user="A", qty=1_000, maker_qty=5_000,
          maker_filled_before=1_000)  # a self-trade: A is maker and taker  # fmt: skip
    cross(script, maker=buy, taker_user="C", qty=1_000, maker_qty=5_000,
          maker_filled_before=2_000)  # fmt: skip
    await SqlProjection(db).handle(script.results)
    history = HistoryReader(db)

    def fetch(**kw):  # type: ignore[no-untyped-def]
        return history.list_trades("A", market=None, **kw)

    for limit in (1, 2, 3, 10):
        got = [t for p in await pages(fetch, limit) for t in p]
        assert [(t.trade_id, t.role) for t in got] == [
            (3, "MAKER"), (2, "TAKER"), (2, "MAKER"), (1, "MAKER"),
        ], limit  # fmt: skip
    fills = [t for p in await pages(fetch, 10) for t in p]
    taker = fills[1]
    assert (taker.side, taker.order_id, taker.fee) == ("SELL", taker.taker_order_id, 2_000)
    maker = fills[0]
    assert (maker.side, maker.order_id, maker.fee) == ("BUY", buy.seq, 1_000)
    assert (maker.price, maker.qty, maker.quote_amount) == (10_000_000, 1_000, 1_000_000)

    b_fills, _ = await history.list_trades("B", market=None, limit=10, cursor=None)
    assert [(t.trade_id, t.role, t.side) for t in b_fills] == [(1, "TAKER", "SELL")]
    none, _ = await history.list_trades("B", market="ETH/USDT", limit=10, cursor=None)
    assert none == []


async def test_transfers_balances_and_volumes(db: AsyncEngine, script: Script) -> None:
    script.market()
    for i in range(3):
        script.transfer_in("A", "AED", 100 + i, transfer_id=f"t{i}", available=100 + i)
    script.transfer_in("B", "AED", 5, transfer_id="tb", available=5)
    buy = script.place("A", Side.BUY, 5_000, 10_000_000,
                       extra=[BalanceChanged("A", "AED", 7, 9, T0)])  # fmt: skip
    cross(script, maker=buy, taker_user="B", qty=2_000, maker_qty=5_000)
    cross(script, maker=buy, taker_user="B", qty=1_000, maker_qty=5_000, maker_filled_before=2_000)
    await SqlProjection(db).handle(script.results)
    history = HistoryReader(db)

    def fetch(**kw):  # type: ignore[no-untyped-def]
        return history.list_transfers("A", **kw)

    got = await pages(fetch, 2)
    assert [[t.transfer_id for t in p] for p in got] == [["t2", "t1"], ["t0"]]
    assert (got[0][0].amount, got[0][0].status, got[0][0].kind) == (102, "APPLIED", "in")
    assert await history.balances("A") == {"AED": (7, 9), "BTC": (10_000_000, 0)}
    assert await history.balances("nobody") == {}

    assert await history.volumes_since(0) == {
        "A": {"AED": 3_000_000}, "B": {"AED": 3_000_000},
    }  # fmt: skip
    second_trade_ts = script.results[-1].ts
    assert await history.volumes_since(second_trade_ts) == {
        "A": {"AED": 1_000_000}, "B": {"AED": 1_000_000},
    }  # fmt: skip
    assert await history.volumes_since(second_trade_ts + 1) == {}
    assert [m.symbol for m in await history.markets()] == ["BTC/AED"]


@pytest.mark.parametrize("cursor", ["", "bm9wZQ", "djE6LTE", "djE6MTox", "!!!", "djI6MQ"])
async def test_a_foreign_cursor_is_refused(db: AsyncEngine, cursor: str) -> None:
    history = HistoryReader(db)
    with pytest.raises(InvalidCursor):
        await history.list_orders("A", market=None, open_only=False, limit=10, cursor=cursor)
    with pytest.raises(ValueError, match="cursor"):
        await history.list_transfers("A", limit=10, cursor=cursor)
