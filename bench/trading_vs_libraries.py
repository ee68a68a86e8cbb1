"""Our engine against the pure-Python matching libraries on PyPI, the same order flow.

The flow is the seeded workload of bench/trading_engine.py (500 users) reduced to what
all three can do: its limit orders (as GTC; the crossing ones trade) and its cancels by
id. Ours runs it as usual, WITH its risk checks, locks, settlement, fees and events, and
with self-trade prevention off so that the matching is the same; the libraries get the
orders our engine accepted and just match. lightmatchingengine (2019.1.4) keeps a price
level as a list and finds the best price with min() over the levels; pyorderbook (0.4.9)
makes a UUID and a Decimal per order. Each gets its inputs ready-made before the clock
starts, as ours gets its commands (the libraries' enum members and order objects), and
each is timed for the same operations (a cancel of an order that already ended costs
ours a refusal event and the libraries a dict lookup). Prints commands per CPU second of each
(``time.process_time``: the benchmark machine is shared, and CPU time is what the
other load disturbs least) and the ratios.
"""

from __future__ import annotations

import gc
import json
import os
import time
from collections.abc import Callable

from _common import engine_build_child, per_engine_build, write_result
from lightmatchingengine.lightmatchingengine import LightMatchingEngine
from lightmatchingengine.lightmatchingengine import Side as LmeSide
from pyorderbook import Book, ask, bid

from burency_testing.trading_workload import (
    default_users,
    seeded_commands,
    setup_commands,
)
from burency_trading.domain.engine import Engine
from burency_trading.domain.model import (
    CancelOrder,
    Command,
    OrderRejected,
    OrderType,
    PlaceOrder,
    Side,
    StpMode,
    TimeInForce,
)

SEED = 15
COUNT = int(os.environ.get("BENCH_TRADING_COMMANDS", "200000"))
ROUNDS = 4
USERS = default_users(500)  # enough that our per-user open-order limit rarely refuses
Op = tuple[str, int, str, bool, int, int]  # kind, ref (our seq / order id), market, buy, price, qty


def _flow() -> tuple[list[Command], list[Command], int]:
    """Setup commands and the flow as our commands (limits GTC without STP, cancels)."""
    setup = setup_commands(users=USERS)
    first = len(setup) + 1
    flow: list[Command] = []
    for command in seeded_commands(SEED, COUNT, first_seq=first, users=USERS):
        if isinstance(command, PlaceOrder) and command.type is OrderType.LIMIT:
            flow.append(
                PlaceOrder(
                    command.user_id, command.market, command.side, OrderType.LIMIT,
                    TimeInForce.GTC, command.qty, command.price, stp=StpMode.NONE,
                )
            )  # fmt: skip
        elif isinstance(command, CancelOrder):
            flow.append(command)
    # cancels refer to seqs of the original stream: renumber them to the flow's seqs
    return setup, _renumber(flow, first), first


def _renumber(flow: list[Command], first: int) -> list[Command]:
    # the workload tracks order ids as "seq of the place command" in ITS numbering; in the
    # reduced flow the numbering differs, so map original seq -> new seq by replaying it
    original = seeded_commands(SEED, COUNT, first_seq=first, users=USERS)
    mapping: dict[int, int] = {}
    new_seq = first
    out: list[Command] = []
    kept = iter(flow)
    for seq, command in enumerate(original, first):
        keep = isinstance(command, CancelOrder) or (
            isinstance(command, PlaceOrder) and command.type is OrderType.LIMIT
        )
        if not keep:
            continue
        ours = next(kept)
        if isinstance(ours, PlaceOrder):
            mapping[seq] = new_seq
        elif isinstance(ours, CancelOrder):
            ours = CancelOrder(ours.user_id, ours.market, order_id=mapping.get(ours.order_id, 0))
        out.append(ours)
        new_seq += 1
    return out


def _ours(setup: list[Command], flow: list[Command], first: int) -> tuple[float, set[int]]:
    """Time the flow through a fresh engine; then, untimed, which orders it refused."""
    elapsed = 0.0
    for timed in (True, False):
        engine = Engine()
        for seq, command in enumerate(setup, 1):
            engine.apply(command, seq, seq)
        apply = engine.apply
        if timed:
            gc.disable()
            started = time.process_time()
            for seq, command in enumerate(flow, first):
                apply(command, seq, seq)
            elapsed = time.process_time() - started
            gc.enable()
            continue
        refused = {
            seq
            for seq, command in enumerate(flow, first)
            if type(apply(command, seq, seq)[0]) is OrderRejected
            and isinstance(command, PlaceOrder)
        }
    return elapsed, refused


def _ops(flow: list[Command], first: int, refused: set[int]) -> list[Op]:
    ops: list[Op] = []
    for seq, command in enumerate(flow, first):
        if isinstance(command, PlaceOrder):
            if seq not in refused:
                ops.append(("add", seq, command.market, command.side is Side.BUY,
                            command.price, command.qty))  # fmt: skip
        elif isinstance(command, CancelOrder):
            ops.append(("cancel", command.order_id, command.market, False, 0, 0))
    return ops


def _lme(ops: list[Op]) -> float:
    engine = LightMatchingEngine()
    orders: dict[int, object] = {}
    add, cancel = engine.add_order, engine.cancel_order
    # its Side enum member, chosen before the clock starts (reading an enum member costs
    # ~0.1 us: the benchmark's work, not the library's; ours gets ready-made commands)
    sides = {True: LmeSide.BUY, False: LmeSide.SELL}
    prepared = [
        (kind, ref, market, sides[buy], price, qty) for kind, ref, market, buy, price, qty in ops
    ]
    started = time.process_time()
    for kind, ref, market, side, price, qty in prepared:
        if kind == "add":
            order, _ = add(market, price, qty, side)
            orders[ref] = order
        else:
            order = orders.get(ref)
            # its order map keeps orders that filled as makers: cancelling one of those
            # trips an assertion, so only orders with quantity left are cancelled
            if order is not None and order.leaves_qty > 0:  # type: ignore[attr-defined]
                cancel(order.order_id, market)  # type: ignore[attr-defined]
    return time.process_time() - started


def _pyorderbook(ops: list[Op]) -> float:
    book = Book()
    orders: dict[int, object] = {}
    match, get_order, cancel = book.match, book.get_order, book.cancel
    # its order objects are made before the clock starts, as our commands are
    prepared = [
        (kind, ref, (bid if buy else ask)(market, price, qty) if kind == "add" else None)
        for kind, ref, market, buy, price, qty in ops
    ]
    started = time.process_time()
    for kind, ref, new in prepared:
        if kind == "add":
            match(new)
            orders[ref] = new
        else:
            order = orders.get(ref)
            if order is not None and get_order(order.id) is not None:  # type: ignore[attr-defined]
                cancel(order)  # type: ignore[arg-type]
    return time.process_time() - started


def _timed(run: Callable[[list[Op]], float], ops: list[Op]) -> float:
    gc.disable()
    try:
        return run(ops)
    finally:
        gc.enable()


def main() -> None:
    setup, flow, first = _flow()
    if engine_build_child():
        from burency_trading.domain import _native  # noqa: PLC0415

        best = min(_ours(setup, flow, first)[0] for _ in range(2))
        print(json.dumps({"engine_build": _native.engine_build()["build"], "seconds": best}))
        return
    _, refused = _ours(setup, flow, first)  # the orders our checks refuse: not given to them
    ops = _ops(flow, first, refused)
    lme_s = pob_s = float("inf")
    ours_s = {}
    for _ in range(ROUNDS):  # interleaved, best of each: the machine's load shifts
        for build, found in per_engine_build(__file__, 1).items():
            ours_s[build] = min(ours_s.get(build, float("inf")), found[0]["seconds"])
        lme_s = min(lme_s, _timed(_lme, ops))
        pob_s = min(pob_s, _timed(_pyorderbook, ops))
    lme_rate = len(ops) / lme_s
    pob_rate = len(ops) / pob_s
    figures: dict[str, object] = {"flow_commands": len(flow), "refused_by_our_checks": len(refused)}
    for build, seconds in ours_s.items():
        rate = len(flow) / seconds
        figures[f"ours_{build}_commands_per_cpu_s"] = round(rate)
        figures[f"ours_{build}_cpu_us_per_command"] = round(seconds / len(flow) * 1e6, 2)
        figures[f"ratio_{build}_vs_lightmatchingengine"] = round(rate / lme_rate, 2)
        figures[f"ratio_{build}_vs_pyorderbook"] = round(rate / pob_rate, 2)
    figures["lightmatchingengine_commands_per_cpu_s"] = round(lme_rate)
    figures["pyorderbook_commands_per_cpu_s"] = round(pob_rate)
    write_result("trading_vs_libraries", figures)


if __name__ == "__main__":
    main()
