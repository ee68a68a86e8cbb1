"""A role taken away bites at once, even in the second the token was issued (issue #13 #4).

Revocation "every token of user X issued before T" used to compare whole seconds, so a
token issued earlier in T's own second survived it. Auth's clock is pinned here so the
token, the revocation and the fresh token fall in one second, in that order; requests
go through the embedded platform's gateway over a real socket (uvicorn on 127.0.0.1).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from burency_auth.service import bootstrap
from burency_common.timeutil import ManualClock
from burency_platform.embedded import build_platform
from burency_platform.settings import PlatformSettings
from burency_testing.waiting import eventually

from .test_live_notifications import PASSWORD, serving
from .test_live_sessions import claims_of, login, register


async def test_a_role_revoked_in_the_tokens_own_second_takes_effect(
    tmp_path: Path, settings_factory: Any
) -> None:
    platform = build_platform(settings_factory(PlatformSettings, data_dir=tmp_path / "var"))
    async with serving(platform) as url, httpx.AsyncClient(base_url=url) as http:
        ctx = platform.auth.context
        await bootstrap.create_admin(ctx, email="ops@example.com", password=PASSWORD)
        admin = await login(http, "ops@example.com")
        nadia = await register(http, "nadia@example.com")
        granted = await http.post(
            f"/api/auth/v1/admin/users/{nadia.user_id}/roles",
            json={"role": "support"},
            headers=admin.bearer,
        )
        assert granted.status_code == 200, granted.text

        second = datetime.now(UTC).replace(microsecond=0)
        clock = ManualClock(second + timedelta(milliseconds=100))
        ctx.clock = clock
        issued = await login(http, "nadia@example.com")  # at .100
        assert "support" in claims_of(issued.access)["roles"]
        clock.set(second + timedelta(milliseconds=400))
        revoked = await http.delete(  # cut-off at .400, the same second
            f"/api/auth/v1/admin/users/{nadia.user_id}/roles/support", headers=admin.bearer
        )
        assert revoked.status_code == 200, revoked.text

        async def refused() -> bool:
            answer = await http.get("/api/auth/v1/sessions", headers=issued.bearer)
            return answer.status_code == 401 and answer.json()["code"] == "TOKEN_REVOKED"

        await eventually(refused, "the support token to be refused", timeout=15)

        at_cutoff = await login(http, "nadia@example.com")  # issued at the cut-off instant
        clock.set(second + timedelta(milliseconds=700))
        refreshed = await http.post(
            "/api/auth/v1/token/refresh", json={"refreshToken": issued.refresh}
        )
        assert refreshed.status_code == 200, refreshed.text
        after = refreshed.json()["accessToken"]
        for token in (at_cutoff.access, after):
            assert claims_of(token)["iat"] == claims_of(issued.access)["iat"]  # one second
            assert "support" not in claims_of(token)["roles"]
            ok = await http.get(
                "/api/auth/v1/sessions", headers={"Authorization": f"Bearer {token}"}
            )
            assert ok.status_code == 200, ok.text
