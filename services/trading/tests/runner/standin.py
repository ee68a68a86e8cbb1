"""A stand-in engine for the runner's tests: deterministic, order-sensitive state (a hash
chain over every command, seq and ts), a gate that can hold the engine thread inside
``apply``, and commands it can be told to fail on."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence

import msgspec

from burency_trading.domain.model import Command, Event, TransferIn
from burency_trading.service.ports import CommandResult

_ENCODER = msgspec.msgpack.Encoder()


class Gate:
    """Holds the engine thread in ``apply`` while closed; counts arrivals."""

    def __init__(self) -> None:
        self._open = threading.Event()
        self._open.set()
        self.waiting = threading.Event()

    def close(self) -> None:
        self._open.clear()

    def open(self) -> None:
        self._open.set()

    def pass_through(self) -> None:
        if not self._open.is_set():
            self.waiting.set()
            self._open.wait(30)


class StandInEngine:
    def __init__(
        self, gate: Gate | None = None, fail_transfer_ids: frozenset[str] = frozenset()
    ) -> None:
        self.gate = gate
        self.fail_transfer_ids = fail_transfer_ids
        self.chain = b"\0" * 32
        self.last_seq = 0
        self.applied = 0

    def apply(self, command: Command, *, seq: int, ts: int) -> Sequence[Event]:
        if self.gate is not None:
            self.gate.pass_through()
        if seq != self.last_seq + 1:
            raise AssertionError(f"seq {seq} after {self.last_seq}")
        self.chain = hashlib.sha256(self.chain + _ENCODER.encode((seq, ts, command))).digest()
        self.last_seq = seq
        self.applied += 1
        if isinstance(command, TransferIn) and command.transfer_id in self.fail_transfer_ids:
            raise RuntimeError("the stand-in engine was told to fail")
        return []

    def snapshot(self) -> bytes:
        return _ENCODER.encode((self.last_seq, self.chain))

    @classmethod
    def restore(cls, data: bytes) -> StandInEngine:
        engine = cls()
        engine.last_seq, engine.chain = msgspec.msgpack.decode(data, type=tuple[int, bytes])
        return engine

    def state_hash(self) -> str:
        return self.chain.hex()


def transfer(n: int, user: str = "u1") -> TransferIn:
    return TransferIn(transfer_id=f"t{n}", user_id=user, asset="AED", amount=n + 1)


class CountingFsync:
    """An ``os.fsync`` that counts its calls (injected, not monkeypatched) and can be
    held closed to show that nothing is acknowledged before the fsync returns."""

    def __init__(self) -> None:
        import os

        self._fsync = os.fsync
        self.calls = 0
        self.gate = Gate()

    def __call__(self, fd: int) -> None:
        self.gate.pass_through()
        self.calls += 1
        self._fsync(fd)


class RecordingSink:
    """An event sink that remembers every seq it handled (and can be made to fail)."""

    def __init__(self, name: str = "recording", last: int = 0) -> None:
        self.name = name
        self.last = last
        self.seen: list[int] = []
        self.calls = 0
        self.fail_times = 0

    async def last_seq(self) -> int:
        return self.last

    async def handle(self, results: Sequence[CommandResult]) -> None:
        self.calls += 1
        if self.fail_times > 0:
            self.fail_times -= 1
            raise RuntimeError("sink down")
        for result in results:
            if result.seq > self.last:  # idempotent by seq
                self.seen.append(result.seq)
                self.last = result.seq
