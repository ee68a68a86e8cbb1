"""The closed grammar of public stream names (Binance's spelling)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from burency_gateway.realtime_names import KLINE_INTERVALS, parse_stream

SYMBOLS = st.from_regex(r"[a-z0-9]{2,20}", fullmatch=True)
STREAMS = st.sampled_from(
    ["depth", "depth@100ms", "depth@1000ms", "depth5", "depth10@100ms", "depth20@1000ms"]
    + ["trade", "aggTrade", "ticker", "miniTicker", "bookTicker"]
    + [f"kline_{i}" for i in sorted(KLINE_INTERVALS)]
)


@given(SYMBOLS, STREAMS)
def test_every_served_stream_parses_back_to_its_parts(symbol: str, stream: str) -> None:
    parsed = parse_stream(f"{symbol}@{stream}")
    assert parsed is not None
    assert parsed.name == f"{symbol}@{stream}"
    assert parsed.symbol == symbol
    assert parsed.market_symbol == symbol.upper()
    assert parsed.is_diff_depth == (stream.split("@", maxsplit=1)[0] == "depth")


@given(st.text(max_size=80))
def test_anything_else_is_refused_or_well_formed(text: str) -> None:
    parsed = parse_stream(text)
    if parsed is not None:  # a name it accepts is made of safe characters only
        assert parsed.name == text
        assert all(c.isascii() and (c.isalnum() or c in "@_") for c in text)


@pytest.mark.parametrize(
    "name",
    [
        "BTCAED@trade",  # the symbol is lower case
        "btcaed@depth@10ms",
        "btcaed@depth7",
        "btcaed@trade@100ms",  # a speed only for depth
        "btcaed@kline_7m",
        "btcaed@kline_",
        "btcaed@booktick",
        "b@trade",
        "btcaed",
        "btcaed@@trade",
        "../etc@trade",
        "btcaed@depth@100ms@x",
    ],
)
def test_refused_names(name: str) -> None:
    assert parse_stream(name) is None


def test_partial_depth_is_no_diff_stream() -> None:
    parsed = parse_stream("btcaed@depth20@100ms")
    assert parsed is not None
    assert (parsed.levels, parsed.speed, parsed.is_diff_depth) == (20, "100ms", False)
