"""Burency trading core: the spot matching engine, users' trading wallets, orders and trades."""

__version__ = "0.1.0"
