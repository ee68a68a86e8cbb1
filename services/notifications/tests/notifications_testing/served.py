"""The notification service on its own event loop in a background thread, for the
synchronous schemathesis driver (:class:`burency_testing.served.ServedOnThread`)."""

from __future__ import annotations

from burency_notifications.settings import NotificationsSettings
from burency_testing.served import ServedOnThread

from .harness import command, running_harness


class ServedNotifications(ServedOnThread):
    """The service with one registered user whose welcome notification has settled."""

    def __init__(self, settings: NotificationsSettings) -> None:
        super().__init__()
        self.settings = settings

    async def setup(self) -> None:
        self.running = running_harness(self.settings)
        self.harness = await self.running.__aenter__()
        self.client = self.harness.client
        self.user = await self.harness.register("fuzz@example.com")
        note = command("auth.welcome", [self.user])
        await self.harness.bus.publish(note)
        await self.harness.settled(note.payload["notification_id"], 4)

    async def teardown(self) -> None:
        await self.running.__aexit__(None, None, None)

    def identity_headers(self) -> dict[str, str]:
        return self.harness.headers(self.user)
