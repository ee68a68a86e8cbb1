"""argon2id password hashing, off the event loop.

argon2 is deliberately slow (tens of milliseconds, ~19 MiB of memory at the OWASP
minimum m=19456 KiB, t=2, p=1), so every call runs in a worker thread: a login must
not stall every other request of the process.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = ["Argon2Hasher"]


def _raw(password: str) -> bytes:
    """UTF-8 bytes; a lone surrogate (valid in JSON, not in UTF-8) must not crash a login."""
    return password.encode("utf-8", "surrogatepass")


class Argon2Hasher:
    """Hash, verify and decide rehashing with one set of argon2id parameters."""

    def __init__(self, *, time_cost: int, memory_cost_kib: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost_kib,
            parallelism=parallelism,
            type=Type.ID,
        )
        self._dummy: str | None = None

    @property
    def parameters(self) -> tuple[int, int, int]:
        h = self._hasher
        return (h.time_cost, h.memory_cost, h.parallelism)

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, _raw(password))

    async def verify(self, password_hash: str, password: str) -> bool:
        return await asyncio.to_thread(self._verify, password_hash, password)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, _raw(password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    async def dummy_verify(self, password: str) -> None:
        """Spend the time of a real verification (unknown e-mail: equalise timing)."""
        if self._dummy is None:
            self._dummy = await self.hash("burency-dummy-password-for-timing")
        await self.verify(self._dummy, password)

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True
