"""The chain adapter port and the simulated chain (see :mod:`.port`, :mod:`.simulated`)."""

from burency_banking.chain.addresses import derive_address
from burency_banking.chain.port import (
    ChainAdapter,
    IncomingOutput,
    OutgoingPayment,
    UnknownNetwork,
    UnknownTransaction,
    WalletTotals,
)
from burency_banking.chain.simulated import ReorgResult, SimulatedChain

__all__ = [
    "ChainAdapter",
    "IncomingOutput",
    "OutgoingPayment",
    "ReorgResult",
    "SimulatedChain",
    "UnknownNetwork",
    "UnknownTransaction",
    "WalletTotals",
    "derive_address",
]
