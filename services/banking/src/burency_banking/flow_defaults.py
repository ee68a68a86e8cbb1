"""Defaults of the flows' settings fields (``BankingSettings.chain_networks`` and the
rest), as the environment would give them: amounts as decimal strings in the asset's
units. Kept apart from :mod:`burency_banking.flows.config`, which parses the settings,
so the settings module can import these without importing its own parser.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "DEFAULT_APPROVAL_THRESHOLDS",
    "DEFAULT_BANK_DETAILS",
    "DEFAULT_CHAIN_NETWORKS",
    "DEFAULT_FIAT_RULES",
    "DEFAULT_WITHDRAWAL_LIMITS",
]

DEFAULT_CHAIN_NETWORKS: list[dict[str, Any]] = [
    {
        "network": "BTC",
        "asset": "BTC",
        "confirmations": 2,
        "minWithdrawal": "0.0001",
        "withdrawalFee": "0.00005",
    },
    {
        "network": "ETH",
        "asset": "ETH",
        "confirmations": 12,
        "minWithdrawal": "0.005",
        "withdrawalFee": "0.001",
    },
    {
        "network": "ERC20",
        "asset": "USDT",
        "confirmations": 12,
        "minWithdrawal": "10",
        "withdrawalFee": "5",
    },
    {
        "network": "TRC20",
        "asset": "USDT",
        "confirmations": 20,
        "minWithdrawal": "5",
        "withdrawalFee": "1",
    },
]
DEFAULT_FIAT_RULES: dict[str, dict[str, str]] = {
    "AED": {
        "minDeposit": "10",
        "maxDeposit": "1000000",
        "minWithdrawal": "50",
        "withdrawalFee": "5",
    },
}
DEFAULT_BANK_DETAILS: dict[str, str] = {
    "bankName": "Burency Demo Bank",
    "accountName": "Burency FZ-LLC Client Money",
    "iban": "AE070331234567890123456",
    "swift": "BURDAEAD",
}
DEFAULT_APPROVAL_THRESHOLDS: dict[str, str] = {  # at or above: staff approve first
    "AED": "10000",
    "USDT": "2500",
    "BTC": "0.05",
    "ETH": "1",
}
_L1 = {
    "AED": ("20000", "100000"),
    "USDT": ("5000", "25000"),
    "BTC": ("0.1", "0.5"),
    "ETH": ("2", "10"),
}

DEFAULT_WITHDRAWAL_LIMITS: dict[str, dict[str, dict[str, str]]] = {
    "0": {asset: {"daily": "0", "monthly": "0"} for asset in _L1},
    "1": {asset: {"daily": d, "monthly": m} for asset, (d, m) in _L1.items()},
    "2": {
        "AED": {"daily": "200000", "monthly": "1000000"},
        "USDT": {"daily": "50000", "monthly": "250000"},
        "BTC": {"daily": "2", "monthly": "10"},
        "ETH": {"daily": "40", "monthly": "200"},
    },
    "3": {
        "AED": {"daily": "1000000", "monthly": "5000000"},
        "USDT": {"daily": "250000", "monthly": "1250000"},
        "BTC": {"daily": "10", "monthly": "50"},
        "ETH": {"daily": "200", "monthly": "1000"},
    },
}
