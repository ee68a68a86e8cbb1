"""JWT utilities: Ed25519 (``EdDSA``) access/refresh JWTs, key rotation, JWKS, refresh tokens.

Typical use::

    ring = KeyRing(SigningKey.from_pem(settings.jwt_private_key_pem))
    token = issue_token(ring, subject=user_id, token_type=TokenType.ACCESS,
                        issuer="burency-auth", audience="burency", ttl=timedelta(minutes=15),
                        now=utc_now(), claims={"roles": ["trader"], "sid": session_id})
    verified = verify_token(token, keys=ring, issuer="burency-auth", audience="burency",
                            expected_type=TokenType.ACCESS)

Resource services use ``JWKSClient(...).verify(token, ...)`` instead of a ring.

Errors (``code`` in brackets; messages never contain the token or key material)::

    TokenError                       [TOKEN_INVALID]   root: catch it to answer 401
    ├── TokenMalformed               [TOKEN_MALFORMED] bad encoding/JSON/header, no kid, bad claims
    ├── TokenSignatureInvalid        [TOKEN_INVALID_SIGNATURE]
    ├── TokenAlgorithmNotAllowed     [TOKEN_ALGORITHM_NOT_ALLOWED] anything but EdDSA
    ├── TokenExpired                 [TOKEN_EXPIRED]
    ├── TokenNotYetValid             [TOKEN_NOT_YET_VALID] nbf or iat in the future
    ├── TokenAudienceInvalid         [TOKEN_INVALID_AUDIENCE]
    ├── TokenIssuerInvalid           [TOKEN_INVALID_ISSUER]
    ├── TokenTypeInvalid             [TOKEN_WRONG_TYPE] typ claim is not the expected one
    ├── TokenKeyUnknown              [TOKEN_UNKNOWN_KEY] kid not published (JWKS may refresh)
    ├── TokenKeysUnavailable         [TOKEN_KEYS_UNAVAILABLE] JWKS unreachable: consider 503
    └── TokenRevoked                 [TOKEN_REVOKED] raised by callers checking revocation

Importing this package builds nothing (no keys, no clients).
"""

from burency_common.tokens._errors import (
    TokenAlgorithmNotAllowed,
    TokenAudienceInvalid,
    TokenError,
    TokenExpired,
    TokenIssuerInvalid,
    TokenKeysUnavailable,
    TokenKeyUnknown,
    TokenMalformed,
    TokenNotYetValid,
    TokenRevoked,
    TokenSignatureInvalid,
    TokenTypeInvalid,
)
from burency_common.tokens._jwks import JWKSClient, build_jwks, parse_jwks
from burency_common.tokens._jwt import (
    DEFAULT_LEEWAY,
    PRECISE_IAT_CLAIM,
    KeyResolver,
    TokenType,
    VerifiedToken,
    decode_unverified,
    issue_token,
    verify_token,
)
from burency_common.tokens._keys import KeyRing, SigningKey, VerificationKey, jwk_thumbprint
from burency_common.tokens._refresh import (
    RefreshTokenMaterial,
    hash_refresh_secret,
    new_refresh_token,
    parse_refresh_token,
    refresh_secret_matches,
)
from burency_common.tokens._time import issued_at_of

__all__ = [
    "DEFAULT_LEEWAY",
    "PRECISE_IAT_CLAIM",
    "JWKSClient",
    "KeyResolver",
    "KeyRing",
    "RefreshTokenMaterial",
    "SigningKey",
    "TokenAlgorithmNotAllowed",
    "TokenAudienceInvalid",
    "TokenError",
    "TokenExpired",
    "TokenIssuerInvalid",
    "TokenKeyUnknown",
    "TokenKeysUnavailable",
    "TokenMalformed",
    "TokenNotYetValid",
    "TokenRevoked",
    "TokenSignatureInvalid",
    "TokenType",
    "TokenTypeInvalid",
    "VerificationKey",
    "VerifiedToken",
    "build_jwks",
    "decode_unverified",
    "hash_refresh_secret",
    "issue_token",
    "issued_at_of",
    "jwk_thumbprint",
    "new_refresh_token",
    "parse_jwks",
    "parse_refresh_token",
    "refresh_secret_matches",
    "verify_token",
]
