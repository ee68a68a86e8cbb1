"""Money flows: fiat and crypto deposits, withdrawals, limits (see docs/banking.md)."""
