"""What the projection publishes through its outbox: order updates and trades with
decimal strings, the saga's answers, the ``order.filled`` notification; derived ids so a
replayed command or batch publishes nothing twice."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from burency_common.events import SEND_NOTIFICATION, SendNotification
from burency_common.events.notification_types import check_notification
from burency_common.events.trading import (
    TRADING_ORDER_UPDATED,
    TRADING_TRADE,
    TradingOrderUpdated,
    TradingTrade,
)
from burency_common.events.wallet import (
    WALLET_TRANSFER_COMPLETED,
    WALLET_TRANSFER_FAILED,
    WALLET_TRANSFER_REQUESTED,
    WalletTransferCompleted,
    WalletTransferFailed,
    WalletTransferRequested,
)
from burency_common.outbox import stable_event_id
from burency_trading.adapters.orm import outbox
from burency_trading.adapters.projection import SqlProjection
from burency_trading.domain.model import Reject, Side

from .journal import ETH_USDT, Script, cross
from .reading import count, messages, payload


async def test_order_updates_and_trades_carry_decimal_strings(
    db: AsyncEngine, script: Script
) -> None:
    script.market()
    buy = script.place("A", Side.BUY, 5_000, 10_000_000, client_order_id="a-1")
    cross(script, maker=buy, taker_user="B", qty=2_000, maker_qty=5_000)
    await SqlProjection(db).handle(script.results)

    updates = await messages(db, TRADING_ORDER_UPDATED)
    assert [(u.key, payload(u).status) for u in updates] == [  # type: ignore[attr-defined]
        ("A", "NEW"), ("B", "NEW"), ("A", "PARTIALLY_FILLED"), ("B", "FILLED"),
    ]  # fmt: skip
    maker = payload(updates[2])
    assert isinstance(maker, TradingOrderUpdated)
    assert (maker.order_id, maker.symbol, maker.client_order_id) == (2, "BTC/AED", "a-1")
    assert (maker.price, maker.quantity, maker.filled_quantity) == ("100000.00", "0.5000",
                                                                    "0.2000")  # fmt: skip
    assert (maker.filled_quote, maker.fees, maker.fee_asset) == ("20000.00", "20.00", "AED")
    assert (maker.quote_quantity, maker.stop_price, maker.time_in_force) == ("0.00", "0.00",
                                                                             "GTC")  # fmt: skip
    assert (maker.ts, maker.seq) == (script.results[2].ts // 1000, 3)
    assert updates[2].producer == "trading"
    assert updates[2].id == stable_event_id("sql", TRADING_ORDER_UPDATED, "3", "2")

    (trade_envelope,) = await messages(db, TRADING_TRADE)
    trade = payload(trade_envelope)
    assert isinstance(trade, TradingTrade)
    assert trade_envelope.key == "BTC/AED"
    assert (trade.trade_id, trade.price, trade.quantity, trade.quote_amount) == (
        1, "100000.00", "0.2000", "20000.00"
    )  # fmt: skip
    assert (trade.maker_fee, trade.taker_fee, trade.taker_side) == ("20.00", "40.00", "SELL")
    assert (trade.maker_order_id, trade.taker_order_id) == (2, 3)


async def test_order_filled_notifies_the_owner(db: AsyncEngine, script: Script) -> None:
    script.market()
    buy = script.place("A", Side.BUY, 5_000, 10_000_033)
    cross(script, maker=buy, taker_user="B", qty=2_000, maker_qty=5_000)
    cross(script, maker=buy, taker_user="B", qty=3_000, maker_qty=5_000, maker_filled_before=2_000)
    projection = SqlProjection(db)
    await projection.handle(script.results)

    notes = await messages(db, SEND_NOTIFICATION)
    by_user = {}
    for envelope in notes:
        note = payload(envelope)
        assert isinstance(note, SendNotification)
        assert note.event == "order.filled"
        check_notification(note.event, note.data)
        (user,) = note.user_ids
        by_user.setdefault(user, []).append(note)
    assert sorted(by_user) == ["A", "B"]
    assert len(by_user["B"]) == 2  # both of B's sell orders filled
    (a_note,) = by_user["A"]
    # the average price: 50000.16 AED filled quote (rounded down) / 0.5 BTC, at the tick
    assert a_note.data == {
        "symbol": "BTC/AED", "side": "BUY", "amount": "0.5000", "price": "100000.32",
    }  # fmt: skip
    assert a_note.notification_id == stable_event_id("order.filled", "sql", "2")

    await SqlProjection(db).handle(script.results)  # replayed: no second notification
    assert len(await messages(db, SEND_NOTIFICATION)) == 3
    quiet = SqlProjection(db, name="quiet", notify_filled=False)
    await quiet.handle(script.results)
    assert len(await messages(db, SEND_NOTIFICATION)) == 3
    assert len(await messages(db, TRADING_TRADE)) == 4  # two per sink


async def test_funding_to_trading_answers(db: AsyncEngine, script: Script) -> None:
    script.market()
    script.transfer_in("A", "AED", 12_345, transfer_id="t-1", available=12_345)
    script.transfer_in("A", "AED", 12_345, transfer_id="t-1", replayed=True)  # banking re-sent
    script.transfer_in("A", "DOGE", 0, transfer_id="t-2", reason=Reject.UNKNOWN_ASSET)
    script.transfer_in("A", "BTC", 150_000_000, transfer_id="t-3", reason=Reject.INVALID_AMOUNT)
    projection = SqlProjection(db)
    await projection.handle(script.results)

    (completed,) = await messages(db, WALLET_TRANSFER_COMPLETED)
    answer = payload(completed)
    assert isinstance(answer, WalletTransferCompleted)
    assert (answer.transfer_id, answer.direction, answer.user_id) == ("t-1", "funding_to_trading",
                                                                      "A")  # fmt: skip
    assert (answer.asset, answer.amount) == ("AED", "123.45")
    assert completed.key == "t-1"
    assert completed.id == stable_event_id(WALLET_TRANSFER_COMPLETED, "t-1")

    failed = {
        payload(e).transfer_id: payload(e) for e in await messages(db, WALLET_TRANSFER_FAILED)
    }  # type: ignore[attr-defined]
    assert sorted(failed) == ["t-2", "t-3"]
    assert isinstance(failed["t-3"], WalletTransferFailed)
    assert (failed["t-3"].reason, failed["t-3"].amount) == ("INVALID_AMOUNT", "1.50000000")
    assert (failed["t-2"].reason, failed["t-2"].amount) == ("UNKNOWN_ASSET", "0")

    # the request comes a third time, in a later batch: the same answer id, nothing new
    before = await count(db, outbox)
    script.transfer_in("A", "AED", 12_345, transfer_id="t-1", replayed=True)
    await projection.handle(script.results)
    assert await count(db, outbox) == before
    assert await projection.last_seq() == 6


async def test_trading_to_funding_requests(db: AsyncEngine, script: Script) -> None:
    script.market(ETH_USDT)
    script.transfer_out("A", "ETH", 1_500_000_000, transfer_id="o-1")
    script.transfer_out("A", "ETH", 9_000_000_000, transfer_id="o-2",
                        reason=Reject.INSUFFICIENT_BALANCE)  # fmt: skip
    script.transfer_out("A", "ETH", 1_500_000_000, transfer_id="o-1", reversal=True)
    await SqlProjection(db, asset_scales={"AED": 2}).handle(script.results)

    (requested,) = await messages(db, WALLET_TRANSFER_REQUESTED)
    request = payload(requested)
    assert isinstance(request, WalletTransferRequested)
    assert (request.transfer_id, request.direction) == ("o-1", "trading_to_funding")
    assert (request.asset, request.amount) == ("ETH", "1.500000000")
    assert await count(db, outbox) == 1  # a refusal and a reversal publish nothing
