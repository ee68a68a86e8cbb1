"""The cut-off auth announces is as exact as the issue time it puts in tokens (#13 finding 4).

A role revocation's ``issued_before`` and every access token's ``iat_us`` come from the
same clock, to the microsecond: a token issued earlier in the revocation's own second
lies before the cut-off, a token issued at or after it does not. (The gateway compares
the two exactly; see services/gateway/tests/test_security_revocation.py.)
"""

from __future__ import annotations

from datetime import timedelta

from burency_common.events.auth import AUTH_TOKENS_REVOKED, TokensRevoked
from burency_common.timeutil import parse_iso

from .auth_testing.harness import Harness


async def test_role_revocation_cutoff_and_token_issue_times_are_exact(harness: Harness) -> None:
    created = await harness.component.ensure_demo_admin()
    assert created is not None
    admin = harness.headers_for(await harness.signed_in(*created))
    user_id = await harness.register("sup@example.com")
    granted = await harness.client.post(
        f"/v1/admin/users/{user_id}/roles", json={"role": "support"}, headers=admin
    )
    assert granted.status_code == 200

    harness.clock.advance(timedelta(microseconds=100_001))
    before = harness.verify((await harness.signed_in("sup@example.com"))["accessToken"])
    harness.clock.advance(timedelta(microseconds=300_003))
    revoked = await harness.client.delete(f"/v1/admin/users/{user_id}/roles/support", headers=admin)
    assert revoked.status_code == 200
    cutoff_at = harness.clock.now()
    harness.clock.advance(timedelta(microseconds=1))
    after = harness.verify((await harness.signed_in("sup@example.com"))["accessToken"])

    [envelope] = await harness.published(AUTH_TOKENS_REVOKED, user_id=user_id)
    event = TokensRevoked.model_validate(envelope.payload)
    assert event.issued_before is not None
    assert parse_iso(envelope.payload["issued_before"]) == cutoff_at  # microseconds survive
    assert event.issued_before == cutoff_at
    assert before.claims["iat"] == after.claims["iat"] == int(cutoff_at.timestamp())
    assert before.issued_at < event.issued_before <= after.issued_at
