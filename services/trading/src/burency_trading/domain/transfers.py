"""Funding <-> trading transfers, idempotent by transfer id (the wallet.transfer saga).

Every applied transfer is remembered as ``transfer_id -> (kind, user, asset, amount,
reversed)``: the same id with the same body is a replay (``replayed=True``, nothing
changes), with another body ``TRANSFER_ID_REUSED``. A refused transfer is not remembered,
so a retry after the user funded the account can succeed.
"""

from __future__ import annotations

from burency_common.money import MAX_MINOR

from .model import Reject, TransferApplied, TransferIn, TransferOut, TransferOutReversal
from .state import State

__all__ = ["transfer", "transfer_out_reversal"]


def _event(st: State, c: TransferIn | TransferOut, kind: str, replayed: bool, reason: str) -> None:
    st.events.append(
        TransferApplied(c.transfer_id, kind, c.user_id, c.asset, c.amount, replayed, reason, st.ts)
    )


def transfer(st: State, c: TransferIn | TransferOut) -> None:
    kind = "in" if isinstance(c, TransferIn) else "out"
    seen = st.transfers.get(c.transfer_id)
    if seen is not None:
        same = seen[:4] == (kind, c.user_id, c.asset, c.amount)
        _event(st, c, kind, same, "" if same else Reject.TRANSFER_ID_REUSED.value)
        return
    reason: Reject | None = None
    if c.amount <= 0 or not c.user_id:
        reason = Reject.INVALID_AMOUNT
    elif c.asset not in st.assets:
        reason = Reject.UNKNOWN_ASSET
    elif kind == "in" and st.net.get(c.asset, 0) + c.amount > MAX_MINOR:
        # all of an asset's balances add up to what came in: capping that keeps every
        # balance (and every event) within the ledgers' BIGINT
        reason = Reject.INVALID_AMOUNT
    elif kind == "out":
        acct = st.balances.get((c.user_id, c.asset))
        if acct is None or acct[0] < c.amount:
            reason = Reject.INSUFFICIENT_BALANCE
    if reason is not None:
        _event(st, c, kind, False, reason.value)
        return
    acct = st.account(c.user_id, c.asset)
    delta = c.amount if kind == "in" else -c.amount
    acct[0] += delta
    st.net[c.asset] = st.net.get(c.asset, 0) + delta
    st.touched[(c.user_id, c.asset)] = acct
    st.transfers[c.transfer_id] = (kind, c.user_id, c.asset, c.amount, False)
    _event(st, c, kind, False, "")


def transfer_out_reversal(st: State, c: TransferOutReversal) -> None:
    """Banking refused a transfer-out: credit it back, exactly once."""
    seen = st.transfers.get(c.transfer_id)
    if seen is None or seen[0] != "out":
        st.events.append(
            TransferApplied(
                c.transfer_id, "out_reversal", "", "", 0, False,
                Reject.TRANSFER_UNKNOWN.value, st.ts,
            )
        )  # fmt: skip
        return
    _, user, asset, amount, reversed_ = seen
    if not reversed_:
        acct = st.account(user, asset)
        acct[0] += amount
        st.net[asset] = st.net.get(asset, 0) + amount
        st.touched[(user, asset)] = acct
        st.transfers[c.transfer_id] = ("out", user, asset, amount, True)
    st.events.append(
        TransferApplied(c.transfer_id, "out_reversal", user, asset, amount, reversed_, "", st.ts)
    )
