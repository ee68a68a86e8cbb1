"""Events of the funding ↔ trading transfer saga (``wallet.transfer.*``).

Money moves between a user's funding wallet (banking) and trading wallet (trading core)
only through this saga, never by one service writing the other's balances:

* funding → trading: banking holds the user's funds and publishes ``requested``;
  trading credits the trading wallet and answers ``completed`` (banking posts the
  hold) or ``failed`` (banking voids it: the user is credited back).
* trading → funding: trading debits the trading wallet and publishes ``requested``;
  banking credits the funding wallet and answers ``completed``, or ``failed`` with a
  reason (e.g. unknown user), upon which trading credits its wallet back.

Every message carries the ``transfer_id`` (the saga's id, chosen by the side that
starts it, keyed on it so all messages of one saga stay in order) and the
``direction``; ``amount`` is a decimal string at the asset's scale.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from burency_common.events.registry import EventRegistry, EventSchema
from burency_common.events.schemas import EventPayload

__all__ = [
    "FUNDING_TO_TRADING",
    "TRADING_TO_FUNDING",
    "WALLET_TRANSFER_COMPLETED",
    "WALLET_TRANSFER_FAILED",
    "WALLET_TRANSFER_REQUESTED",
    "WalletTransferCompleted",
    "WalletTransferFailed",
    "WalletTransferRequested",
    "register_wallet_events",
]

WALLET_TRANSFER_REQUESTED = "wallet.transfer.requested"
WALLET_TRANSFER_COMPLETED = "wallet.transfer.completed"
WALLET_TRANSFER_FAILED = "wallet.transfer.failed"
FUNDING_TO_TRADING = "funding_to_trading"
TRADING_TO_FUNDING = "trading_to_funding"

Direction = Literal["funding_to_trading", "trading_to_funding"]
_AMOUNT = r"^[0-9]+(\.[0-9]+)?$"


class _WalletTransfer(EventPayload):
    transfer_id: str = Field(min_length=1, max_length=128)
    direction: Direction
    user_id: str = Field(min_length=1, max_length=64)
    asset: str = Field(pattern=r"^[A-Z0-9]{2,10}$")
    amount: str = Field(pattern=_AMOUNT, max_length=64, description="decimal string, > 0")


class WalletTransferRequested(_WalletTransfer):
    """The side the money leaves has taken it; the other side should credit it (v1)."""


class WalletTransferCompleted(_WalletTransfer):
    """The receiving side credited the money; the sending side finalises (v1)."""


class WalletTransferFailed(_WalletTransfer):
    """The receiving side refused; the sending side gives the money back (v1)."""

    reason: str = Field(min_length=1, max_length=64, description="e.g. UNKNOWN_USER")


def register_wallet_events(registry: EventRegistry) -> None:
    for name, payload, description in (
        (WALLET_TRANSFER_REQUESTED, WalletTransferRequested, "a wallet transfer was started"),
        (WALLET_TRANSFER_COMPLETED, WalletTransferCompleted, "a wallet transfer was credited"),
        (WALLET_TRANSFER_FAILED, WalletTransferFailed, "a wallet transfer was refused"),
    ):
        registry.register(EventSchema(name, 1, payload, "transfer_id", description))
