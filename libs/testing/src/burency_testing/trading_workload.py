"""A seeded, realistic command stream for the trading engine (tests, benchmarks, replay).

The same ``seed`` always yields the same commands, so a test, a benchmark and a replay
check can share one workload and compare state hashes. Commands are numbered by the
caller: the generator assumes the i-th command it yields gets ``seq = first_seq + i``
(so an order's id, the ``seq`` of its PlaceOrder, is known here and later cancels and
amends can refer to it). Run :func:`setup_commands` first (markets and funding), then
:func:`seeded_commands` with ``first_seq`` = the next seq.

The mix (by default, per command: ~50 % passive limits, ~28 % cancels, ~8 % crossing
limits, ~6 % market orders, ~3 % stops, ~3 % amends, ~2 % transfers): passive limit
orders around a drifting mid (some post-only), cancels of orders placed earlier,
crossing limits (GTC / IOC / FOK), market orders by quantity and by quote amount,
stop-limit and stop-market orders, amends down, occasional transfers in and out and a
rare cancel-all. Many commands are refused by the engine (cancelling an order that
already filled, a stop that would trigger at once): refusals are part of a real stream.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from burency_trading.domain.model import (
    AddMarket,
    AmendOrder,
    CancelAll,
    CancelOrder,
    Command,
    MarketSpec,
    OrderType,
    PlaceOrder,
    Side,
    StpMode,
    TimeInForce,
    TransferIn,
    TransferOut,
)

__all__ = [
    "DEFAULT_MIDS",
    "WorkloadMarket",
    "default_markets",
    "default_users",
    "seeded_commands",
    "setup_commands",
    "workload",
]


def default_markets() -> list[MarketSpec]:
    """Two markets: BTC/AED (notionals that do not fall on a minor unit: rounding
    matters) and ETH/USDT (ETH at 9 decimals, USDT at 6)."""
    return [
        MarketSpec(
            symbol="BTC/AED",
            base="BTC",
            quote="AED",
            base_scale=8,
            quote_scale=2,
            tick_size="0.01",
            lot_size="0.0001",
            min_qty=1,
            max_qty=1_000_000,
            min_notional=1_000,
            maker_ppm=1_000,
            taker_ppm=2_000,
            price_band_bps=2_000,
            market_slippage_bps=500,
        ),
        MarketSpec(
            symbol="ETH/USDT",
            base="ETH",
            quote="USDT",
            base_scale=9,  # gwei, as burency_common.money keeps ETH
            quote_scale=6,
            tick_size="0.01",
            lot_size="0.0001",
            min_qty=1,
            max_qty=1_000_000,
            min_notional=100_000,
            maker_ppm=800,
            taker_ppm=1_500,
            price_band_bps=2_000,
            market_slippage_bps=500,
        ),
    ]


DEFAULT_MIDS = {"BTC/AED": 25_000_000, "ETH/USDT": 300_000}
"""Starting mid prices in ticks (250,000.00 AED, 3,000.00 USDT)."""


def default_users(count: int = 50) -> list[str]:
    return [f"user-{i:04d}" for i in range(1, count + 1)]


def _default_funds(markets: Sequence[MarketSpec]) -> dict[str, int]:
    funds: dict[str, int] = {}
    for spec in markets:
        funds[spec.base] = 1_000 * 10**spec.base_scale
        funds[spec.quote] = 1_000_000_000 * 10**spec.quote_scale
    return funds


def setup_commands(
    markets: Sequence[MarketSpec] | None = None,
    users: Sequence[str] | None = None,
    funds: dict[str, int] | None = None,
) -> list[Command]:
    """AddMarket for each market, then a TransferIn of ``funds`` (asset → minor units,
    default: plenty of every asset) for every user. Transfer ids are ``setup-<user>-<asset>``."""
    markets = list(markets) if markets is not None else default_markets()
    users = list(users) if users is not None else default_users()
    funds = funds if funds is not None else _default_funds(markets)
    commands: list[Command] = [AddMarket(spec=spec) for spec in markets]
    for user in users:
        for asset, amount in sorted(funds.items()):
            commands.append(
                TransferIn(
                    transfer_id=f"setup-{user}-{asset}", user_id=user, asset=asset, amount=amount
                )
            )
    return commands


@dataclass
class WorkloadMarket:
    """What the generator tracks per market: the drifting mid and recent order ids."""

    spec: MarketSpec
    mid: int
    live: deque[tuple[int, str, int]]  # (order id, user, qty) of orders that may rest

    @property
    def unit(self) -> int:
        """The price step of the stream (ticks): about 0.0005 % of the mid."""
        return max(self.mid // 200_000, 1)


def _limit(
    rng: random.Random, market: WorkloadMarket, user: str, crossing: bool
) -> tuple[PlaceOrder, bool]:
    side = Side.BUY if rng.random() < 0.5 else Side.SELL
    sign = 1 if side is Side.BUY else -1
    # a passive order sits below the mid (buy) / above it (sell); a crossing one a little
    # beyond it (it takes the best levels, rarely sweeps the book)
    offset = (rng.randint(0, 4) if crossing else rng.randint(1, 25)) * market.unit
    price = market.mid + sign * offset if crossing else market.mid - sign * offset
    qty = rng.choice((1, 2, 3, 5, 8, 10, 20, 50)) * rng.randint(1, 4)
    tif = TimeInForce.GTC
    post_only = False
    if crossing:
        tif = rng.choice((TimeInForce.GTC, TimeInForce.IOC, TimeInForce.IOC, TimeInForce.FOK))
    elif rng.random() < 0.1:
        post_only = True
    stp = StpMode.EXPIRE_TAKER if rng.random() < 0.9 else rng.choice(list(StpMode))
    coid = f"c{rng.getrandbits(40):x}" if rng.random() < 0.3 else ""
    order = PlaceOrder(
        user_id=user,
        market=market.spec.symbol,
        side=side,
        type=OrderType.LIMIT,
        tif=tif,
        qty=qty,
        price=max(price, 1),
        post_only=post_only,
        client_order_id=coid,
        stp=stp,
    )
    return order, tif is TimeInForce.GTC


def _market_order(rng: random.Random, market: WorkloadMarket, user: str) -> PlaceOrder:
    side = Side.BUY if rng.random() < 0.5 else Side.SELL
    if rng.random() < 0.6:
        return PlaceOrder(
            user_id=user,
            market=market.spec.symbol,
            side=side,
            type=OrderType.MARKET,
            qty=rng.randint(1, 10),
        )
    # by quote amount: about 1..40 lots' worth at the mid
    lots = rng.randint(1, 10)
    notional = market.spec.min_notional + _quote_of(market.spec, market.mid, lots)
    return PlaceOrder(
        user_id=user,
        market=market.spec.symbol,
        side=side,
        type=OrderType.MARKET,
        quote_qty=notional,
    )


def _quote_of(spec: MarketSpec, price: int, lots: int) -> int:
    """About the quote minor units of ``lots`` at ``price`` (rough sizes only)."""
    exponent = spec.quote_scale - len(spec.tick_size.split(".")[-1]) * ("." in spec.tick_size)
    exponent -= len(spec.lot_size.split(".")[-1]) * ("." in spec.lot_size)
    value = price * lots
    return value * int(10**exponent) if exponent >= 0 else value // int(10**-exponent)


def _stop(rng: random.Random, market: WorkloadMarket, user: str) -> PlaceOrder:
    side = Side.BUY if rng.random() < 0.5 else Side.SELL
    sign = 1 if side is Side.BUY else -1
    stop = market.mid + sign * rng.randint(5, 60) * market.unit
    if rng.random() < 0.5:
        return PlaceOrder(
            user_id=user,
            market=market.spec.symbol,
            side=side,
            type=OrderType.STOP_LIMIT,
            qty=rng.randint(1, 20),
            price=stop + sign * rng.randint(0, 10) * market.unit,
            stop_price=stop,
        )
    if side is Side.BUY:
        lots = rng.randint(1, 20)
        quote = market.spec.min_notional + _quote_of(market.spec, stop, lots)
        return PlaceOrder(
            user_id=user,
            market=market.spec.symbol,
            side=side,
            type=OrderType.STOP_MARKET,
            quote_qty=quote,
            stop_price=stop,
        )
    return PlaceOrder(
        user_id=user,
        market=market.spec.symbol,
        side=side,
        type=OrderType.STOP_MARKET,
        qty=rng.randint(1, 20),
        stop_price=stop,
    )


def _transfer(
    rng: random.Random, market: WorkloadMarket, user: str, counter: int
) -> TransferIn | TransferOut:
    asset = market.spec.quote if rng.random() < 0.5 else market.spec.base
    scale = market.spec.quote_scale if asset == market.spec.quote else market.spec.base_scale
    amount = rng.randint(1, 1_000) * 10 ** max(scale - 2, 0)
    if rng.random() < 0.6:
        return TransferIn(transfer_id=f"w-in-{counter}", user_id=user, asset=asset, amount=amount)
    return TransferOut(transfer_id=f"w-out-{counter}", user_id=user, asset=asset, amount=amount)


def seeded_commands(
    seed: int,
    count: int,
    *,
    first_seq: int,
    markets: Sequence[MarketSpec] | None = None,
    users: Sequence[str] | None = None,
    mids: dict[str, int] | None = None,
) -> Iterator[Command]:
    """``count`` commands of the mixed stream; the i-th is meant for ``seq = first_seq + i``."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible workload, not a secret
    specs = list(markets) if markets is not None else default_markets()
    mids = mids if mids is not None else DEFAULT_MIDS
    users = list(users) if users is not None else default_users()
    state = [
        WorkloadMarket(spec, mids.get(spec.symbol, 100_000), deque(maxlen=4_000)) for spec in specs
    ]
    for i in range(count):
        seq = first_seq + i
        market = state[rng.randrange(len(state))]
        user = users[rng.randrange(len(users))]
        if rng.random() < 0.02:  # the mid drifts
            market.mid = max(market.mid + rng.randint(-2, 2) * market.unit, 10)
        yield _next_command(rng, market, user, seq)


def _next_command(rng: random.Random, market: WorkloadMarket, user: str, seq: int) -> Command:
    roll = rng.random()
    symbol = market.spec.symbol
    if roll < 0.50:
        order, may_rest = _limit(rng, market, user, crossing=False)
        if may_rest:
            market.live.append((seq, user, order.qty))
        return order
    if roll < 0.78 and market.live:
        index = rng.randrange(len(market.live))
        order_id, owner, _ = market.live[index]
        del market.live[index]
        return CancelOrder(user_id=owner, market=symbol, order_id=order_id)
    if roll < 0.86:
        order, may_rest = _limit(rng, market, user, crossing=True)
        if may_rest:
            market.live.append((seq, user, order.qty))
        return order
    if roll < 0.92:
        return _market_order(rng, market, user)
    if roll < 0.95:
        return _stop(rng, market, user)
    if roll < 0.98 and market.live:
        order_id, owner, qty = market.live[rng.randrange(len(market.live))]
        return AmendOrder(user_id=owner, market=symbol, order_id=order_id, new_qty=max(qty // 2, 1))
    if roll < 0.999:
        return _transfer(rng, market, user, seq)
    return CancelAll(user_id=user, market=symbol)


def workload(seed: int, count: int) -> list[Command]:
    """Setup (default markets and users) followed by ``count`` seeded commands: the i-th
    command of the list is meant for ``seq = i + 1``."""
    setup = setup_commands()
    return setup + list(seeded_commands(seed, count, first_seq=len(setup) + 1))
