"""The reference price each market's price band is measured from, as the API shows it.

The engine refuses a limit price further than ``price_band_bps`` from the market's last
trade price or, before the first trade, from the reference price the market-data
supervisor sent it (``SetReferencePrice``). Clients show that reference (and the band
around it) beside the order form, so an out-of-band price is explained before it is
sent. One engine query reads every market's band and last price; the supervisor's last
reference sent fills in the markets that have not traded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from burency_common.errors import ServiceUnavailable
from burency_trading.service.context import TradingContext
from burency_trading.service.sources.supervisor import ReferencePrices

__all__ = ["band_references"]


async def band_references(
    ctx: TradingContext, prices: ReferencePrices | None
) -> dict[str, int | None]:
    """Market -> the band's reference price in ticks; None when the market has no band
    (``price_band_bps`` 0) or nothing to measure from (never traded, no reference yet);
    empty when the engine is not running (the caller shows null)."""

    def read(engine: Any) -> dict[str, tuple[int, int]]:
        last: Mapping[str, int] = engine.last_prices()
        return {
            s.symbol: (int(s.price_band_bps), int(last.get(s.symbol, 0))) for s in engine.markets()
        }

    try:
        bands: dict[str, tuple[int, int]] = await ctx.engine.query(read)
    except ServiceUnavailable:  # the engine is stopping or stopped: the book still shows
        return {}
    sent = {s.symbol: s.engine_price_ticks for s in prices.status()} if prices else {}
    return {
        symbol: None if not band else (last or sent.get(symbol) or None)
        for symbol, (band, last) in bands.items()
    }
