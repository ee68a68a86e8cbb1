"""Asset and market symbols. The canonical market form is ``BASE-QUOTE`` (``BTC-USDT``)."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import NamedTuple

from ._base import InvalidValue, require_str

__all__ = ["MarketSymbol", "parse_market_symbol", "validate_asset_symbol", "validate_market_symbol"]

_ASSET_RE = re.compile(r"[A-Za-z0-9]{2,10}")


class MarketSymbol(NamedTuple):
    """A market as ``(base, quote)``; ``str()`` gives the canonical ``BASE-QUOTE``."""

    base: str
    quote: str

    def __str__(self) -> str:
        return f"{self.base}-{self.quote}"


def validate_asset_symbol(value: str) -> str:
    """Return the uppercase symbol (2..10 ASCII letters/digits) or raise ``INVALID_SYMBOL``."""
    text = require_str(value, "symbol")
    # Match before upper-casing: str.upper() maps e.g. "ß" to "SS".
    if not _ASSET_RE.fullmatch(text):
        raise InvalidValue("INVALID_SYMBOL", f"invalid asset symbol: {text!r}")
    return text.upper()


def _split_concatenated(text: str, known_quotes: Collection[str]) -> tuple[str, str]:
    upper = text.upper()
    # Longest quote first, so "BTCUSDT" is BTC/USDT and never BTCU/SDT.
    for quote in sorted({q.upper() for q in known_quotes}, key=len, reverse=True):
        if upper.endswith(quote) and len(upper) > len(quote):
            return text[: -len(quote)], text[-len(quote) :]
    raise InvalidValue("INVALID_SYMBOL", f"market symbol has no known quote asset: {text!r}")


def parse_market_symbol(value: str, *, known_quotes: Collection[str] | None = None) -> MarketSymbol:
    """Parse ``BTC-USDT`` or ``BTC/USDT`` (any case) into a :class:`MarketSymbol`.

    With ``known_quotes`` (e.g. ``{"USDT", "BTC", "AED"}``) the separator-less
    Binance style ``BTCUSDT`` is accepted too. Base and quote must differ.
    """
    text = require_str(value, "market symbol")
    parts = re.split(r"[-/]", text)
    if len(parts) == 1 and known_quotes:
        parts = list(_split_concatenated(text, known_quotes))
    if len(parts) != 2:
        raise InvalidValue("INVALID_SYMBOL", f"market symbol must be BASE-QUOTE: {text!r}")
    base, quote = (validate_asset_symbol(p) for p in parts)
    if base == quote:
        raise InvalidValue("INVALID_SYMBOL", "market base and quote must differ")
    return MarketSymbol(base, quote)


def validate_market_symbol(value: str, *, known_quotes: Collection[str] | None = None) -> str:
    """The canonical ``BASE-QUOTE`` form of a market symbol (see :func:`parse_market_symbol`)."""
    return str(parse_market_symbol(value, known_quotes=known_quotes))
