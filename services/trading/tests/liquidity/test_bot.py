"""The liquidity bot on the real engine: it quotes levels on both sides around the
reference, requotes when the reference moves past its threshold (and only then), sees
its fills, respects its inventory limits and balances, survives refusals, pulls its
quotes on a stale reference and when stopped, and clears a previous run's orders."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from burency_trading.domain.model import Side
from burency_trading.service.liquidity.bot import LiquidityBot
from burency_trading.service.liquidity.quoting import BotParams

from .rig import ManualReference, Rig, make_rig

BOT = "liquidity-bot"
BTC_AED = "BTC/AED"
LEVELS_BID = ["349650.00", "349300.00", "348950.00", "348600.00", "348250.00"]
LEVELS_ASK = ["350350.00", "350700.00", "351050.00", "351400.00", "351750.00"]
SIZE = "0.01000"


async def _bot(
    tmp_path: Path, *, aed: str = "100000", btc: str = "1", **params: object
) -> tuple[Rig, ManualReference, LiquidityBot]:
    rig = await make_rig(tmp_path)
    await rig.fund(BOT, "AED", aed)
    await rig.fund(BOT, "BTC", btc)
    ref = ManualReference()
    ref.set(BTC_AED, "350000")
    base = BotParams(level_sizes={BTC_AED: Decimal("0.01")})
    bot = LiquidityBot(rig.ctx, ref, base.changed(**params), markets=[BTC_AED], user_id=BOT)
    return rig, ref, bot


async def test_quotes_levels_on_both_sides(tmp_path: Path) -> None:
    rig, _, bot = await _bot(tmp_path)
    await bot.cycle()
    bids, asks = await rig.depth(BTC_AED)
    assert bids == [(p, SIZE) for p in LEVELS_BID]
    assert asks == [(p, SIZE) for p in LEVELS_ASK]
    [status] = bot.status()
    assert (len(status.bids), len(status.asks), status.rejections) == (5, 5, 0)


async def test_requotes_only_when_the_reference_moves_past_the_threshold(tmp_path: Path) -> None:
    rig, ref, bot = await _bot(tmp_path)
    await bot.cycle()
    commands = len(rig.local.submitted)
    ref.set(BTC_AED, "350100")  # 0.03 %: under the 0.1 % threshold
    await bot.cycle()
    assert len(rig.local.submitted) == commands
    assert (await rig.depth(BTC_AED))[0][0] == ("349650.00", SIZE)
    ref.set(BTC_AED, "351000")  # 0.29 %
    await bot.cycle()
    bids, asks = await rig.depth(BTC_AED)
    assert bids[0] == ("350649.00", SIZE)
    assert asks[0] == ("351351.00", SIZE)
    assert len(bids) == len(asks) == 5  # the old quotes are gone


async def test_sees_its_fills_and_requotes_the_level(tmp_path: Path) -> None:
    rig, _, bot = await _bot(tmp_path)
    await bot.cycle()
    await rig.fund("alice", "BTC", "0.02")
    await rig.limit("alice", BTC_AED, Side.SELL, "0.015", "349300")  # all of level 1, half of 2
    await rig.fund("bob", "AED", "10000")
    await rig.limit("bob", BTC_AED, Side.BUY, "0.01", "350350")
    await bot.cycle()
    [status] = bot.status()
    assert (status.bought_lots, status.sold_lots) == (1500, 1000)
    bids, asks = await rig.depth(BTC_AED)
    assert bids == [(p, SIZE) for p in LEVELS_BID]  # requoted in full
    assert asks == [(p, SIZE) for p in LEVELS_ASK]


async def test_inventory_limits_stop_one_side(tmp_path: Path) -> None:
    rig, _, bot = await _bot(tmp_path, inventory={"BTC": (Decimal(0), Decimal(1))})
    await bot.cycle()
    bids, asks = await rig.depth(BTC_AED)
    assert bids == []  # holding the maximum: no more buying
    assert len(asks) == 5
    assert asks[0][0] < "350350.00"  # skewed down to sell: 350000 * (1 - 0.001) * 1.001

    rig2, _, bot2 = await _bot(tmp_path / "2", inventory={"BTC": (Decimal(1), Decimal(3))})
    await bot2.cycle()
    bids, asks = await rig2.depth(BTC_AED)
    assert asks == []  # holding the minimum: no more selling
    assert len(bids) == 5


async def test_never_buys_beyond_the_inventory_maximum(tmp_path: Path) -> None:
    limits = {"BTC": (Decimal(0), Decimal("1.025"))}
    rig, _, bot = await _bot(tmp_path, inventory=limits, skew=Decimal(0))
    await bot.cycle()
    bids, _ = await rig.depth(BTC_AED)
    assert bids == [("349650.00", SIZE), ("349300.00", SIZE)]  # 0.02 of the 0.025 room


async def test_quotes_only_what_its_balances_allow(tmp_path: Path) -> None:
    rig, _, bot = await _bot(tmp_path, aed="6900", btc="0.025")
    await bot.cycle()
    bids, asks = await rig.depth(BTC_AED)
    assert len(bids) == 1  # 3,500 with the fee per level: 6,900 AED pays one
    assert len(asks) == 2
    [status] = bot.status()
    assert status.rejections == 0


async def test_refusals_are_counted_not_raised(tmp_path: Path) -> None:
    rig, ref, bot = await _bot(tmp_path)
    await rig.fund("alice", "BTC", "0.001")
    await rig.fund("bob", "AED", "1000")
    await rig.limit("alice", BTC_AED, Side.SELL, "0.001", "350000")
    await rig.limit("bob", BTC_AED, Side.BUY, "0.001", "350000")  # last price 350,000
    ref.set(BTC_AED, "420000")  # 20 % away: outside the 10 % band
    await bot.cycle()
    [status] = bot.status()
    assert status.rejections == 10  # every level is more than 10 % from the last price
    assert status.last_error == "ORDER_PRICE_OUT_OF_BAND"
    assert await rig.depth(BTC_AED) == ([], [])
    balances = await rig.local.query(lambda e: e.balances(BOT))
    assert balances["AED"] == (10_000_000, 0)  # nothing stays locked


async def test_a_stale_reference_or_a_stop_pulls_the_quotes(tmp_path: Path) -> None:
    rig, ref, bot = await _bot(tmp_path)
    await bot.cycle()
    ref.set(BTC_AED, "350000", stale=True)
    await bot.cycle()
    assert await rig.depth(BTC_AED) == ([], [])
    ref.set(BTC_AED, "350000")
    await bot.cycle()
    assert len((await rig.depth(BTC_AED))[0]) == 5
    await bot.stop()
    assert await rig.depth(BTC_AED) == ([], [])
    await bot.cycle()
    assert await rig.depth(BTC_AED) == ([], [])
    await bot.start()
    await bot.cycle()
    assert len((await rig.depth(BTC_AED))[1]) == 5


async def test_a_new_run_cancels_the_orders_of_the_previous_one(tmp_path: Path) -> None:
    rig, ref, bot = await _bot(tmp_path)
    await bot.cycle()
    again = LiquidityBot(rig.ctx, ref, bot.params, markets=[BTC_AED], user_id=BOT)
    await again.cycle()
    bids, asks = await rig.depth(BTC_AED)
    assert (len(bids), len(asks)) == (5, 5)  # not 10
    assert bids[0] == ("349650.00", SIZE)


async def test_funding_hook_runs_before_quoting(tmp_path: Path) -> None:
    rig = await make_rig(tmp_path)
    ref = ManualReference()
    ref.set(BTC_AED, "350000")
    calls: list[str] = []

    async def ensure_funded() -> None:
        calls.append("fund")
        if len(calls) == 1:
            raise RuntimeError("banking not ready")
        await rig.fund(BOT, "AED", "100000")
        await rig.fund(BOT, "BTC", "1")

    bot = LiquidityBot(rig.ctx, ref, BotParams(level_sizes={BTC_AED: Decimal("0.01")}),
                       markets=[BTC_AED], user_id=BOT, ensure_funded=ensure_funded)  # fmt: skip
    await bot.cycle()  # funding failed: nothing quoted, nothing raised
    assert await rig.depth(BTC_AED) == ([], [])
    await bot.cycle()
    await bot.cycle()
    assert calls == ["fund", "fund"]
    assert len((await rig.depth(BTC_AED))[0]) == 5
