"""An admin made with ``create-admin`` is announced like a registration (issue #14).

The operator runs the command against the platform's auth database while the platform
is down, then starts it. The admin's ``user.registered`` must wait in the auth outbox
and reach the other services: the notification service then knows the address, and
the admin's password-reset e-mail (a security e-mail) lands in the mailbox instead of
failing with ``recipient_unknown``. Everything after the command goes through the
gateway, as an outsider sends it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import select

from burency_auth.entrypoints import cli
from burency_notifications.adapters.orm import recipients
from burency_platform.components import embedded_auth
from burency_platform.embedded import build_platform
from burency_platform.settings import PlatformSettings
from burency_testing.waiting import eventually

EMAIL = "ops@example.com"
PASSWORD = "a perfectly long admin pass phrase"
RESET_LINK = re.compile(r"/reset-password\?token=[A-Za-z0-9_-]+")


def reset_mails(mail_dir: Path) -> list[Path]:
    found = sorted(mail_dir.glob("*.eml")) if mail_dir.exists() else []
    return [p for p in found if RESET_LINK.search(p.read_text(errors="replace"))]


async def test_create_admin_reaches_notifications_and_users(
    tmp_path: Path, settings_factory: Any
) -> None:
    settings = settings_factory(PlatformSettings, data_dir=tmp_path / "var")
    settings.data_dir.mkdir(mode=0o700, parents=True)
    # the operator's command, on the database the platform will use
    auth_settings = embedded_auth(settings, b"i" * 32).settings
    admin_id = await cli._create_admin(auth_settings, EMAIL, PASSWORD)

    built = build_platform(settings)
    async with LifespanManager(built) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://burency") as http:
            asked = await http.post("/api/auth/v1/password-reset", json={"email": EMAIL})
            assert asked.status_code == 202, asked.text

            async def mailed() -> bool:
                return len(reset_mails(settings.data_dir / "mail")) == 1

            await eventually(mailed, "the admin's password-reset e-mail")

            login = await http.post(
                "/api/auth/v1/login", json={"email": EMAIL, "password": PASSWORD}
            )
            assert login.status_code == 200, login.text
            token = login.json()["accessToken"]

            async def has_profile() -> bool:
                profile = await http.get(
                    "/api/users/v1/profile", headers={"Authorization": f"Bearer {token}"}
                )
                return profile.status_code == 200 and profile.json()["email"] == EMAIL

            await eventually(has_profile, "the users service to know the admin")

        notifications = next(c for c in built.components if c.name == "notifications")
        async with notifications.context.transaction() as db:
            known = (
                await db.execute(select(recipients.c.email).where(recipients.c.user_id == admin_id))
            ).scalar_one()
        assert known == EMAIL
