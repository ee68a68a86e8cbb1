"""Market data derived from the engine's events (pure: no I/O, no clock).

:mod:`.book` (L2 books), :mod:`.diffs` (depth diffs with ``U``/``u``/``pu``),
:mod:`.candles` (klines and recent trades), :mod:`.ticker` (24 h rolling tickers),
:mod:`.prime` (the state to start from, read from the engine). docs/trading/marketdata.md
tells the streams built on them.
"""
