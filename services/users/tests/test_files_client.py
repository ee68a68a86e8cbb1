"""The files client against failure modes: unreachable, misconfigured, odd answers."""

from __future__ import annotations

import secrets
from collections.abc import Callable

import httpx
import pytest

from burency_users.adapters.files_client import FilesClient
from burency_users.component import build_component
from burency_users.domain.errors import FilesUnavailable
from burency_users.settings import UsersSettings

from .users_testing.fake_files import FakeFiles

SECRET = secrets.token_bytes(32)


async def test_contract_round_trip() -> None:
    fake = FakeFiles(SECRET)
    file_id = fake.add("u1", "kyc_selfie")
    async with fake.client() as http:
        client = FilesClient(http, identity_secret=SECRET)
        info = await client.get_file(file_id)
        assert info is not None
        assert (info.owner_id, info.kind, info.deleted) == ("u1", "kyc_selfie", False)
        assert await client.get_file("missing") is None
        assert await client.get_file("../../etc/passwd") is None  # never sent
        link = await client.access_url(file_id, actor_id="r1", actor_roles=["x"], reason="why")
        assert link is not None
        assert link.url.startswith("https://files.test/")
    assert fake.access_requests == [
        {"fileId": file_id, "actorId": "r1", "actorRoles": ["x"], "reason": "why"}
    ]


async def test_wrong_secret_is_refused_by_the_files_service() -> None:
    fake = FakeFiles(SECRET)
    async with fake.client() as http:
        client = FilesClient(http, identity_secret=secrets.token_bytes(32))
        with pytest.raises(FilesUnavailable):
            await client.get_file(fake.add("u1", "avatar"))


async def test_unreachable_and_unconfigured_are_files_unavailable() -> None:
    client = FilesClient.from_url("http://127.0.0.1:9", identity_secret=SECRET, timeout=1.0)
    try:
        with pytest.raises(FilesUnavailable) as caught:
            await client.get_file("abc")
        assert caught.value.code == "FILES_UNAVAILABLE"
    finally:
        await client.aclose()
    with pytest.raises(FilesUnavailable):
        await FilesClient(None, identity_secret=SECRET).get_file("abc")


async def test_malformed_answer_is_files_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"unexpected": True})

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="http://files")
    async with http:
        with pytest.raises(FilesUnavailable):
            await FilesClient(http, identity_secret=SECRET).get_file("abc")


def test_settings_distributed_mode_needs_secret_and_files_url(
    settings_factory: Callable[..., UsersSettings],
) -> None:
    with pytest.raises(ValueError, match="BURENCY_IDENTITY_SECRET, BURENCY_FILES_URL"):
        settings_factory(UsersSettings, mode="distributed")
    settings = settings_factory(
        UsersSettings, mode="distributed", identity_secret="s" * 32, files_url="http://files:8000"
    )
    component = build_component(settings)  # builds without connecting to anything
    assert component.name == "users"
    with pytest.raises(ValueError, match="at least 32"):
        settings_factory(UsersSettings, identity_secret="short")
