"""Snapshots: the engine's whole state as canonical bytes (msgspec msgpack).

Canonical means: the same state always gives the same bytes, whatever the history that
led to it; so ``sha256(snapshot())`` is a state hash that replay can be checked against.
Everything is written sorted (markets, balances, transfers, tiers by key) except what
the order of matters: the orders of each book side are written best level first and FIFO
within a level, then the waiting stops by order id; restoring re-adds them in that order.
"""

from __future__ import annotations

import msgspec

from .consts import SIDE_BUY
from .model import (
    FeeTier,
    MarketSpec,
    OrderStatus,
    OrderType,
    Side,
    StpMode,
    TimeInForce,
)
from .state import Market, Order, State

__all__ = ["SNAPSHOT_VERSION", "dump", "load"]

SNAPSHOT_VERSION = 1
_PPM = 1_000_000


class _Order(msgspec.Struct, array_like=True, gc=False):
    order_id: int
    user_id: str
    market: str
    side: Side
    type: OrderType
    tif: TimeInForce
    qty: int
    price: int
    quote_qty: int
    stop_price: int
    post_only: bool
    client_order_id: str
    stp: StpMode
    maker_ppm: int
    taker_ppm: int
    locked_asset: str
    locked: int
    status: OrderStatus
    filled_qty: int
    filled_quote: int
    fees_paid: int
    exact: int
    fee_exact: int
    triggered: bool
    created_ts: int
    updated_ts: int


class _Market(msgspec.Struct, array_like=True, gc=False):
    spec: MarketSpec
    last_price: int
    ref_price: int
    orders: list[_Order]  # bids best first (FIFO per level), asks best first, then stops


class _Snapshot(msgspec.Struct, array_like=True, gc=False):
    version: int
    last_seq: int
    trade_id: int
    markets: list[_Market]
    balances: list[tuple[str, str, int, int]]
    transfers: list[tuple[str, str, str, str, int, bool]]
    net: list[tuple[str, int]]
    fee_schedule: list[FeeTier]
    user_tiers: list[tuple[str, int]]


_FIELDS = _Order.__struct_fields__
_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(_Snapshot)


def _order_state(order: Order, div: int) -> _Order:
    """An order as snapshot data. A buyer's running sums ``exact`` (notional x div) and
    ``fee_exact`` (fees x 1e6) can pass 2**64, which msgpack cannot hold; only their
    remainders are written (the quotients are ``filled_quote`` / ``fees_paid``, see
    :func:`_restore_order`)."""
    data = _Order(*(getattr(order, name) for name in _FIELDS))
    data.exact = order.exact % div
    data.fee_exact = order.fee_exact % _PPM
    return data


def _market_orders(st: State, m: Market) -> list[_Order]:
    out: list[_Order] = []
    for side in (m.bids, m.asks):
        for key in reversed(side.keys):
            out.extend(_order_state(o, m.div) for o in side.levels[key].values())
    stops = sorted(oid for _, oid in m.buy_stops + m.sell_stops)
    out.extend(_order_state(st.orders[oid], m.div) for oid in stops)
    return out


def dump(st: State) -> bytes:
    snap = _Snapshot(
        version=SNAPSHOT_VERSION,
        last_seq=st.last_seq,
        trade_id=st.trade_id,
        markets=[
            _Market(m.spec, m.last_price, m.ref_price, _market_orders(st, m))
            for _, m in sorted(st.markets.items())
        ],
        balances=sorted((u, a, v[0], v[1]) for (u, a), v in st.balances.items()),
        transfers=sorted((tid, *rec) for tid, rec in st.transfers.items()),
        net=sorted(st.net.items()),
        fee_schedule=[st.fee_schedule[t] for t in sorted(st.fee_schedule)],
        user_tiers=sorted(st.user_tiers.items()),
    )
    return _ENCODER.encode(snap)


def _restore_order(data: _Order, div: int) -> Order:
    # built by its constructor (not Order.__new__), so that the module also works when
    # the engine is compiled (mypyc native classes need their __init__); then every
    # field is overwritten from the snapshot
    order = Order(
        data.order_id, data.user_id, data.market, data.side, data.type, data.tif, data.qty,
        data.price, data.quote_qty, data.stop_price, data.post_only, data.client_order_id,
        data.stp, data.maker_ppm, data.taker_ppm, data.locked_asset, data.created_ts,
    )  # fmt: skip
    for name in _FIELDS:
        setattr(order, name, getattr(data, name))
    order.is_buy = data.side is SIDE_BUY
    if order.is_buy:  # filled_quote = ceil(exact / div), fees_paid = ceil(fee_exact / 1e6)
        rem = data.exact
        order.exact = (data.filled_quote - (1 if rem else 0)) * div + rem
        rem = data.fee_exact
        order.fee_exact = (data.fees_paid - (1 if rem else 0)) * _PPM + rem
    return order


def load(data: bytes) -> State:
    snap = _DECODER.decode(data)
    if snap.version != SNAPSHOT_VERSION:
        raise ValueError(f"unsupported snapshot version {snap.version}")
    st = State()
    st.last_seq, st.trade_id = snap.last_seq, snap.trade_id
    restored: list[Order] = []
    for ms in snap.markets:
        m = Market(ms.spec)
        m.last_price, m.ref_price = ms.last_price, ms.ref_price
        st.markets[m.symbol] = m
        st.assets.update((m.base, m.quote))
        for od in ms.orders:
            order = _restore_order(od, m.div)
            restored.append(order)
            if order.triggered:
                (m.bids if order.is_buy else m.asks).add(order)
            else:
                stops = m.buy_stops if order.is_buy else m.sell_stops
                stops.append((order.stop_price, order.order_id))
        m.buy_stops.sort()
        m.sell_stops.sort()
    st.balances = {(u, a): [avail, locked] for u, a, avail, locked in snap.balances}
    for order in sorted(restored, key=lambda o: o.order_id):
        st.index(order)
        st.link(order, st.markets[order.market])
    st.transfers = {tid: (k, u, a, amt, rev) for tid, k, u, a, amt, rev in snap.transfers}
    st.net = dict(snap.net)
    st.fee_schedule = {t.tier: t for t in snap.fee_schedule}
    st.user_tiers = dict(snap.user_tiers)
    return st
