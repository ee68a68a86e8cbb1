"""The banking service on its own event loop in a background thread (for schemathesis,
which drives tests synchronously), with a funded user who is also an admin."""

from __future__ import annotations

from burency_banking.settings import BankingSettings
from burency_testing.served import ServedOnThread

from .harness import Harness, running_harness

ADMIN_ID = "schemathesis-admin"


class ServedBanking(ServedOnThread):
    def __init__(self, settings: BankingSettings) -> None:
        super().__init__()
        self.settings = settings

    async def setup(self) -> None:
        self.running = running_harness(self.settings)
        self.harness: Harness = await self.running.__aenter__()
        self.client = self.harness.client
        await self.harness.register(ADMIN_ID, email="admin@example.com")
        await self.harness.register("someone-else", email="someone@example.com")
        for asset, amount in (("AED", 10**9), ("BTC", 10**10), ("USDT", 10**10)):
            await self.harness.deposit(ADMIN_ID, asset, amount)

    async def teardown(self) -> None:
        await self.running.__aexit__(None, None, None)

    def identity_headers(self) -> dict[str, str]:
        return self.harness.headers(ADMIN_ID, "admin")
