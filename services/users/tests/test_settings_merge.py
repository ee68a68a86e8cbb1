"""``PATCH /v1/settings`` merges (RFC 7396) instead of replacing: two tabs that change
different preferences both keep theirs. On SQLite and real PostgreSQL, through the
service's HTTP API; the merge rule itself is property-tested."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from burency_users.domain.settings_merge import merge_patch
from burency_users.settings import UsersSettings

from .users_testing.harness import Harness, running_harness


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_harness(
    request: pytest.FixtureRequest,
    make_settings: Callable[..., UsersSettings],
    postgres_database_factory: Callable[..., str],
) -> AsyncIterator[Harness]:
    overrides: dict[str, Any] = {}
    if request.param == "postgres":
        overrides["database_url"] = postgres_database_factory()
    async with running_harness(make_settings(**overrides)) as h:
        yield h


async def test_patch_merges_keys_and_null_removes_one(db_harness: Harness) -> None:
    h = db_harness
    user = await h.register()
    start = {"theme": "dark", "chart": {"interval": "1h", "indicators": ["EMA"]}, "x": 1}
    await h.call("PUT", "/v1/settings", user, json=start)
    patch = {"chart": {"interval": "4h"}, "x": None, "lang": "ar"}
    response = await h.call("PATCH", "/v1/settings", user, json=patch)
    assert response.status_code == 200, response.text
    expected = {"theme": "dark", "chart": {"interval": "4h", "indicators": ["EMA"]}, "lang": "ar"}
    assert response.json() == expected
    assert (await h.call("GET", "/v1/settings", user)).json() == expected


async def test_parallel_patches_of_different_keys_both_stay(db_harness: Harness) -> None:
    h = db_harness
    user = await h.register()
    await h.call("PUT", "/v1/settings", user, json={"keep": True})
    answers = await asyncio.gather(
        *(h.call("PATCH", "/v1/settings", user, json={f"tab{i}": i}) for i in range(8))
    )
    assert [a.status_code for a in answers] == [200] * 8
    stored = (await h.call("GET", "/v1/settings", user)).json()
    assert stored == {"keep": True, **{f"tab{i}": i for i in range(8)}}


async def test_patch_is_checked_like_a_put(db_harness: Harness) -> None:
    h = db_harness
    user = await h.register()
    await h.call("PUT", "/v1/settings", user, json={"a": "x" * 5000})
    too_big = await h.call("PATCH", "/v1/settings", user, json={"b": "y" * 5000})
    assert (too_big.status_code, too_big.json()["code"]) == (413, "SETTINGS_TOO_LARGE")
    assert set((await h.call("GET", "/v1/settings", user)).json()) == {"a"}  # nothing written
    deep: dict[str, object] = {}
    for _ in range(20):
        deep = {"x": deep}
    too_deep = await h.call("PATCH", "/v1/settings", user, json=deep)
    assert (too_deep.status_code, too_deep.json()["code"]) == (422, "SETTINGS_TOO_DEEP")
    not_object = await h.call("PATCH", "/v1/settings", user, json=[1])
    assert not_object.status_code == 422
    nobody = await h.call("PATCH", "/v1/settings", "nobody", json={"a": 1})
    assert (nobody.status_code, nobody.json()["code"]) == (404, "PROFILE_NOT_FOUND")
    assert (await h.client.patch("/v1/settings", json={"a": 1})).status_code == 401


async def test_kyc_submissions_are_listed_oldest_first(harness: Harness) -> None:
    user = await harness.register()
    await harness.reach_level_1(user)
    second = (await harness.submit_level_2(user)).json()
    kyc = (await harness.call("GET", "/v1/kyc", user)).json()
    assert [s["level"] for s in kyc["submissions"]] == [1, 2]
    assert kyc["submissions"][-1]["id"] == second["id"]
    assert kyc["status"] == kyc["submissions"][-1]["status"] == "PENDING"


_keys = st.sampled_from(["a", "b", "c", "d"])
_leaf = st.one_of(st.integers(), st.text(max_size=3), st.booleans(), st.lists(st.integers()))
_json = st.recursive(
    _leaf, lambda children: st.dictionaries(_keys, children, max_size=4), max_leaves=12
)
_doc = st.dictionaries(_keys, _json, max_size=4)
_patch = st.recursive(
    st.one_of(_leaf, st.none()),
    lambda children: st.dictionaries(_keys, children, max_size=4),
    max_leaves=12,
)


@given(target=_doc, patch=st.dictionaries(_keys, _patch, max_size=4))
def test_merge_patch_laws(target: dict[str, Any], patch: dict[str, Any]) -> None:
    merged = merge_patch(target, patch)
    assert merge_patch(merged, patch) == merged  # applying a patch twice changes nothing
    for key, value in patch.items():
        if value is None:
            assert key not in merged
        elif not isinstance(value, dict):
            assert merged[key] == value
        else:
            assert isinstance(merged[key], dict)
    for key in set(target) - set(patch):
        assert merged[key] == target[key]  # keys the patch does not name are kept
    assert merge_patch(target, {}) == target
