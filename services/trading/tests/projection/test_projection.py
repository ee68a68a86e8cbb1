"""The SQL projection's tables: what a batch of engine results leaves in each, and
idempotency by seq (a batch handled twice, a batch straddling ``last_seq``, chunks)."""

from __future__ import annotations

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_trading.adapters.orm import (
    balances,
    markets,
    orders,
    outbox,
    projection_state,
    trades,
    transfers,
)
from burency_trading.adapters.projection import SqlProjection
from burency_trading.domain.model import (
    BalanceChanged,
    EndReason,
    MarketStatus,
    OrderStatus,
    OrderUpdated,
    SetMarketStatus,
    Side,
    StopTriggered,
)

from .journal import BTC_AED, Script, cross
from .reading import count, rows


def trade_between_a_and_b(script: Script) -> None:
    """A buys 0.5 BTC at 100000.00 AED resting; B sells 0.2 then 0.3 into it."""
    script.market()
    script.transfer_in("A", "AED", 10_000_000, available=10_000_000)
    script.transfer_in("B", "BTC", 100_000_000, available=100_000_000)
    locked = BalanceChanged("A", "AED", 5_000_000, 5_000_000, script.ts + 1_000)
    buy = script.place("A", Side.BUY, 5_000, 10_000_000, client_order_id="a-1", extra=[locked])
    cross(script, maker=buy, taker_user="B", qty=2_000, maker_qty=5_000)
    cross(script, maker=buy, taker_user="B", qty=3_000, maker_qty=5_000, maker_filled_before=2_000)


async def test_a_batch_lands_in_every_table(db: AsyncEngine, script: Script) -> None:
    trade_between_a_and_b(script)
    projection = SqlProjection(db)
    await projection.handle(script.results)

    assert await projection.last_seq() == 6
    (market,) = await rows(db, markets, "symbol")
    assert (market["symbol"], market["tick_size"], market["quote_scale"]) == ("BTC/AED", "0.01", 2)
    buy, sell1, sell2 = await rows(db, orders, "order_id")
    assert (buy["order_id"], buy["user_id"], buy["client_order_id"]) == (4, "A", "a-1")
    assert (buy["status"], buy["is_open"], buy["filled_qty"]) == ("FILLED", False, 5_000)
    assert (buy["filled_quote"], buy["qty"], buy["price"]) == (5_000_000, 5_000, 10_000_000)
    assert (buy["created_ts"], buy["last_seq"]) == (script.results[3].ts, 6)
    assert buy["updated_ts"] == script.results[5].ts
    assert (sell1["status"], sell1["side"], sell1["client_order_id"]) == ("FILLED", "SELL", None)
    assert sell2["filled_quote"] == 3_000_000
    t1, t2 = await rows(db, trades, "trade_id")
    assert (t1["maker_order_id"], t1["taker_order_id"], t1["quote_amount"]) == (4, 5, 2_000_000)
    assert (t2["maker_user_id"], t2["taker_user_id"], t2["qty"], t2["seq"]) == ("A", "B", 3_000, 6)
    assert (t1["maker_fee"], t1["taker_fee"]) == (2_000, 4_000)
    wallet = {(r["user_id"], r["asset"]): (r["available"], r["locked"])
              for r in await rows(db, balances, "user_id", "asset")}  # fmt: skip
    assert wallet[("A", "AED")] == (5_000_000, 5_000_000)
    assert wallet[("A", "BTC")] == (30_000_000, 0)  # the last BalanceChanged wins
    assert wallet[("B", "AED")] == (3_000_000 - 6_000, 0)
    assert [(t["kind"], t["status"], t["amount"]) for t in await rows(db, transfers, "seq")] == [
        ("in", "APPLIED", 10_000_000), ("in", "APPLIED", 100_000_000)
    ]  # fmt: skip


async def test_the_same_batch_twice_changes_nothing(db: AsyncEngine, script: Script) -> None:
    trade_between_a_and_b(script)
    hooks: list[str] = []
    projection = SqlProjection(db, after_commit=[lambda: hooks.append("woken")])
    await projection.handle(script.results)
    before = [await rows(db, t, *k) for t, k in _TABLES]
    messages = await count(db, outbox)
    assert hooks == ["woken"]

    await projection.handle(script.results)
    await SqlProjection(db).handle(script.results)  # a restarted projection, too

    assert [await rows(db, t, *k) for t, k in _TABLES] == before
    assert await count(db, outbox) == messages
    assert hooks == ["woken"]  # nothing new was written: nobody is woken


_TABLES = [
    (orders, ["order_id"]), (trades, ["trade_id"]), (balances, ["user_id", "asset"]),
    (transfers, ["transfer_id", "kind"]), (markets, ["symbol"]), (projection_state, ["name"]),
]  # fmt: skip


async def test_a_batch_straddling_last_seq_applies_only_the_new_part(
    db: AsyncEngine, script: Script
) -> None:
    trade_between_a_and_b(script)
    projection = SqlProjection(db)
    await projection.handle(script.results[:4])
    assert await projection.last_seq() == 4
    outbox_before = await count(db, outbox)

    # seq 3 and 4 come again (as the runner may resend them), altered: must be ignored
    tampered = list(script.results[2:])
    tampered[0] = type(tampered[0])(
        tampered[0].seq, tampered[0].ts, tampered[0].command,
        [BalanceChanged("B", "BTC", 1, 1, tampered[0].ts)],
    )  # fmt: skip
    await projection.handle(tampered)

    assert await projection.last_seq() == 6
    wallet = {(r["user_id"], r["asset"]): r["available"] for r in await rows(db, balances, "seq")}
    assert wallet[("B", "BTC")] == 100_000_000
    assert [r["order_id"] for r in await rows(db, orders, "order_id")] == [4, 5, 6]
    assert await count(db, trades) == 2
    assert await count(db, outbox) > outbox_before


async def test_chunked_batches_equal_one_batch(db: AsyncEngine, script: Script) -> None:
    trade_between_a_and_b(script)
    hooks: list[int] = []
    chunked = SqlProjection(
        db, name="chunked", chunk_size=2, after_commit=[lambda: hooks.append(1)]
    )
    await chunked.handle(script.results)
    assert len(hooks) == 3  # one transaction (and one wake-up) per chunk
    chunked_rows = [await rows(db, t, *k) for t, k in _TABLES[:5]]
    assert await chunked.last_seq() == 6

    whole = SqlProjection(db, name="whole")
    assert await whole.last_seq() == 0
    await whole.handle(script.results)  # same rows again: upserts leave them equal
    assert [await rows(db, t, *k) for t, k in _TABLES[:5]] == chunked_rows


async def test_updates_in_later_batches_find_their_order(db: AsyncEngine, script: Script) -> None:
    script.market()
    placed = script.place("A", Side.BUY, 5_000, 10_000_000)
    script.market(msgspec.structs.replace(BTC_AED, status=MarketStatus.HALTED))
    stop = StopTriggered(placed.seq, "A", "BTC/AED", 9_000_000, script.ts)
    script.add(SetMarketStatus("BTC/AED", MarketStatus.TRADING), [stop])
    cancel = script.cancel("A", placed.seq, qty=5_000)
    projection = SqlProjection(db)
    for result in script.results:  # one result per batch: every update reads the order
        await projection.handle([result])

    (order,) = await rows(db, orders, "order_id")
    assert (order["status"], order["is_open"], order["reason"]) == ("CANCELED", False,
                                                                    "USER_CANCELED")  # fmt: skip
    assert order["stop_triggered"] is True
    assert (order["created_ts"], order["updated_ts"]) == (placed.ts, cancel.ts)
    (market,) = await rows(db, markets, "symbol")
    assert market["status"] == "HALTED"


async def test_an_update_of_an_unknown_order_is_skipped(db: AsyncEngine, script: Script) -> None:
    """A projection started after the order was placed cannot update it: it says so in
    the log and goes on (a poison result would stall it forever)."""
    script.market()
    ghost = OrderUpdated(999, "A", "BTC/AED", OrderStatus.CANCELED, 1, 0, 0, 0,
                         EndReason.USER_CANCELED, script.ts)  # fmt: skip
    script.add(SetMarketStatus("BTC/AED", MarketStatus.TRADING), [ghost])
    script.place("A", Side.BUY, 1, 100, market="XRP/AED")  # an unknown market: no message
    projection = SqlProjection(db)
    await projection.handle(script.results)
    assert await projection.last_seq() == 3
    assert [r["order_id"] for r in await rows(db, orders, "order_id")] == [3]


async def test_rejections_store_nothing(db: AsyncEngine, script: Script) -> None:
    script.market()
    script.reject("A")
    projection = SqlProjection(db)
    await projection.handle(script.results)
    assert await count(db, orders) == 0
    assert await projection.last_seq() == 2
