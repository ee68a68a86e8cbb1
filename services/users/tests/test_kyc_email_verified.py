"""KYC submissions need a verified e-mail address (issue 13, finding 5), checked by the
users service itself from the signed identity."""

from __future__ import annotations

from .users_testing.harness import Harness

SUBMISSIONS = "/v1/kyc/submissions"


async def test_an_unverified_address_cannot_submit_kyc(harness: Harness) -> None:
    user = await harness.register()
    await harness.complete_profile(user)
    unverified = harness.headers(user, email_verified=False)
    refused = await harness.client.post(SUBMISSIONS, json={"level": 1}, headers=unverified)
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "EMAIL_NOT_VERIFIED"
    kyc = await harness.client.get("/v1/kyc", headers=unverified)
    assert (kyc.status_code, kyc.json()["level"]) == (200, 0)  # reading stays open
    verified = await harness.client.post(
        SUBMISSIONS, json={"level": 1}, headers=harness.headers(user)
    )
    assert verified.status_code == 201, verified.text
