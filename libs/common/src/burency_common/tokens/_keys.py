"""Ed25519 signing keys, their public halves and the key ring used for rotation.

Rotation model: the auth service signs with exactly one *active* key. When it
rotates, the previous active key becomes *retired*: it no longer signs, but it
stays published (JWKS) and accepted until every token it signed has expired,
i.e. for at least the longest token TTL plus leeway. Only then is it dropped;
tokens that still carry its ``kid`` then fail with ``TokenKeyUnknown``.

Key ids default to the RFC 7638 JWK thumbprint, so the same key always gets the
same ``kid`` on every replica without coordination.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

__all__ = ["KeyRing", "SigningKey", "VerificationKey", "is_valid_kid", "jwk_thumbprint"]

ALGORITHM = "EdDSA"
_KID_RE = re.compile(r"[A-Za-z0-9._~-]{1,128}")
_ED25519_KEY_BYTES = 32


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def is_valid_kid(kid: object) -> bool:
    """Whether ``kid`` has the shape of a key id we could ever publish (1-128 URL-safe chars)."""
    return isinstance(kid, str) and _KID_RE.fullmatch(kid) is not None


def _check_kid(kid: str) -> str:
    if not is_valid_kid(kid):
        raise ValueError("kid must be 1-128 characters of [A-Za-z0-9._~-]")
    return kid


def jwk_thumbprint(public_key: Ed25519PublicKey) -> str:
    """RFC 7638 thumbprint (SHA-256, base64url) of an Ed25519 public key (RFC 8037 §2)."""
    canonical = json.dumps(
        {"crv": "Ed25519", "kty": "OKP", "x": _b64url(_raw_public(public_key))},
        separators=(",", ":"),
        sort_keys=True,
    )
    return _b64url(hashlib.sha256(canonical.encode("ascii")).digest())


def _public_jwk(kid: str, public_key: Ed25519PublicKey) -> dict[str, str]:
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": _b64url(_raw_public(public_key)),
        "kid": kid,
        "alg": ALGORITHM,
        "use": "sig",
    }


@dataclass(frozen=True, eq=False)
class VerificationKey:
    """A published, verification-only key: a ``kid`` and an Ed25519 public key."""

    kid: str
    public_key: Ed25519PublicKey

    def __post_init__(self) -> None:
        _check_kid(self.kid)
        if not isinstance(self.public_key, Ed25519PublicKey):
            raise TypeError("public_key must be an Ed25519PublicKey")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VerificationKey):
            return NotImplemented
        return self.kid == other.kid and self.public_key == other.public_key

    def __hash__(self) -> int:
        return hash((self.kid, _raw_public(self.public_key)))

    @classmethod
    def from_pem(cls, pem: str | bytes, *, kid: str | None = None) -> VerificationKey:
        data = pem.encode("ascii") if isinstance(pem, str) else pem
        try:
            key = serialization.load_pem_public_key(data)
        except (ValueError, TypeError):
            raise ValueError("PEM is not a valid public key") from None
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("PEM does not contain an Ed25519 public key")
        return cls(kid=kid if kid is not None else jwk_thumbprint(key), public_key=key)

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> VerificationKey:
        """Strictly parse a public OKP/Ed25519 JWK; raise ``ValueError`` on anything else.

        Keys carrying ``d`` (a private key published by mistake) are refused.
        """
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            raise ValueError("not an OKP/Ed25519 key")
        if jwk.get("alg") != ALGORITHM or jwk.get("use", "sig") != "sig" or "d" in jwk:
            raise ValueError("not a public EdDSA signature key")
        x, kid = jwk.get("x"), jwk.get("kid")
        if not isinstance(x, str) or not isinstance(kid, str):
            raise ValueError("JWK needs string 'x' and 'kid'")
        try:
            raw = base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
        except ValueError:
            raise ValueError("JWK 'x' is not base64url") from None
        if len(raw) != _ED25519_KEY_BYTES or _b64url(raw) != x:
            raise ValueError("JWK 'x' is not a canonical 32-byte Ed25519 key")
        return cls(kid=kid, public_key=Ed25519PublicKey.from_public_bytes(raw))

    def public_jwk(self) -> dict[str, str]:
        return _public_jwk(self.kid, self.public_key)


@dataclass(frozen=True, eq=False)
class SigningKey:
    """An Ed25519 private key with its ``kid``. The repr never shows key material."""

    kid: str
    private_key: Ed25519PrivateKey = field(repr=False)

    def __post_init__(self) -> None:
        _check_kid(self.kid)
        if not isinstance(self.private_key, Ed25519PrivateKey):
            raise TypeError("private_key must be an Ed25519PrivateKey")

    @classmethod
    def generate(cls, kid: str | None = None) -> SigningKey:
        private_key = Ed25519PrivateKey.generate()
        if kid is None:
            kid = jwk_thumbprint(private_key.public_key())
        return cls(kid=kid, private_key=private_key)

    @classmethod
    def from_pem(
        cls, pem: str | bytes, *, kid: str | None = None, password: bytes | None = None
    ) -> SigningKey:
        """Load a PKCS#8 PEM private key (as kept in settings / a secret store)."""
        data = pem.encode("ascii") if isinstance(pem, str) else pem
        try:
            key = serialization.load_pem_private_key(data, password=password)
        except (ValueError, TypeError):
            raise ValueError("PEM is not a valid private key (or wrong password)") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("PEM does not contain an Ed25519 private key")
        if kid is None:
            kid = jwk_thumbprint(key.public_key())
        return cls(kid=kid, private_key=key)

    def to_pem(self, password: bytes | None = None) -> bytes:
        """PKCS#8 PEM, encrypted with ``password`` when given."""
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password)
            if password is not None
            else serialization.NoEncryption()
        )
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    def verification_key(self) -> VerificationKey:
        return VerificationKey(kid=self.kid, public_key=self.public_key)

    def public_jwk(self) -> dict[str, str]:
        return _public_jwk(self.kid, self.public_key)


class KeyRing:
    """One active signing key plus retired, verification-only keys. Immutable.

    ``rotate`` and ``drop`` return a new ring, so a service swaps a single
    reference and concurrent verifiers never see a half-updated ring. A ring is
    itself a key resolver: ``ring(kid)`` returns the public key or ``None``.
    """

    __slots__ = ("_active", "_keys")

    def __init__(
        self, active: SigningKey, retired: Iterable[SigningKey | VerificationKey] = ()
    ) -> None:
        self._active = active
        keys: dict[str, VerificationKey] = {active.kid: active.verification_key()}
        for key in retired:
            vkey = key.verification_key() if isinstance(key, SigningKey) else key
            if vkey.kid in keys:
                raise ValueError("duplicate kid in key ring")
            keys[vkey.kid] = vkey
        self._keys = keys

    @property
    def active(self) -> SigningKey:
        return self._active

    @property
    def kids(self) -> tuple[str, ...]:
        """Published key ids, active first."""
        return tuple(self._keys)

    def verification_keys(self) -> tuple[VerificationKey, ...]:
        """Every published key (active first), for JWKS."""
        return tuple(self._keys.values())

    def resolve(self, kid: str) -> Ed25519PublicKey | None:
        key = self._keys.get(kid)
        return key.public_key if key is not None else None

    def __call__(self, kid: str) -> Ed25519PublicKey | None:
        return self.resolve(kid)

    def __contains__(self, kid: object) -> bool:
        return kid in self._keys

    def __iter__(self) -> Iterator[VerificationKey]:
        return iter(self._keys.values())

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"KeyRing(active={self._active.kid!r}, kids={list(self._keys)!r})"

    def rotate(self, new_active: SigningKey) -> KeyRing:
        """Make ``new_active`` the signer; the old active key stays published as retired."""
        existing = self._keys.get(new_active.kid)
        if existing is not None and existing.public_key != new_active.public_key:
            raise ValueError("kid already published for a different key")
        retired = [k for k in self._keys.values() if k.kid != new_active.kid]
        return KeyRing(new_active, retired)

    def drop(self, kid: str) -> KeyRing:
        """Unpublish a retired key (once every token it signed has expired)."""
        if kid == self._active.kid:
            raise ValueError("cannot drop the active key; rotate first")
        if kid not in self._keys:
            raise KeyError(kid)
        retired = [k for k in self._keys.values() if k.kid not in (kid, self._active.kid)]
        return KeyRing(self._active, retired)
