"""Ed25519 keys, JWK/PEM round trips and KeyRing rotation."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from burency_common.tokens import (
    KeyRing,
    SigningKey,
    TokenKeyUnknown,
    TokenType,
    VerificationKey,
    issue_token,
    jwk_thumbprint,
    verify_token,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def issue(key: SigningKey | KeyRing, now: datetime = NOW) -> str:
    return issue_token(
        key,
        subject="u",
        token_type=TokenType.ACCESS,
        issuer="iss",
        audience="aud",
        ttl=timedelta(minutes=15),
        now=now,
    )


def verify(token: str, ring: KeyRing, now: datetime = NOW) -> str:
    return verify_token(
        token, keys=ring, issuer="iss", audience="aud", expected_type=TokenType.ACCESS, now=now
    ).kid


def test_rfc8037_thumbprint_vector() -> None:
    # RFC 8037 appendix A.2/A.3.
    x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    public = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(x + "="))
    assert jwk_thumbprint(public) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_generate_derives_kid_from_thumbprint() -> None:
    key = SigningKey.generate()
    assert key.kid == jwk_thumbprint(key.public_key)
    assert SigningKey.generate(kid="2025-03").kid == "2025-03"
    assert SigningKey.generate().kid != key.kid


def test_public_jwk() -> None:
    key = SigningKey.generate(kid="k1")
    jwk = key.public_jwk()
    assert jwk == {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": jwk["x"],
        "kid": "k1",
        "alg": "EdDSA",
        "use": "sig",
    }
    raw = key.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert base64.urlsafe_b64decode(jwk["x"] + "=") == raw
    assert VerificationKey.from_jwk(jwk) == key.verification_key()


@pytest.mark.parametrize("password", [None, b"correct horse"])
def test_pem_round_trip(password: bytes | None) -> None:
    key = SigningKey.generate()
    pem = key.to_pem(password)
    assert pem.startswith(b"-----BEGIN ")
    loaded = SigningKey.from_pem(pem.decode(), password=password)
    assert loaded.kid == key.kid  # thumbprint: same key, same kid
    assert loaded.public_jwk() == key.public_jwk()
    assert SigningKey.from_pem(pem, kid="custom", password=password).kid == "custom"


def test_from_pem_errors_do_not_leak_material() -> None:
    ec_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(ValueError, match="Ed25519") as info:
        SigningKey.from_pem(ec_pem)
    assert "BEGIN" not in str(info.value)
    with pytest.raises(ValueError, match="not a valid private key"):
        SigningKey.from_pem(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    encrypted = SigningKey.generate().to_pem(b"pw")
    with pytest.raises(ValueError, match="password"):
        SigningKey.from_pem(encrypted, password=b"wrong")


def test_verification_key_from_pem() -> None:
    key = SigningKey.generate()
    pem = key.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert VerificationKey.from_pem(pem) == key.verification_key()


def test_repr_hides_private_key() -> None:
    key = SigningKey.generate(kid="k1")
    raw = key.private_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    text = repr(key)
    assert text == "SigningKey(kid='k1')"
    assert base64.urlsafe_b64encode(raw).decode().rstrip("=") not in text


@pytest.mark.parametrize("kid", ["", "a b", "k" * 129, "é", "a/b"])
def test_invalid_kid(kid: str) -> None:
    with pytest.raises(ValueError, match="kid"):
        SigningKey.generate(kid=kid)


@pytest.mark.parametrize(
    "change",
    [
        {"kty": "EC"},
        {"crv": "X25519"},
        {"crv": "Ed448"},
        {"alg": "RS256"},
        {"alg": None},
        {"use": "enc"},
        {"d": "AAAA"},
        {"x": "AAAA"},
        {"x": "!!!"},
        {"x": None},
        {"kid": None},
        {"kid": "a b"},
    ],
)
def test_from_jwk_is_strict(change: dict[str, Any]) -> None:
    jwk: dict[str, Any] = {**SigningKey.generate().public_jwk(), **change}
    jwk = {k: v for k, v in jwk.items() if v is not None}
    with pytest.raises(ValueError):  # noqa: PT011 - many distinct messages
        VerificationKey.from_jwk(jwk)


def test_rotation() -> None:
    old, new = SigningKey.generate(), SigningKey.generate()
    ring = KeyRing(old)
    old_token = issue(ring)

    rotated = ring.rotate(new)
    assert rotated.active is new
    assert rotated.kids == (new.kid, old.kid)
    assert ring.active is old  # rings are immutable
    new_token = issue(rotated)
    assert verify(new_token, rotated) == new.kid
    assert verify(old_token, rotated) == old.kid  # still published

    dropped = rotated.drop(old.kid)
    assert dropped.kids == (new.kid,)
    with pytest.raises(TokenKeyUnknown) as info:
        verify(old_token, dropped)
    assert info.value.code == "TOKEN_UNKNOWN_KEY"
    assert verify(new_token, dropped) == new.kid


def test_ring_guards() -> None:
    a, b = SigningKey.generate(), SigningKey.generate()
    with pytest.raises(ValueError, match="duplicate"):
        KeyRing(a, [a.verification_key()])
    with pytest.raises(ValueError, match="active"):
        KeyRing(a, [b]).drop(a.kid)
    with pytest.raises(KeyError):
        KeyRing(a).drop("nope")
    impostor = SigningKey(kid=b.kid, private_key=SigningKey.generate().private_key)
    with pytest.raises(ValueError, match="different key"):
        KeyRing(a, [b]).rotate(impostor)
    # Re-activating a retired key is allowed and keeps it published once.
    assert KeyRing(a, [b]).rotate(b).kids == (b.kid, a.kid)


def test_ring_is_a_resolver() -> None:
    a, b = SigningKey.generate(), SigningKey.generate()
    ring = KeyRing(a, [b])
    assert ring(b.kid) == b.public_key
    assert ring.resolve("missing") is None
    assert a.kid in ring
    assert len(ring) == 2
    assert [k.kid for k in ring] == [a.kid, b.kid]
    assert "PRIVATE" not in repr(ring)
