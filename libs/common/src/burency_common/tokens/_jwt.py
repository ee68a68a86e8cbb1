"""Issuing and verifying Ed25519-signed JWTs (compact JWS, ``alg=EdDSA``).

Verification is split in two on purpose:

* the signature is checked by PyJWT's ``PyJWS`` restricted to ``EdDSA`` (the only
  algorithm it even knows about here), with the key chosen by *our* code from the
  ``kid`` header, never from data that could make an HMAC secret of a public key;
* the claims are checked here against an injectable ``now``, because PyJWT's claim
  checks read the wall clock and would make expiry untestable and leeway implicit.
"""

from __future__ import annotations

import functools
import json
import math
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from burency_common.tokens._errors import (
    TokenAlgorithmNotAllowed,
    TokenAudienceInvalid,
    TokenIssuerInvalid,
    TokenKeyUnknown,
    TokenMalformed,
    TokenSignatureInvalid,
    TokenTypeInvalid,
)
from burency_common.tokens._keys import ALGORITHM, KeyRing, SigningKey, is_valid_kid
from burency_common.tokens._time import check_claims_time, require_aware

__all__ = [
    "DEFAULT_LEEWAY",
    "MAX_TOKEN_LENGTH",
    "PRECISE_IAT_CLAIM",
    "RESERVED_CLAIMS",
    "KeyResolver",
    "TokenType",
    "VerifiedToken",
    "decode_unverified",
    "issue_token",
    "read_header",
    "verify_token",
]

KeyResolver = Callable[[str], Ed25519PublicKey | None]
"""Maps a ``kid`` to its public key, or ``None`` (it may also raise ``TokenKeyUnknown``)."""

DEFAULT_LEEWAY = timedelta(seconds=30)
MAX_TOKEN_LENGTH = 8192
"""Longer strings are refused before any decoding (cheap DoS guard)."""

RESERVED_CLAIMS = frozenset({"sub", "iss", "aud", "iat", "nbf", "exp", "jti", "typ"})
PRECISE_IAT_CLAIM = "iat_us"
"""Issue time in integer microseconds since the epoch, beside the whole-second ``iat``.

RFC 7519's ``iat`` is a whole NumericDate here; revocation by "issued before T" needs
the exact instant, or a token issued in the same second as a revocation survives it.
Optional on verification (tokens from before it existed still verify)."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_HEADER_TYP = "JWT"


class TokenType(StrEnum):
    """Value of the ``typ`` *claim*; keeps a refresh JWT from being used as an access JWT."""

    ACCESS = "access"
    REFRESH = "refresh"


@dataclass(frozen=True)
class VerifiedToken:
    """What a successfully verified token says. ``claims`` holds the whole payload."""

    subject: str
    token_type: TokenType
    jti: str
    issued_at: datetime
    expires_at: datetime
    claims: dict[str, Any] = field(hash=False)
    kid: str


@functools.cache
def _jws() -> jwt.PyJWS:
    # Registering only EdDSA means ``none``/HS*/RS* cannot be dispatched to at all,
    # even if a future bug let an unexpected alg slip through our own header check.
    return jwt.PyJWS(algorithms=[ALGORITHM])


def _non_empty(name: str, value: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string")
    return value


def issue_token(
    key: SigningKey | KeyRing,
    *,
    subject: str,
    token_type: TokenType,
    issuer: str,
    audience: str,
    ttl: timedelta,
    now: datetime,
    claims: Mapping[str, Any] | None = None,
) -> str:
    """Sign a JWT with ``key`` (a ``KeyRing`` signs with its active key).

    ``claims`` adds application claims (``roles``, ``sid`` ...); the registered
    claims computed here cannot be overridden through it (``ValueError``).
    """
    signer = key.active if isinstance(key, KeyRing) else key
    require_aware(now, "now")
    if ttl < timedelta(seconds=1):
        raise ValueError("ttl must be at least one second")
    extra = dict(claims or {})
    clash = (RESERVED_CLAIMS | {PRECISE_IAT_CLAIM}).intersection(extra)
    if clash:
        raise ValueError(f"claims may not override reserved claims: {sorted(clash)}")
    issued_at_us = (now - _EPOCH) // timedelta(microseconds=1)  # exact, no float rounding
    issued_at = issued_at_us // 1_000_000
    payload: dict[str, Any] = {
        **extra,
        "sub": _non_empty("subject", subject),
        "iss": _non_empty("issuer", issuer),
        "aud": _non_empty("audience", audience),
        "iat": issued_at,
        PRECISE_IAT_CLAIM: issued_at_us,
        "nbf": issued_at,
        "exp": issued_at + math.floor(ttl.total_seconds()),
        "jti": str(uuid.uuid4()),
        "typ": TokenType(token_type).value,
    }
    return jwt.encode(
        payload,
        signer.private_key,
        algorithm=ALGORITHM,
        headers={"kid": signer.kid, "typ": _HEADER_TYP},
    )


def _load_header(token: object) -> dict[str, Any]:
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise TokenMalformed()
    if token.count(".") != 2:
        raise TokenMalformed()
    try:
        return _jws().get_unverified_header(token)
    except (jwt.PyJWTError, ValueError, TypeError):
        raise TokenMalformed("token header is malformed") from None


def read_header(token: str) -> tuple[dict[str, Any], str]:
    """Parse and vet the (unverified) header; return it with its ``kid``.

    Rejects, before any key lookup: a non-``EdDSA`` ``alg``, ``crit``/``b64``
    extensions we never emit, a foreign header ``typ``, a missing or odd ``kid``.
    """
    header = _load_header(token)
    if header.get("alg") != ALGORITHM:
        raise TokenAlgorithmNotAllowed()
    if "crit" in header or "b64" in header:
        raise TokenMalformed("token uses unsupported header extensions")
    typ = header.get("typ", _HEADER_TYP)
    if not isinstance(typ, str) or typ.upper() != _HEADER_TYP:
        raise TokenMalformed("token header typ is not JWT")
    kid = header.get("kid")
    if kid is None:
        raise TokenMalformed("token header has no key id")
    if not is_valid_kid(kid):
        raise TokenMalformed("token header key id is malformed")
    return header, kid


def _resolve(keys: KeyResolver | Mapping[str, Ed25519PublicKey], kid: str) -> Ed25519PublicKey:
    key = keys.get(kid) if isinstance(keys, Mapping) else keys(kid)
    if key is None:
        raise TokenKeyUnknown(kid=kid)
    if not isinstance(key, Ed25519PublicKey):
        raise TypeError("key resolver must return an Ed25519PublicKey")
    return key


def _reject_constant(_: str) -> Any:
    raise ValueError("NaN/Infinity are not valid JSON")


def _parse_payload(raw: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise TokenMalformed("token payload is not JSON") from None
    if not isinstance(payload, dict):
        raise TokenMalformed("token payload is not a JSON object")
    return payload


def _verify_signature(token: str, public_key: Ed25519PublicKey) -> dict[str, Any]:
    try:
        decoded = _jws().decode_complete(token, key=public_key, algorithms=[ALGORITHM])
    except jwt.InvalidSignatureError:  # subclass of DecodeError: must come first
        raise TokenSignatureInvalid() from None
    except jwt.InvalidAlgorithmError:
        raise TokenAlgorithmNotAllowed() from None
    except (jwt.PyJWTError, ValueError, TypeError):
        raise TokenMalformed() from None
    return _parse_payload(decoded["payload"])


def _str_claim(payload: Mapping[str, Any], name: str) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not value:
        raise TokenMalformed(f"token claim {name!r} is missing or not a string")
    return value


def _check_audience(payload: Mapping[str, Any], audience: str) -> None:
    aud = payload.get("aud")
    if isinstance(aud, str):
        audiences = [aud]
    elif isinstance(aud, list) and aud and all(isinstance(a, str) for a in aud):
        audiences = aud
    else:
        raise TokenMalformed("token claim 'aud' is missing or malformed")
    if audience not in audiences:
        raise TokenAudienceInvalid()


def _check_claims(
    payload: dict[str, Any],
    *,
    kid: str,
    issuer: str,
    audience: str,
    expected_type: TokenType,
    now: datetime,
    leeway: timedelta,
) -> VerifiedToken:
    missing = RESERVED_CLAIMS.difference(payload)
    if missing:
        raise TokenMalformed(f"token is missing required claims: {sorted(missing)}")
    subject, jti = _str_claim(payload, "sub"), _str_claim(payload, "jti")
    if _str_claim(payload, "iss") != issuer:
        raise TokenIssuerInvalid()
    _check_audience(payload, audience)
    if _str_claim(payload, "typ") != expected_type.value:
        raise TokenTypeInvalid()
    issued_at, expires_at = check_claims_time(payload, now=now, leeway=leeway)
    return VerifiedToken(
        subject=subject,
        token_type=expected_type,
        jti=jti,
        issued_at=issued_at,
        expires_at=expires_at,
        claims=payload,
        kid=kid,
    )


def verify_token(
    token: str,
    *,
    keys: KeyResolver | Mapping[str, Ed25519PublicKey],
    issuer: str,
    audience: str,
    expected_type: TokenType,
    now: datetime | None = None,
    leeway: timedelta = DEFAULT_LEEWAY,
) -> VerifiedToken:
    """Verify signature and claims; return the verified content or raise a ``TokenError``.

    ``keys`` is a ``KeyRing``, any ``kid -> Ed25519PublicKey | None`` callable, or a
    mapping. ``now`` defaults to the current UTC time and must be timezone-aware.
    """
    _non_empty("issuer", issuer)
    _non_empty("audience", audience)
    if leeway < timedelta(0):
        raise ValueError("leeway must not be negative")
    current = datetime.now(UTC) if now is None else require_aware(now, "now")
    _, kid = read_header(token)
    payload = _verify_signature(token, _resolve(keys, kid))
    return _check_claims(
        payload,
        kid=kid,
        issuer=issuer,
        audience=audience,
        expected_type=TokenType(expected_type),
        now=current,
        leeway=leeway,
    )


def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return ``(header, claims)`` WITHOUT verifying the signature or any claim.

    For diagnostics only (logging which ``kid``/``iss`` a rejected token claimed).
    Never trust the result and never authorize anything with it: anyone can
    forge a token that decodes to arbitrary content.
    """
    _load_header(token)
    try:
        decoded = _jws().decode_complete(token, options={"verify_signature": False})
    except (jwt.PyJWTError, ValueError, TypeError):
        raise TokenMalformed() from None
    return decoded["header"], _parse_payload(decoded["payload"])
