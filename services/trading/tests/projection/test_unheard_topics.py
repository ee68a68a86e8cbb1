"""An in-process bus knows every subscriber once started: the projection then writes no
outbox message nobody could receive (embedded mode's ``trading.order.updated`` had no
consumer and was relayed into a void for every order change), and still writes those
someone subscribed to. A bus that cannot know (Kafka; or one not started yet) gets all."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from burency_common.bus.memory import InMemoryBus
from burency_common.events import SEND_NOTIFICATION, EventEnvelope
from burency_common.events.trading import TRADING_ORDER_UPDATED, TRADING_TRADE
from burency_testing.waiting import eventually
from burency_trading.adapters.orm import outbox
from burency_trading.component import TradingComponent, build_component
from burency_trading.domain.model import OrderType, PlaceOrder, Side, TransferIn
from burency_trading.settings import TradingSettings

SECRET = b"unheard-topics-test-identity-secret-012345"


def _component(tmp_path: Path) -> TradingComponent:
    settings = TradingSettings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'trading.db'}",
        journal_dir=tmp_path / "journal",
    )
    return build_component(settings, identity_secret=SECRET)


async def _trade_once(component: TradingComponent) -> None:
    await component.handle.submit(TransferIn("fund-a", "alice", "BTC", 10**8))
    await component.handle.submit(TransferIn("fund-b", "bob", "AED", 10**8))
    price = 20_000_000  # 200,000.00 AED
    for user, side in (("alice", Side.SELL), ("bob", Side.BUY)):
        order = PlaceOrder(user, "BTC/AED", side, OrderType.LIMIT, qty=10, price=price)
        await component.handle.submit(order)


async def _topics(component: TradingComponent) -> set[str]:
    async with component.engine.connect() as db:
        return set((await db.execute(select(outbox.c.topic))).scalars())


async def test_only_topics_someone_subscribed_to_are_written(tmp_path: Path) -> None:
    trades: list[EventEnvelope] = []

    async def heard(envelope: EventEnvelope) -> None:
        trades.append(envelope)

    bus = InMemoryBus()
    bus.subscribe(TRADING_TRADE, group="analytics", handler=heard)
    await bus.start()
    assert bus.may_reach_anyone(TRADING_TRADE)
    assert not bus.may_reach_anyone(TRADING_ORDER_UPDATED)
    component = _component(tmp_path)
    await component.start(bus)
    try:
        await _trade_once(component)
        await eventually(lambda: _true(len(trades) == 1), "the trade to reach its subscriber")
        topics = await _topics(component)
        assert TRADING_TRADE in topics
        assert TRADING_ORDER_UPDATED not in topics
        assert SEND_NOTIFICATION not in topics  # order.filled: nobody to send it
    finally:
        await component.stop()
        await bus.stop()


async def test_a_bus_that_cannot_know_gets_everything(tmp_path: Path) -> None:
    component = _component(tmp_path)
    await component.start(InMemoryBus())  # not started: subscribers may still come
    try:
        await _trade_once(component)

        async def written() -> bool:
            wanted = {TRADING_TRADE, TRADING_ORDER_UPDATED, SEND_NOTIFICATION}
            return wanted <= await _topics(component)

        await eventually(written, "every projected topic in the outbox")
    finally:
        await component.stop()


async def _true(value: bool) -> bool:
    return value
