"""The fast path (fastpath.py) and the general path must agree to the byte: the same
seeded stream through an engine whose fast paths always decline gives the same events
and the same state hash."""

from __future__ import annotations

import msgspec
import pytest

from burency_testing.trading_workload import workload
from burency_trading.domain import engine as engine_module
from burency_trading.domain.engine import Engine

_ENCODER = msgspec.msgpack.Encoder()


def _run(commands: list[object]) -> tuple[list[bytes], str]:
    engine = Engine()
    streams = [
        _ENCODER.encode(engine.apply(c, seq, seq * 7))  # type: ignore[arg-type]
        for seq, c in enumerate(commands, 1)
    ]
    return streams, engine.state_hash()


def test_the_fast_path_and_the_general_path_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    commands: list[object] = list(workload(seed=7, count=40_000))
    fast_streams, fast_hash = _run(commands)
    monkeypatch.setattr(engine_module, "fast_limit", lambda *args: False)
    monkeypatch.setattr(engine_module, "fast_cancel", lambda *args: False)
    slow_streams, slow_hash = _run(commands)
    assert slow_hash == fast_hash
    for seq, (fast, slow) in enumerate(zip(fast_streams, slow_streams, strict=True), 1):
        assert fast == slow, (seq, commands[seq - 1])
