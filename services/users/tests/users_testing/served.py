"""The user service on its own event loop in a background thread (for schemathesis,
which drives tests synchronously), with an admin and a user at KYC level 2 pending."""

from __future__ import annotations

from burency_testing.served import ServedOnThread
from burency_users.settings import UsersSettings

from .harness import Harness, running_harness

ADMIN_ID = "schemathesis-admin"


class ServedUsers(ServedOnThread):
    def __init__(self, settings: UsersSettings) -> None:
        super().__init__()
        self.settings = settings

    async def setup(self) -> None:
        self.running = running_harness(self.settings)
        self.harness: Harness = await self.running.__aenter__()
        self.client = self.harness.client
        await self.harness.register(ADMIN_ID)
        await self.harness.register("someone-else")
        await self.harness.reach_level_1("someone-else")
        await self.harness.submit_level_2("someone-else")

    async def teardown(self) -> None:
        await self.running.__aexit__(None, None, None)

    def identity_headers(self) -> dict[str, str]:
        return self.harness.headers(ADMIN_ID, "admin")
