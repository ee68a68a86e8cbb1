"""JWT forgery: algorithm confusion and every way of tampering with the signature."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import given, settings
from hypothesis import strategies as st

from burency_common.tokens import (
    KeyRing,
    SigningKey,
    TokenAlgorithmNotAllowed,
    TokenError,
    TokenSignatureInvalid,
)

from .support.jwt import (
    DROP,
    b64,
    claims,
    compact,
    hs256,
    issue,
    rejects,
    signed,
    unb64,
    verify,
)

# --- algorithm confusion -------------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
@pytest.mark.parametrize("signature", [b"", b"x"])
def test_alg_none_is_rejected(key: SigningKey, ring: KeyRing, alg: str, signature: bytes) -> None:
    token = compact(
        {"alg": alg, "typ": "JWT", "kid": key.kid},
        json.dumps(claims()).encode(),
        lambda _: signature,
    )
    rejects(TokenAlgorithmNotAllowed, "TOKEN_ALGORITHM_NOT_ALLOWED", token, ring)


def _public_secrets(key: SigningKey) -> dict[str, bytes]:
    pub = key.public_key
    raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pem = pub.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return {"raw": raw, "pem": pem, "x": key.public_jwk()["x"].encode()}


@pytest.mark.parametrize("form", ["raw", "pem", "x"])
@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_hmac_signed_with_public_key_is_rejected(
    key: SigningKey, ring: KeyRing, form: str, alg: str
) -> None:
    # The classic confusion attack: the public key is public, so an attacker can
    # HMAC with it; a verifier that lets the header pick the algorithm accepts it.
    secret = _public_secrets(key)[form]
    token = compact(
        {"alg": alg, "typ": "JWT", "kid": key.kid}, json.dumps(claims()).encode(), hs256(secret)
    )
    rejects(TokenAlgorithmNotAllowed, "TOKEN_ALGORITHM_NOT_ALLOWED", token, ring)


@pytest.mark.parametrize("alg", ["RS256", "ES256", "PS256", "Ed25519", "eddsa", "", None, DROP])
def test_other_or_missing_alg_is_rejected(key: SigningKey, ring: KeyRing, alg: Any) -> None:
    token = signed(key, claims(), alg=alg)
    rejects(TokenAlgorithmNotAllowed, "TOKEN_ALGORITHM_NOT_ALLOWED", token, ring)


# --- signature -----------------------------------------------------------------------


def test_tampered_payload(key: SigningKey, ring: KeyRing) -> None:
    header, payload, signature = issue(ring).split(".")
    data = json.loads(unb64(payload))
    data["roles"] = ["admin"]
    forged = f"{header}.{b64(json.dumps(data).encode())}.{signature}"
    rejects(TokenSignatureInvalid, "TOKEN_INVALID_SIGNATURE", forged, ring)


def test_tampered_header_kid_to_other_published_key(key: SigningKey) -> None:
    other = SigningKey.generate()
    ring = KeyRing(key, [other])
    _, payload, signature = issue(ring).split(".")
    header = b64(json.dumps({"alg": "EdDSA", "typ": "JWT", "kid": other.kid}).encode())
    rejects(
        TokenSignatureInvalid, "TOKEN_INVALID_SIGNATURE", f"{header}.{payload}.{signature}", ring
    )


@pytest.mark.parametrize("byte_index", [0, 31, 63])
def test_tampered_signature(ring: KeyRing, byte_index: int) -> None:
    header, payload, signature = issue(ring).split(".")
    sig = bytearray(unb64(signature))
    sig[byte_index] ^= 0x01
    rejects(
        TokenSignatureInvalid,
        "TOKEN_INVALID_SIGNATURE",
        f"{header}.{payload}.{b64(bytes(sig))}",
        ring,
    )


@pytest.mark.parametrize("length", [0, 32, 63, 65])
def test_wrong_length_signature(ring: KeyRing, length: int) -> None:
    header, payload, _ = issue(ring).split(".")
    rejects(
        TokenSignatureInvalid,
        "TOKEN_INVALID_SIGNATURE",
        f"{header}.{payload}.{b64(b'a' * length)}",
        ring,
    )


def test_signed_by_another_key_with_same_kid(key: SigningKey, ring: KeyRing) -> None:
    impostor = SigningKey(kid=key.kid, private_key=SigningKey.generate().private_key)
    rejects(TokenSignatureInvalid, "TOKEN_INVALID_SIGNATURE", issue(impostor), ring)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_single_character_change_is_rejected(data: st.DataObject) -> None:
    key = SigningKey.generate(kid="k1")
    ring = KeyRing(key)
    token = issue(key)
    index = data.draw(st.integers(0, len(token) - 1))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.="
    char = data.draw(st.sampled_from(alphabet).filter(lambda c: c != token[index]))
    with pytest.raises(TokenError):
        verify(token[:index] + char + token[index + 1 :], ring)
