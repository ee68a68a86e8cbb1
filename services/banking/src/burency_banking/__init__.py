"""Burency banking engine: users' funding wallets on a double-entry ledger."""

__version__ = "0.1.0"
