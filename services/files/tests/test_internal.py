"""The internal API the users service calls: service identities only."""

from __future__ import annotations

from .files_testing.harness import Harness
from .files_testing.images import PDF


async def test_service_reads_metadata(harness: Harness) -> None:
    body = await harness.uploaded("alice", PDF, kind="kyc_document")
    response = await harness.client.get(
        f"/internal/v1/files/{body['id']}", headers=harness.service_headers()
    )
    assert response.status_code == 200
    assert response.json() == {
        "id": body["id"],
        "ownerId": "alice",
        "kind": "kyc_document",
        "originalName": body["originalName"],
        "contentType": "application/pdf",
        "size": len(PDF),
        "sha256": body["sha256"],
        "visibility": "private",
        "deleted": False,
    }
    await harness.client.delete(f"/v1/files/{body['id']}", headers=harness.headers("alice"))
    again = await harness.client.get(
        f"/internal/v1/files/{body['id']}", headers=harness.service_headers()
    )
    assert again.json()["deleted"] is True


async def test_unknown_file_is_file_not_found(harness: Harness) -> None:
    response = await harness.client.get(
        "/internal/v1/files/nope", headers=harness.service_headers()
    )
    assert (response.status_code, response.json()["code"]) == (404, "FILE_NOT_FOUND")


async def test_only_services_may_call(harness: Harness) -> None:
    body = await harness.uploaded("alice", PDF, kind="kyc_document")
    path = f"/internal/v1/files/{body['id']}"
    assert (await harness.client.get(path)).status_code == 401
    for headers in (
        harness.headers("alice"),
        harness.headers("root", "admin"),
        harness.headers("users", "service"),  # the role without a service: id
    ):
        response = await harness.client.get(path, headers=headers)
        assert (response.status_code, response.json()["code"]) == (403, "SERVICE_ONLY")
    forged = {"X-Burency-Identity": "e30.AAAA"}
    assert (await harness.client.get(path, headers=forged)).status_code == 401


async def test_access_url_for_a_reviewer_is_logged(harness: Harness) -> None:
    body = await harness.uploaded("alice", PDF, kind="proof_of_address", name="utility_bill.pdf")
    response = await harness.client.post(
        f"/internal/v1/files/{body['id']}/access-url",
        json={"actorId": "rev-1", "actorRoles": ["compliance"], "reason": "KYC review 42"},
        headers=harness.service_headers("users"),
    )
    assert response.status_code == 200, response.text
    out = response.json()
    assert set(out) == {"url", "expiresAt", "contentType", "originalName"}
    assert (out["contentType"], out["originalName"]) == ("application/pdf", "utility_bill.pdf")
    assert (await harness.fetch(out["url"])).content == PDF

    log = await harness.client.get(
        f"/v1/admin/files/{body['id']}/access-log", headers=harness.headers("a", "admin")
    )
    entry = log.json()["items"][0]
    assert (entry["actorId"], entry["actorRoles"]) == ("rev-1", ["compliance"])
    assert entry["reason"] == "KYC review 42 (via service:users)"


async def test_access_url_for_an_unentitled_actor_is_not_found(harness: Harness) -> None:
    body = await harness.uploaded("alice", PDF, kind="kyc_document")
    response = await harness.client.post(
        f"/internal/v1/files/{body['id']}/access-url",
        json={"actorId": "bob", "actorRoles": ["user"], "reason": "curious"},
        headers=harness.service_headers(),
    )
    assert (response.status_code, response.json()["code"]) == (404, "FILE_NOT_FOUND")
    refused = await harness.client.post(
        f"/internal/v1/files/{body['id']}/access-url",
        json={"actorId": "rev-1", "actorRoles": ["compliance"], "reason": "x"},
        headers=harness.headers("rev-1", "compliance"),
    )
    assert refused.status_code == 403
