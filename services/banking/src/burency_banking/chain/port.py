"""The ``ChainAdapter`` port: what banking needs from a blockchain (or a node's wallet).

Banking never talks to a chain directly: it asks an adapter for deposit addresses,
for outputs paid to them, for a transaction's confirmations and to broadcast a
withdrawal. The adapter behaves like a node's watch-only wallet: it knows the
addresses it handed out and reports only outputs paying them.

Semantics every adapter keeps (the simulated chain proves them in tests):

- ``new_address`` is deterministic: the same (user, asset, network) always gets the
  same address, valid for the network's address format.
- ``confirmations`` is ``0`` for a transaction waiting in the mempool, ``n >= 1`` once
  it is in a block ``n - 1`` blocks below the tip, and ``None`` when the chain does not
  (or no longer) contain it: a transaction reorganised away reads ``None``.
- ``broadcast`` is idempotent by the payment's ``reference``: broadcasting the same
  withdrawal twice yields the same transaction id and moves the coins once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from burency_common.errors import NotFound, ValidationFailed

__all__ = [
    "ChainAdapter",
    "IncomingOutput",
    "OutgoingPayment",
    "UnknownNetwork",
    "UnknownTransaction",
    "WalletTotals",
]


@dataclass(frozen=True)
class IncomingOutput:
    """One output of a transaction paying one of the wallet's addresses."""

    network: str
    txid: str
    output_index: int
    address: str
    asset: str
    amount: int  # minor units of ``asset``
    confirmations: int  # 0 = in the mempool
    block_height: int | None


@dataclass(frozen=True)
class OutgoingPayment:
    """A withdrawal to send; ``reference`` (the withdrawal id) makes it idempotent."""

    reference: str
    network: str
    asset: str
    address: str
    amount: int


@dataclass(frozen=True)
class WalletTotals:
    """What the chain says the wallet received and sent in ``asset`` (confirmed enough)."""

    asset: str
    received: int
    sent: int


class UnknownNetwork(ValidationFailed):
    def __init__(self, network: str) -> None:
        super().__init__(f"unknown network: {network[:32]!r}", code="UNSUPPORTED_NETWORK")


class UnknownTransaction(NotFound):
    def __init__(self) -> None:
        super().__init__("no such transaction on this network", code="TRANSACTION_NOT_FOUND")


class ChainAdapter(Protocol):
    """The port; see the module docstring for the semantics."""

    def networks(self) -> dict[str, str]:
        """Network code -> the asset it carries (``{"BTC": "BTC", "TRC20": "USDT"}``)."""
        ...

    async def new_address(self, *, user_id: str, asset: str, network: str) -> str: ...

    async def height(self, network: str) -> int:
        """The tip's height (0 before the first block)."""
        ...

    async def deposits_since(self, network: str, *, height: int) -> list[IncomingOutput]:
        """Outputs paying wallet addresses in blocks above ``height``, and in the mempool."""
        ...

    async def confirmations(self, network: str, txid: str) -> int | None: ...

    async def broadcast(self, payment: OutgoingPayment) -> str:
        """Send ``payment``; returns the transaction id (same reference -> same id)."""
        ...

    async def wallet_totals(
        self, network: str, *, min_confirmations: int
    ) -> dict[str, WalletTotals]:
        """Received into and sent from the wallet, counting transactions with at least
        ``min_confirmations``; keyed by asset."""
        ...
