"""Token error tree; see the package docstring for the full picture.

Every class carries a stable ``code`` that API layers may put in responses and
dashboards may count. Messages are fixed, human-readable sentences chosen here:
they never echo the token, a header value or key material, so logging an error
can never leak a credential.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
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
    "TokenTypeInvalid",
]


class TokenError(Exception):
    """Root of every token failure; catch this to answer 401."""

    code: ClassVar[str] = "TOKEN_INVALID"
    default_message: ClassVar[str] = "token is invalid"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)

    @property
    def message(self) -> str:
        return str(self.args[0])


class TokenMalformed(TokenError):
    """Not a well-formed compact JWS/JWT (or refresh token), or a required claim is bad."""

    code = "TOKEN_MALFORMED"
    default_message = "token is malformed"


class TokenSignatureInvalid(TokenError):
    """The signature does not verify with the key named by ``kid``."""

    code = "TOKEN_INVALID_SIGNATURE"
    default_message = "token signature is invalid"


class TokenAlgorithmNotAllowed(TokenError):
    """The header ``alg`` is anything but ``EdDSA`` (``none``, ``HS256`` ...)."""

    code = "TOKEN_ALGORITHM_NOT_ALLOWED"
    default_message = "token algorithm is not allowed"


class TokenExpired(TokenError):
    code = "TOKEN_EXPIRED"
    default_message = "token has expired"


class TokenNotYetValid(TokenError):
    """``nbf`` or ``iat`` lies in the future (beyond the leeway)."""

    code = "TOKEN_NOT_YET_VALID"
    default_message = "token is not yet valid"


class TokenAudienceInvalid(TokenError):
    code = "TOKEN_INVALID_AUDIENCE"
    default_message = "token audience is invalid"


class TokenIssuerInvalid(TokenError):
    code = "TOKEN_INVALID_ISSUER"
    default_message = "token issuer is invalid"


class TokenTypeInvalid(TokenError):
    """The ``typ`` claim is not the expected one (e.g. a refresh token used as access)."""

    code = "TOKEN_WRONG_TYPE"
    default_message = "token type is not accepted here"


class TokenKeyUnknown(TokenError):
    """The ``kid`` is missing or names no published key.

    Distinct from a bad signature so that a JWKS client knows a key refresh may
    help. ``kid`` is kept as an attribute (never in the message) for callers.
    """

    code = "TOKEN_UNKNOWN_KEY"
    default_message = "token signing key is unknown"

    def __init__(self, message: str | None = None, *, kid: str | None = None) -> None:
        super().__init__(message)
        self.kid = kid


class TokenKeysUnavailable(TokenError):
    """The verification keys could not be fetched (JWKS endpoint down, bad document).

    Not the client's fault: API layers may answer 503 rather than 401.
    """

    code = "TOKEN_KEYS_UNAVAILABLE"
    default_message = "token verification keys are unavailable"


class TokenRevoked(TokenError):
    """Raised by callers that check a revocation list (``jti``/``sid``/refresh family)."""

    code = "TOKEN_REVOKED"
    default_message = "token has been revoked"
