"""Proving ownership of an e-mail address in tests, the way a user clicks the link.

The link's token goes only to the mailbox (never to the in-app feed), and tests have no
mailbox. So a test asks the auth service in the same process for a fresh verification
token, exactly what the link would carry, and posts it through the gateway as the
verify page does. Everything after that (the verification itself, the refreshed access
token with ``email_verified``) runs through the real HTTP path.
"""

from __future__ import annotations

from typing import Any

import httpx

from burency_auth.adapters import users_repo
from burency_auth.service.registration import issue_email_token
from burency_platform.embedded import Platform

__all__ = ["PlatformClient", "verify_email"]


class PlatformClient(httpx.AsyncClient):
    """An HTTP client of the embedded platform that also holds the platform itself."""

    def __init__(self, platform: Platform, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.platform = platform


async def verify_email(client: httpx.AsyncClient, email: str) -> None:
    """Verify ``email``'s address through ``POST /api/auth/v1/email-verification``."""
    assert isinstance(client, PlatformClient), "use PlatformClient for the platform fixture"
    ctx = client.platform.auth.context
    async with ctx.transaction() as db:
        user = await users_repo.get_user_by_email_key(db, email.strip().casefold())
        assert user is not None, f"{email} is not registered"
        token = await issue_email_token(ctx, db, user_id=user.id)
    response = await client.post("/api/auth/v1/email-verification", json={"token": token})
    assert response.status_code == 200, response.text
