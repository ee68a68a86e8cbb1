"""Who may see what: owners, other users (404, never 403), compliance with
``files.read_private`` (logged), URL expiry, deletion and cleanup."""

from __future__ import annotations

from typing import Any

from burency_files.entrypoints.cli import main as cli_main
from burency_files.service.cleanup import purge_deleted

from .files_testing.harness import Harness
from .files_testing.images import PDF, png


async def test_another_user_cannot_touch_my_files(harness: Harness) -> None:
    mine = await harness.uploaded("alice", PDF, kind="kyc_document", name="id.pdf")
    other = harness.headers("mallory")
    file_id = mine["id"]
    for method, path in (
        ("GET", f"/v1/files/{file_id}"),
        ("GET", f"/v1/files/{file_id}/url"),
        ("DELETE", f"/v1/files/{file_id}"),
    ):
        response = await harness.client.request(method, path, headers=other)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["code"] == "FILE_NOT_FOUND"
    listing = await harness.client.get("/v1/files", headers=other)
    assert listing.json() == {"items": [], "nextCursor": None}
    still = await harness.client.get(f"/v1/files/{file_id}", headers=harness.headers("alice"))
    assert still.status_code == 200


async def test_unknown_id_looks_like_someone_elses(harness: Harness) -> None:
    response = await harness.url_for("alice", "0190c1de-0000-7000-8000-000000000000")
    assert (response.status_code, response.json()["code"]) == (404, "FILE_NOT_FOUND")


async def test_private_url_expires(harness: Harness) -> None:
    body = await harness.uploaded("alice", PDF, kind="attachment", name="a.pdf")
    issued = (await harness.url_for("alice", body["id"])).json()
    assert (await harness.fetch(issued["url"])).status_code == 200
    harness.clock.advance(harness.component.settings.url_ttl_seconds + 1)
    expired = await harness.fetch(issued["url"])
    assert (expired.status_code, expired.json()["code"]) == (403, "INVALID_URL_SIGNATURE")


async def test_private_objects_need_a_signature(harness: Harness) -> None:
    body = await harness.uploaded("alice", PDF, kind="attachment", name="a.pdf")
    issued = (await harness.url_for("alice", body["id"])).json()["url"]
    unsigned = issued.split("?")[0]
    assert (await harness.fetch(unsigned)).status_code == 403
    forged = issued.replace("signature=", "signature=0")
    assert (await harness.fetch(forged)).status_code == 403
    other_name = issued.replace("name=a.pdf", "name=evil.exe")
    assert (await harness.fetch(other_name)).status_code == 403


async def test_compliance_gets_a_kyc_url_and_it_is_logged(harness: Harness) -> None:
    body = await harness.uploaded("alice", PDF, kind="kyc_selfie", name="selfie.pdf")
    support = await harness.url_for("sam", body["id"], "support")
    assert support.status_code == 404  # support lacks files.read_private
    response = await harness.client.get(
        f"/v1/files/{body['id']}/url",
        headers={**harness.headers("carol", "compliance"), "X-Forwarded-For": "203.0.113.9"},
    )
    assert response.status_code == 200
    assert (await harness.fetch(response.json()["url"])).content == PDF

    log = await harness.client.get(
        f"/v1/admin/files/{body['id']}/access-log", headers=harness.headers("audrey", "support")
    )
    assert log.status_code == 200
    entries: list[dict[str, Any]] = log.json()["items"]
    latest = entries[0]
    assert (latest["actorId"], latest["actorRoles"], latest["action"]) == (
        "carol",
        ["compliance"],
        "url",
    )
    assert latest["ip"] == "203.0.113.9"
    assert latest["requestId"]
    assert [e["action"] for e in entries][-1] == "upload"


async def test_api_keys_never_carry_staff_permissions(harness: Harness) -> None:
    body = await harness.uploaded("alice", PDF, kind="kyc_document")
    headers = harness.headers("carol", "compliance", auth_method="api_key")
    response = await harness.client.get(f"/v1/files/{body['id']}/url", headers=headers)
    assert response.status_code == 404


async def test_access_log_needs_audit_read(harness: Harness) -> None:
    body = await harness.uploaded("alice", PDF, kind="kyc_document")
    response = await harness.client.get(
        f"/v1/admin/files/{body['id']}/access-log", headers=harness.headers("alice")
    )
    assert response.status_code == 403


async def test_non_kyc_access_is_not_logged(harness: Harness) -> None:
    body = await harness.uploaded("alice", png(), kind="avatar")
    await harness.url_for("alice", body["id"])
    log = await harness.client.get(
        f"/v1/admin/files/{body['id']}/access-log", headers=harness.headers("a", "admin")
    )
    assert log.json()["items"] == []


async def test_listing_is_paged_and_deleted_files_vanish(harness: Harness) -> None:
    ids = [(await harness.uploaded("alice", PDF, kind="attachment"))["id"] for _ in range(3)]
    headers = harness.headers("alice")
    first = (await harness.client.get("/v1/files?limit=2", headers=headers)).json()
    assert [f["id"] for f in first["items"]] == ids[::-1][:2]
    second = await harness.client.get(f"/v1/files?cursor={first['nextCursor']}", headers=headers)
    assert [f["id"] for f in second.json()["items"]] == [ids[0]]
    assert second.json()["nextCursor"] is None

    deleted = await harness.client.delete(f"/v1/files/{ids[0]}", headers=headers)
    assert deleted.status_code == 204
    assert (await harness.client.get(f"/v1/files/{ids[0]}", headers=headers)).status_code == 404
    assert (await harness.client.delete(f"/v1/files/{ids[0]}", headers=headers)).status_code == 404
    remaining = (await harness.client.get("/v1/files", headers=headers)).json()["items"]
    assert len(remaining) == 2


async def test_cleanup_deletes_objects_of_deleted_files(harness: Harness) -> None:
    body = await harness.uploaded("alice", png(), kind="avatar")
    root = harness.component.settings.local_storage_dir
    assert len([p for p in root.rglob("*") if p.is_file()]) == 2  # image and thumbnail
    await harness.client.delete(f"/v1/files/{body['id']}", headers=harness.headers("alice"))
    assert await purge_deleted(harness.component.context) == 1
    assert [p for p in root.rglob("*") if p.is_file()] == []
    assert await purge_deleted(harness.component.context) == 0
    assert (await harness.fetch(body["publicUrl"])).status_code == 404


def test_cleanup_cli(tmp_path: Any, monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.setenv("BURENCY_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("BURENCY_LOCAL_STORAGE_DIR", str(tmp_path / "objects"))
    assert cli_main(["cleanup"]) == 0
    assert "purged 0 file(s)" in capsys.readouterr().out
