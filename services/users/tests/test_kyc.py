"""KYC: level rules, document checks with the files service, the review queue and events."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from burency_common.events import SEND_NOTIFICATION
from burency_common.events.kyc import KYC_STATUS_CHANGED

from .users_testing.harness import Harness

REVIEWER = ("reviewer-1", "compliance")
SUBMISSIONS = "/v1/kyc/submissions"
QUEUE = "/v1/admin/kyc/submissions"


async def _decide(h: Harness, submission_id: str, verdict: str, **body: Any) -> Any:
    path = f"{QUEUE}/{submission_id}/{verdict}"
    return await h.call("POST", path, *REVIEWER, json=body or None)


async def test_level_1_needs_a_complete_profile_and_is_auto_approved(harness: Harness) -> None:
    user = await harness.register()
    incomplete = await harness.call("POST", SUBMISSIONS, user, json={"level": 1})
    assert (incomplete.status_code, incomplete.json()["code"]) == (422, "PROFILE_INCOMPLETE")
    assert "firstName" in {e["field"] for e in incomplete.json()["errors"]}
    await harness.complete_profile(user)
    response = await harness.call("POST", SUBMISSIONS, user, json={"level": 1})
    assert response.status_code == 201, response.text
    assert (response.json()["status"], response.json()["decidedBy"]) == ("APPROVED", "system")
    kyc = (await harness.call("GET", "/v1/kyc", user)).json()
    assert (kyc["level"], kyc["status"], len(kyc["submissions"])) == (1, "APPROVED", 1)
    events = await harness.published(KYC_STATUS_CHANGED, user_id=user)
    assert [e.payload["status"] for e in events] == ["SUBMITTED", "APPROVED"]
    again = await harness.call("POST", SUBMISSIONS, user, json={"level": 1})
    assert again.json()["code"] == "KYC_LEVEL_ALREADY_REACHED"


async def test_levels_must_be_taken_in_order(harness: Harness) -> None:
    user = await harness.register()
    response = await harness.submit_level_2(user)
    assert (response.status_code, response.json()["code"]) == (409, "KYC_PREVIOUS_LEVEL_REQUIRED")
    proof = harness.files.add(user, "proof_of_address")
    response = await harness.call(
        "POST", SUBMISSIONS, user, json={"level": 3, "documents": {"proofOfAddress": proof}}
    )
    assert response.json()["code"] == "KYC_PREVIOUS_LEVEL_REQUIRED"


async def test_documents_are_checked_with_the_files_service(harness: Harness) -> None:
    user, other = await harness.register(), await harness.register()
    await harness.reach_level_1(user)
    mine = harness.files.add
    cases = {
        "documentFront": {"documentFront": mine(other, "kyc_document")},
        "documentBack": {"documentBack": mine(user, "kyc_selfie")},
        "selfie": {"selfie": mine(user, "kyc_selfie", deleted=True)},
    }
    for field, override in cases.items():
        documents = {
            "documentFront": mine(user, "kyc_document"),
            "documentBack": mine(user, "kyc_document"),
            "selfie": mine(user, "kyc_selfie"),
            **override,
        }
        body = {"level": 2, "documents": documents}
        response = await harness.call("POST", SUBMISSIONS, user, json=body)
        assert (response.status_code, response.json()["code"]) == (422, "INVALID_KYC_DOCUMENT")
        assert [e["field"] for e in response.json()["errors"]] == [f"documents.{field}"]
    missing = await harness.call("POST", SUBMISSIONS, user, json={"level": 2, "documents": {}})
    assert {e["field"] for e in missing.json()["errors"]} == {
        "documents.documentFront",
        "documents.documentBack",
        "documents.selfie",
    }
    assert (await harness.call("GET", "/v1/kyc", user)).json()["level"] == 1


async def test_one_pending_submission_per_user(harness: Harness) -> None:
    user = await harness.register()
    await harness.reach_level_1(user)
    first, second = await asyncio.gather(harness.submit_level_2(user), harness.submit_level_2(user))
    codes = sorted([first.status_code, second.status_code])
    assert codes == [201, 409]
    loser = first if first.status_code == 409 else second
    assert loser.json()["code"] == "KYC_SUBMISSION_PENDING"


async def test_review_approve_flow_with_links_events_and_audit(harness: Harness) -> None:
    user = await harness.register()
    await harness.reach_level_1(user)
    submitted = await harness.submit_level_2(user)
    assert (submitted.status_code, submitted.json()["status"]) == (201, "PENDING")
    sub_id = submitted.json()["id"]
    queue = (await harness.call("GET", f"{QUEUE}?status=PENDING&level=2", *REVIEWER)).json()
    assert [s["id"] for s in queue["items"]] == [sub_id]
    detail = await harness.call("GET", f"{QUEUE}/{sub_id}", *REVIEWER)
    assert detail.status_code == 200, detail.text
    links = detail.json()["links"]
    assert {link["field"] for link in links} == {"documentFront", "documentBack", "selfie"}
    assert all(link["url"].startswith("https://files.test/") for link in links)
    assert all((link["contentType"], link["originalName"]) == ("image/png", "scan.png")
               for link in links)  # fmt: skip
    assert {r["actorId"] for r in harness.files.access_requests} == {"reviewer-1"}
    approved = await _decide(harness, sub_id, "approve")
    assert (approved.status_code, approved.json()["status"]) == (200, "APPROVED")
    assert (await harness.call("GET", "/v1/kyc", user)).json()["level"] == 2
    events = await harness.published(KYC_STATUS_CHANGED, user_id=user, submission_id=sub_id)
    assert [(e.payload["status"], e.payload["level"], e.payload["previous_level"])
            for e in events] == [("SUBMITTED", 1, 1), ("APPROVED", 2, 1)]  # fmt: skip
    assert events[-1].payload["decided_by"] == "reviewer-1"
    notes = await harness.published(SEND_NOTIFICATION, event="kyc.approved")
    assert any(user in n.payload["user_ids"] and n.payload["data"]["level"] == 2 for n in notes)
    again = await _decide(harness, sub_id, "reject", reason="too late")
    assert (again.status_code, again.json()["code"]) == (409, "KYC_ALREADY_DECIDED")
    audit = (await harness.call("GET", "/v1/admin/audit-log", *REVIEWER)).json()["items"]
    assert {"kyc.view", "kyc.approve"} <= {a["action"] for a in audit}


async def test_reject_then_resubmit_keeps_history(harness: Harness) -> None:
    user = await harness.register()
    await harness.reach_level_1(user)
    sub_id = (await harness.submit_level_2(user)).json()["id"]
    short = await _decide(harness, sub_id, "reject", reason="no")
    assert short.status_code == 422
    rejected = await _decide(harness, sub_id, "reject", reason="document is blurry")
    assert (rejected.json()["status"], rejected.json()["reason"]) == (
        "REJECTED",
        "document is blurry",
    )
    events = await harness.published(KYC_STATUS_CHANGED, user_id=user, status="REJECTED")
    assert events[0].payload["reason"] == "document is blurry"
    notes = await harness.published(SEND_NOTIFICATION, event="kyc.rejected")
    assert any(n.payload["data"]["reason"] == "document is blurry" for n in notes)
    resubmitted = await harness.submit_level_2(user)
    assert resubmitted.status_code == 201
    kyc = (await harness.call("GET", "/v1/kyc", user)).json()
    assert (kyc["level"], kyc["status"]) == (1, "PENDING")
    assert [s["status"] for s in kyc["submissions"]] == ["APPROVED", "REJECTED", "PENDING"]


async def test_level_3_after_level_2(harness: Harness) -> None:
    user = await harness.register()
    await harness.reach_level_1(user)
    await _decide(harness, (await harness.submit_level_2(user)).json()["id"], "approve")
    wrong = harness.files.add(user, "kyc_document")
    response = await harness.call(
        "POST", SUBMISSIONS, user, json={"level": 3, "documents": {"proofOfAddress": wrong}}
    )
    assert response.json()["code"] == "INVALID_KYC_DOCUMENT"
    proof = harness.files.add(user, "proof_of_address")
    response = await harness.call(
        "POST", SUBMISSIONS, user, json={"level": 3, "documents": {"proofOfAddress": proof}}
    )
    assert response.status_code == 201
    await _decide(harness, response.json()["id"], "approve")
    assert (await harness.call("GET", "/v1/kyc", user)).json()["level"] == 3


async def test_reviewer_cannot_decide_own_submission(harness: Harness) -> None:
    reviewer = await harness.register("reviewer-1")
    await harness.reach_level_1(reviewer)
    sub_id = (await harness.submit_level_2(reviewer)).json()["id"]
    response = await _decide(harness, sub_id, "approve")
    assert (response.status_code, response.json()["code"]) == (409, "CANNOT_REVIEW_SELF")


@pytest.mark.parametrize("roles", [("user",), ("support",)])
async def test_review_needs_kyc_review_permission(harness: Harness, roles: tuple[str]) -> None:
    user = await harness.register()
    await harness.reach_level_1(user)
    sub_id = (await harness.submit_level_2(user)).json()["id"]
    for method, path in [
        ("GET", QUEUE),
        ("GET", f"{QUEUE}/{sub_id}"),
        ("POST", f"{QUEUE}/{sub_id}/approve"),
    ]:
        response = await harness.call(method, path, "someone", *roles)
        assert response.status_code == 403, (method, path)


async def test_unknown_submission_is_404(harness: Harness) -> None:
    response = await _decide(harness, "nope", "approve")
    assert (response.status_code, response.json()["code"]) == (404, "KYC_SUBMISSION_NOT_FOUND")


async def test_verified_fields_are_locked_for_the_user_but_not_for_staff(
    harness: Harness,
) -> None:
    user = await harness.register()
    await harness.reach_level_1(user)
    await _decide(harness, (await harness.submit_level_2(user)).json()["id"], "approve")
    changed = await harness.call("PATCH", "/v1/profile", user, json={"lastName": "Other"})
    assert (changed.status_code, changed.json()["code"]) == (409, "PROFILE_FIELDS_LOCKED")
    assert changed.json()["errors"][0]["field"] == "lastName"
    same = await harness.call("PATCH", "/v1/profile", user, json={"lastName": "Haddad"})
    assert same.status_code == 200
    moved = await harness.call("PATCH", "/v1/profile", user, json={"address": None})
    assert moved.status_code == 200, "the address is locked only from level 3"
    staff = await harness.call(
        "PATCH", f"/v1/admin/users/{user}/profile", "admin-1", "admin", json={"lastName": "Other"}
    )
    assert (staff.status_code, staff.json()["lastName"]) == (200, "Other")
