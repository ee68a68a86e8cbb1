"""The trading wallets' totals per asset, as projected: what reconciliation compares.

Per asset: the users' balances (available + locked), the fees the engine collected
(``FEES_ACCOUNT``), and the net amount transferred in from funding (transfers in and
reversals of transfers out, minus transfers out). The engine keeps
``users + fees == net transferred`` exactly (conservation); banking's
``trading_clearing`` account must hold the same net amount (the saga's two sides).
Read from the SQL projection, so it also works while the engine is not running (the
``burency reconcile`` command); a projection behind the journal catches up at start.
"""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from burency_trading.adapters.orm import balances, projection_state, transfers
from burency_trading.domain.model import FEES_ACCOUNT
from burency_trading.service.reconciliation import Position, Positions

__all__ = ["read_positions"]

_SIGNED = case(
    (transfers.c.kind == "out", -transfers.c.amount),
    else_=transfers.c.amount,  # "in" and "out_reversal" credit the trading wallet
)


async def read_positions(engine: AsyncEngine) -> Positions:
    held = (balances.c.available + balances.c.locked).label("held")
    is_fees = balances.c.user_id == FEES_ACCOUNT
    per_asset = select(
        balances.c.asset,
        func.coalesce(func.sum(case((is_fees, 0), else_=held)), 0),
        func.coalesce(func.sum(case((is_fees, held), else_=0)), 0),
    ).group_by(balances.c.asset)
    moved = (
        select(transfers.c.asset, func.coalesce(func.sum(_SIGNED), 0))
        .where(transfers.c.status == "APPLIED")
        .group_by(transfers.c.asset)
    )
    async with engine.connect() as db:
        held_rows = (await db.execute(per_asset)).all()
        moved_rows = (await db.execute(moved)).all()
        seq = await db.scalar(select(func.coalesce(func.max(projection_state.c.last_seq), 0)))
    found: dict[str, Position] = {}
    for asset, users, fees in held_rows:
        found[asset] = Position(users=int(users), fees=int(fees), net_transferred=0)
    for asset, net in moved_rows:
        old = found.get(asset, Position(0, 0, 0))
        found[asset] = Position(old.users, old.fees, int(net))
    return Positions(seq=int(seq or 0), assets=found)
