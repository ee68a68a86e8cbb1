"""The engine's mutable state: orders, price levels, markets and balances (plain data).

Everything here is a ``__slots__`` class or a dict: the matching loop touches these
attributes millions of times, and a slot read is the cheapest attribute access Python has.
The logic lives in :mod:`.placing`, :mod:`.matching`, :mod:`.stops`, :mod:`.transfers`,
:mod:`.admin` and :mod:`.engine`; :mod:`.snapshot` turns this state into canonical bytes.
"""

from __future__ import annotations

from bisect import bisect_left

from burency_common.market_math import MarketGrid, Rounding

from .consts import ORDERSTATUS_NEW, SIDE_BUY
from .model import (
    Event,
    FeeTier,
    MarketSpec,
    MarketStatus,
    OrderType,
    OrderView,
    Side,
    StpMode,
    TimeInForce,
)

__all__ = ["MAX_OPEN_ORDERS", "BookSide", "Market", "Order", "State"]

MAX_OPEN_ORDERS = 200
"""Open orders (resting and waiting stops) one user may have in one market."""


class Order:
    """An open order. Buyer bookkeeping is cumulative so that rounding can never make
    a buyer pay more than it locked: ``exact`` is the sum of ``price * lots * mul`` of its
    fills (the exact notional times ``div``) and ``filled_quote`` = ceil(exact / div);
    ``fee_exact`` is the sum of ``paid * rate_ppm`` and ``fees_paid`` = ceil(fee_exact / 1e6)."""

    __slots__ = (
        "acct_b",
        "acct_q",
        "client_order_id",
        "created_ts",
        "exact",
        "fee_exact",
        "fees_paid",
        "filled_qty",
        "filled_quote",
        "is_buy",
        "key_b",
        "key_q",
        "locked",
        "locked_asset",
        "maker_ppm",
        "market",
        "order_id",
        "post_only",
        "price",
        "qty",
        "quote_qty",
        "side",
        "status",
        "stop_price",
        "stp",
        "taker_ppm",
        "tif",
        "triggered",
        "type",
        "updated_ts",
        "user_id",
    )

    def __init__(  # noqa: PLR0917 - built once per order, positionally (cheaper)
        self,
        order_id: int,
        user_id: str,
        market: str,
        side: Side,
        type_: OrderType,
        tif: TimeInForce,
        qty: int,
        price: int,
        quote_qty: int,
        stop_price: int,
        post_only: bool,
        client_order_id: str,
        stp: StpMode,
        maker_ppm: int,
        taker_ppm: int,
        locked_asset: str,
        ts: int,
    ) -> None:
        self.order_id = order_id
        self.user_id = user_id
        self.market = market
        self.side = side
        self.is_buy = side is SIDE_BUY
        self.type = type_
        self.tif = tif
        self.qty = qty
        self.price = price
        self.quote_qty = quote_qty
        self.stop_price = stop_price
        self.post_only = post_only
        self.client_order_id = client_order_id
        self.stp = stp
        self.maker_ppm = maker_ppm  # the rates in force at acceptance, kept for life:
        self.taker_ppm = taker_ppm  # the buyer's lock covers max(maker, taker) of these
        self.locked_asset = locked_asset
        self.locked = 0
        self.status = ORDERSTATUS_NEW
        self.filled_qty = 0
        self.filled_quote = 0
        self.fees_paid = 0
        self.exact = 0
        self.fee_exact = 0
        self.triggered = stop_price == 0
        self.created_ts = ts
        self.updated_ts = ts

    # The owner's accounts in this market (the lists held in State.balances, and their
    # keys), linked at acceptance (State.link) so a fill needs no dict lookups for them.
    acct_q: list[int]
    acct_b: list[int]
    key_q: tuple[str, str]
    key_b: tuple[str, str]

    def view(self) -> OrderView:
        return OrderView(
            order_id=self.order_id,
            user_id=self.user_id,
            market=self.market,
            side=self.side,
            type=self.type,
            tif=self.tif,
            qty=self.qty,
            price=self.price,
            quote_qty=self.quote_qty,
            stop_price=self.stop_price,
            post_only=self.post_only,
            client_order_id=self.client_order_id,
            status=self.status,
            filled_qty=self.filled_qty,
            filled_quote=self.filled_quote,
            fees_paid=self.fees_paid,
            locked_asset=self.locked_asset,
            locked=self.locked,
            triggered=self.triggered,
            created_ts=self.created_ts,
            updated_ts=self.updated_ts,
        )


class BookSide:
    """One side of a book. ``keys`` is sorted ascending and the best level is the LAST
    key (bids: key = price; asks: key = -price), so the best is ``keys[-1]`` and removing
    an emptied best level is ``keys.pop()``. ``levels[key]`` is an insertion-ordered dict
    ``order_id -> Order``: FIFO within the level, O(1) removal by id."""

    __slots__ = ("keys", "levels", "sign")

    def __init__(self, sign: int) -> None:
        self.sign = sign  # +1 bids, -1 asks: key = sign * price
        self.keys: list[int] = []
        self.levels: dict[int, dict[int, Order]] = {}

    def add(self, order: Order) -> None:
        key = self.sign * order.price
        level = self.levels.get(key)
        if level is None:
            level = self.levels[key] = {}
            keys = self.keys
            if not keys or key > keys[-1]:
                keys.append(key)
            else:
                keys.insert(bisect_left(keys, key), key)
        level[order.order_id] = order

    def remove(self, order: Order) -> None:
        key = self.sign * order.price
        level = self.levels[key]
        del level[order.order_id]
        if not level:
            del self.levels[key]
            keys = self.keys
            if keys[-1] == key:
                keys.pop()
            else:
                del keys[bisect_left(keys, key)]

    def best_price(self) -> int:
        """The best price (ticks), 0 when the side is empty."""
        return self.sign * self.keys[-1] if self.keys else 0

    def depth(self, limit: int) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for key in reversed(self.keys):
            if len(out) >= limit:
                break
            level = self.levels[key]
            out.append((self.sign * key, sum(o.qty - o.filled_qty for o in level.values())))
        return out


class Market:
    """One market: its spec, grid, two book sides, waiting stops and prices."""

    __slots__ = (
        "asks",
        "band_bps",
        "base",
        "base_mul",
        "bids",
        "buy_stops",
        "div",
        "grid",
        "last_price",
        "maker_ppm",
        "max_qty",
        "min_notional",
        "min_qty",
        "mul",
        "quote",
        "ref_price",
        "sell_stops",
        "spec",
        "status",
        "symbol",
        "taker_ppm",
    )

    def __init__(self, spec: MarketSpec) -> None:
        self.set_spec(spec)
        self.symbol = spec.symbol
        self.base = spec.base
        self.quote = spec.quote
        self.grid = grid = MarketGrid(
            spec.base_scale, spec.quote_scale, spec.tick_size, spec.lot_size
        )
        # The matching loop inlines MarketGrid.notional (profiled: the call costs more than
        # the arithmetic): notional = price * lots * mul / div. Both come from the grid
        # itself, and a test checks the inlined form against grid.notional.
        self.mul = max(grid.notional(1, 1, Rounding.DOWN), 1)
        self.div = max(grid.lots_for_quote(1, 1, Rounding.DOWN), 1)
        self.base_mul = grid.base_minor(1)
        self.bids = BookSide(1)
        self.asks = BookSide(-1)
        # waiting stops as sorted (stop_price, order_id): a BUY stop triggers when the last
        # price >= its stop (the first ones), a SELL stop when last <= stop (the last ones)
        self.buy_stops: list[tuple[int, int]] = []
        self.sell_stops: list[tuple[int, int]] = []
        self.last_price = 0
        self.ref_price = 0

    def set_spec(self, spec: MarketSpec) -> None:
        """The spec and copies of the fields every order reads (compiled, an attribute of
        this class is a plain C field; of the msgspec spec, a generic attribute lookup)."""
        self.spec = spec
        self.status: MarketStatus = spec.status
        self.min_qty = spec.min_qty
        self.max_qty = spec.max_qty
        self.min_notional = spec.min_notional
        self.band_bps = spec.price_band_bps
        self.maker_ppm = spec.maker_ppm
        self.taker_ppm = spec.taker_ppm


class State:
    """All of the engine's state (see the module docstring)."""

    __slots__ = (
        "assets",
        "balances",
        "client_ids",
        "events",
        "fee_schedule",
        "last_seq",
        "markets",
        "net",
        "orders",
        "touched",
        "trade_id",
        "transfers",
        "ts",
        "user_orders",
        "user_tiers",
    )

    def __init__(self) -> None:
        self.last_seq = 0
        self.trade_id = 0
        self.markets: dict[str, Market] = {}
        self.assets: set[str] = set()
        self.orders: dict[int, Order] = {}  # every open order (resting or waiting stop)
        self.user_orders: dict[tuple[str, str], dict[int, Order]] = {}  # (user, market)
        self.client_ids: dict[tuple[str, str], Order] = {}  # (user, client id) of open
        self.balances: dict[tuple[str, str], list[int]] = {}  # (user, asset) -> [avail, locked]
        self.transfers: dict[str, tuple[str, str, str, int, bool]] = {}
        self.net: dict[str, int] = {}  # per asset: in - out + reversals
        self.fee_schedule: dict[int, FeeTier] = {}
        self.user_tiers: dict[str, int] = {}
        # per-command scratch, reset by Engine.apply: the events so far, the accounts the
        # command touched (in first-touch order) and the command's timestamp
        self.events: list[Event] = []
        self.touched: dict[tuple[str, str], list[int]] = {}
        self.ts = 0

    def account(self, user: str, asset: str) -> list[int]:
        key = (user, asset)
        acct = self.balances.get(key)
        if acct is None:
            acct = self.balances[key] = [0, 0]
        return acct

    def link(self, order: Order, market: Market) -> None:
        """Give ``order`` its owner's quote and base accounts (created when missing)."""
        order.key_q = (order.user_id, market.quote)
        order.key_b = (order.user_id, market.base)
        order.acct_q = self.account(order.user_id, market.quote)
        order.acct_b = self.account(order.user_id, market.base)

    def rates(self, user: str, spec: MarketSpec) -> tuple[int, int]:
        tier = self.user_tiers.get(user, 0)
        if tier:
            scheduled = self.fee_schedule.get(tier)
            if scheduled is not None:
                return scheduled.maker_ppm, scheduled.taker_ppm
        return spec.maker_ppm, spec.taker_ppm

    def index(self, order: Order) -> None:
        """Register a newly accepted open order in the lookup tables."""
        self.orders[order.order_id] = order
        key = (order.user_id, order.market)
        mine = self.user_orders.get(key)
        if mine is None:
            mine = self.user_orders[key] = {}
        mine[order.order_id] = order
        if order.client_order_id:
            self.client_ids[(order.user_id, order.client_order_id)] = order

    def unindex(self, order: Order) -> None:
        """Forget an order that ended (filled, cancelled, expired)."""
        del self.orders[order.order_id]
        key = (order.user_id, order.market)
        mine = self.user_orders[key]
        del mine[order.order_id]
        if not mine:
            del self.user_orders[key]
        if order.client_order_id:
            del self.client_ids[(order.user_id, order.client_order_id)]
