"""JWKS and signing-key rotation."""

from __future__ import annotations

from burency_auth.component import build_component
from burency_auth.settings import AuthSettings
from burency_common.tokens import SigningKey

from .auth_testing.harness import Harness


async def test_jwks_publishes_the_public_signing_key(harness: Harness) -> None:
    response = await harness.client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    keys = response.json()["keys"]
    assert [k["kid"] for k in keys] == [harness.component.keyring.active.kid]
    assert keys[0]["kty"] == "OKP"
    assert "d" not in keys[0]


async def test_rotation_keeps_old_tokens_valid_and_signs_with_the_new_key(
    harness: Harness,
) -> None:
    await harness.register("kay@example.com")
    before = await harness.signed_in("kay@example.com")
    old_kid = harness.component.keyring.active.kid
    new_key = harness.component.rotate_signing_key()
    keys = (await harness.client.get("/.well-known/jwks.json")).json()["keys"]
    assert [k["kid"] for k in keys] == [new_key.kid, old_kid]
    assert harness.verify(before["accessToken"]).kid == old_kid
    after = await harness.signed_in("kay@example.com")
    assert harness.verify(after["accessToken"]).kid == new_key.kid


def test_configured_keys_are_loaded_in_order(make_settings: object) -> None:
    active, retired = SigningKey.generate(), SigningKey.generate()
    settings: AuthSettings = make_settings(  # type: ignore[operator]
        signing_keys=[active.to_pem().decode(), retired.to_pem().decode()]
    )
    component = build_component(settings)
    assert component.keyring.kids == (active.kid, retired.kid)
    assert component.keyring.active.kid == active.kid
