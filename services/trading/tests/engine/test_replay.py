"""Determinism: 200,000 seeded commands; snapshot at 100,000; restore + replay of the rest
gives the uninterrupted run's state hash, and two runs give identical event streams."""

from __future__ import annotations

import hashlib

import msgspec

from burency_testing.trading_workload import workload
from burency_trading.domain.engine import Engine
from burency_trading.domain.model import Command, Event

TOTAL = 200_000
MIDDLE = 100_000
_EVENTS = msgspec.msgpack.Encoder()


def _run(engine: Engine, commands: list[Command], first_seq: int) -> str:
    """Apply the commands; return a digest of every event (a stream fingerprint)."""
    digest = hashlib.sha256()
    apply = engine.apply
    for seq, command in enumerate(commands, first_seq):
        events: list[Event] = apply(command, seq, 1_700_000_000_000_000 + seq * 10)
        digest.update(_EVENTS.encode(events))
    return digest.hexdigest()


def test_snapshot_in_the_middle_plus_replay_gives_the_same_state_hash() -> None:
    commands = workload(seed=15, count=TOTAL)
    first, rest = commands[:MIDDLE], commands[MIDDLE:]

    straight = Engine()
    stream_a = _run(straight, first, 1)
    snapshot = straight.snapshot()
    stream_a += _run(straight, rest, MIDDLE + 1)

    resumed = Engine.restore(snapshot)
    assert resumed.last_seq == MIDDLE
    assert resumed.snapshot() == snapshot
    _run(resumed, rest, MIDDLE + 1)
    assert resumed.state_hash() == straight.state_hash()
    assert resumed.totals() == resumed.net_transferred() == straight.totals()

    again = Engine()
    stream_b = _run(again, first, 1) + _run(again, rest, MIDDLE + 1)
    assert stream_b == stream_a
    assert again.state_hash() == straight.state_hash()
