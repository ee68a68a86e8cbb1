"""Public stream names at the Socket.IO edge, in Binance's spelling.

``<symbol>@<stream>``: the market's symbol without its slash, lower case
(``btcaed``), then one of

* ``depth``, ``depth@100ms``, ``depth@1000ms``: order-book diffs (``depth`` is the
  1000 ms stream), each with first/last update ids ``U``/``u``; subscribing sends a
  snapshot first;
* ``depth5``, ``depth10``, ``depth20`` (optionally ``@100ms`` / ``@1000ms``): the top
  N levels as a whole, no snapshot needed;
* ``trade``, ``aggTrade``, ``ticker``, ``miniTicker``, ``bookTicker``;
* ``kline_<interval>``, ``<interval>`` one of Binance's (``1m`` ... ``1M``).

The grammar is closed: anything else is refused before it names a room, so a client
cannot make the server keep rooms for arbitrary strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["KLINE_INTERVALS", "StreamName", "parse_stream"]

KLINE_INTERVALS = frozenset(
    {"1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w"}
    | {"1M"}
)
_SIMPLE = frozenset({"trade", "aggTrade", "ticker", "miniTicker", "bookTicker"})
_SPEEDS = frozenset({"100ms", "1000ms"})
_PARTIAL_LEVELS = frozenset({"5", "10", "20"})
_SYMBOL = re.compile(r"^[a-z0-9]{2,20}$")
_DEPTH = re.compile(r"^depth(?P<levels>\d{0,2})$")


@dataclass(frozen=True, slots=True)
class StreamName:
    """A valid stream name, taken apart."""

    name: str
    symbol: str  # lower case, as in the name: ``btcaed``
    kind: str  # ``depth``, ``trade``, ``kline_1m``, ...
    levels: int | None = None  # partial depth: 5, 10 or 20
    speed: str | None = None  # depth only: ``100ms`` or ``1000ms`` (``None``: 1000 ms)

    @property
    def is_diff_depth(self) -> bool:
        """A diff stream: a client needs a snapshot to apply it to."""
        return self.kind == "depth" and self.levels is None

    @property
    def market_symbol(self) -> str:
        """The REST API's spelling of the market: ``BTCAED``."""
        return self.symbol.upper()


def parse_stream(name: object) -> StreamName | None:
    """``name`` taken apart, or ``None`` if it is not a stream this edge serves."""
    if not isinstance(name, str) or len(name) > 64:
        return None
    parts = name.split("@")
    if len(parts) not in (2, 3) or not _SYMBOL.match(parts[0]):
        return None
    symbol, stream = parts[0], parts[1]
    speed = parts[2] if len(parts) == 3 else None
    depth = _DEPTH.match(stream)
    if depth is not None:
        levels = depth.group("levels")
        if (levels and levels not in _PARTIAL_LEVELS) or (
            speed is not None and speed not in _SPEEDS
        ):
            return None
        return StreamName(name, symbol, "depth", int(levels) if levels else None, speed)
    if speed is not None:
        return None
    if stream in _SIMPLE:
        return StreamName(name, symbol, stream)
    if stream.startswith("kline_") and stream[len("kline_") :] in KLINE_INTERVALS:
        return StreamName(name, symbol, stream)
    return None
