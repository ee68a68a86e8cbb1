"""See docs/trading.md."""
