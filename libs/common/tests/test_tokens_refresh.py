"""Opaque refresh tokens: minting, parsing, hash comparison, and the family model."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import pytest

from burency_common.tokens import (
    RefreshTokenMaterial,
    TokenMalformed,
    TokenRevoked,
    hash_refresh_secret,
    new_refresh_token,
    parse_refresh_token,
    refresh_secret_matches,
)


def test_new_refresh_token_shape() -> None:
    material = new_refresh_token()
    token_id, secret = material.token.split(".")
    assert token_id == material.token_id
    assert uuid.UUID(token_id).version == 4
    assert uuid.UUID(material.family_id).version == 4
    assert len(secret) == 43  # 32 bytes, unpadded base64url
    assert material.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in material.secret_hash
    assert secret not in repr(material)
    assert material.token not in repr(material)


def test_family_is_kept_and_tokens_are_unique() -> None:
    first = new_refresh_token()
    rotated = [new_refresh_token(first.family_id) for _ in range(50)]
    assert {m.family_id for m in rotated} == {first.family_id}
    assert len({m.token for m in rotated}) == 50
    assert len({m.token_id for m in rotated}) == 50
    assert new_refresh_token().family_id != first.family_id


def test_empty_family_is_refused() -> None:
    with pytest.raises(ValueError, match="family_id"):
        new_refresh_token("")


def test_parse_round_trip_and_match() -> None:
    material = new_refresh_token()
    token_id, secret = parse_refresh_token(material.token)
    assert token_id == material.token_id
    assert refresh_secret_matches(secret, material.secret_hash)
    assert hash_refresh_secret(secret) == material.secret_hash


def test_secret_mismatch() -> None:
    a, b = new_refresh_token(), new_refresh_token()
    _, secret_a = parse_refresh_token(a.token)
    assert not refresh_secret_matches(secret_a, b.secret_hash)
    assert not refresh_secret_matches(secret_a, "")
    assert not refresh_secret_matches(secret_a, a.secret_hash.upper())
    assert not refresh_secret_matches(secret_a, "é" * 64)  # never raises on odd input


def _bad_tokens() -> list[Any]:
    good = new_refresh_token().token
    token_id, secret = good.split(".")
    return [
        "",
        "abc",
        ".",
        f"{token_id}.",
        f".{secret}",
        f"{token_id}.{secret}.x",
        f"{token_id.upper()}.{secret}",  # non-canonical id
        f"{token_id.replace('-', '')}.{secret}",
        f"not-a-uuid.{secret}",
        f"{token_id}.{secret[:-1]}",
        f"{token_id}.{secret}=",
        f"{token_id}.{secret[:-1]}+",
        f"{token_id}.{secret}A",
        f" {good}",
        good + "\n",
        "x" * 200,
        None,
        b"bytes.token",
    ]


@pytest.mark.parametrize("token", _bad_tokens())
def test_parse_rejects_malformed(token: Any) -> None:
    with pytest.raises(TokenMalformed) as info:
        parse_refresh_token(token)
    assert info.value.code == "TOKEN_MALFORMED"
    if isinstance(token, str) and len(token) > 8:
        assert token not in str(info.value)


class InMemoryRefreshStore:
    """Minimal illustration of the documented model (the auth service owns the real one)."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self.revoked_families: set[str] = set()

    def save(self, material: RefreshTokenMaterial) -> str:
        self.rows[material.token_id] = {
            "family": material.family_id,
            "hash": material.secret_hash,
            "rotated": False,
        }
        return material.token

    def rotate(self, token: str) -> str:
        token_id, secret = parse_refresh_token(token)
        row = self.rows.get(token_id)
        if row is None or not refresh_secret_matches(secret, row["hash"]):
            raise TokenMalformed()
        if row["family"] in self.revoked_families:
            raise TokenRevoked()
        if row["rotated"]:
            self.revoked_families.add(row["family"])
            raise TokenRevoked("refresh token reuse detected")
        row["rotated"] = True
        return self.save(new_refresh_token(row["family"]))


def test_reuse_of_rotated_token_revokes_the_family() -> None:
    store = InMemoryRefreshStore()
    first = store.save(new_refresh_token())
    second = store.rotate(first)
    with pytest.raises(TokenRevoked) as info:
        store.rotate(first)  # a thief replays the old token
    assert info.value.code == "TOKEN_REVOKED"
    with pytest.raises(TokenRevoked):
        store.rotate(second)  # the legitimate client is logged out too
