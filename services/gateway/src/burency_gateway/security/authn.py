"""Who is calling (authentication) and may they call this route (authorization).

The gateway verifies credentials once and forwards a signed identity
(:mod:`burency_common.identity`) to services. Verification needs public keys, which
come from a :class:`TokenVerifier`:

* distributed mode - a :class:`~burency_common.tokens.JWKSClient` pointed at the auth
  service's JWKS URL (it satisfies the protocol as is);
* embedded mode - :class:`LocalKeySource` over the ``KeyRing`` the same process holds.

Every refusal is an ``Unauthenticated`` (401) carrying the token error's stable code
(``TOKEN_EXPIRED``, ``TOKEN_REVOKED`` ...) and a fixed message: the token itself never
appears in an error or a log line. Unreachable keys or an unreachable revocation list
answer 503 instead: it is not the client's fault, and failing open is not an option.

API keys (HMAC-signed requests) arrive with the auth service; :class:`ApiKeyVerifier`
is the extension point. It sees method, path, query and headers (``AuthRequest``),
enough for a signature over ``method + path + query + timestamp`` plus a body digest
header, without the gateway having to buffer request bodies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from burency_common.errors import PermissionDenied, ServiceUnavailable, Unauthenticated
from burency_common.identity import Identity
from burency_common.logging import get_logger
from burency_common.timeutil import utc_now
from burency_common.tokens import (
    DEFAULT_LEEWAY,
    KeyResolver,
    TokenError,
    TokenKeysUnavailable,
    TokenMalformed,
    TokenRevoked,
    TokenType,
    VerifiedToken,
    verify_token,
)
from burency_gateway.routes import Access, MatchedRoute
from burency_gateway.security.revocation import RevocationStore

__all__ = [
    "INTERNAL_HEADER_PREFIX",
    "ApiKeyVerifier",
    "AuthRequest",
    "Authenticator",
    "LocalKeySource",
    "TokenVerifier",
    "authorize",
    "strip_internal_headers",
]

INTERNAL_HEADER_PREFIX = "x-burency-"
VERIFIED_CACHE_SIZE = 8192
VERIFIED_CACHE_TTL = timedelta(seconds=60)
_INVALID_TOKEN_CHALLENGE = 'Bearer realm="burency", error="invalid_token"'  # noqa: S105
_log = get_logger("burency.gateway.auth")


class TokenVerifier(Protocol):
    """Verifies a JWT's signature and claims; ``JWKSClient`` already has this shape."""

    async def verify(
        self,
        token: str,
        *,
        issuer: str,
        audience: str,
        expected_type: TokenType,
        now: datetime | None = None,
        leeway: timedelta = DEFAULT_LEEWAY,
    ) -> VerifiedToken: ...


class LocalKeySource:
    """Embedded mode: verify against keys held in this process (a ``KeyRing``, a mapping)."""

    def __init__(self, keys: KeyResolver | Mapping[str, Ed25519PublicKey]) -> None:
        self._keys = keys

    async def verify(
        self,
        token: str,
        *,
        issuer: str,
        audience: str,
        expected_type: TokenType,
        now: datetime | None = None,
        leeway: timedelta = DEFAULT_LEEWAY,
    ) -> VerifiedToken:
        return verify_token(
            token,
            keys=self._keys,
            issuer=issuer,
            audience=audience,
            expected_type=expected_type,
            now=now,
            leeway=leeway,
        )


@dataclass(frozen=True)
class AuthRequest:
    """What a credential verifier may look at. ``headers`` keys are lower-case."""

    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    authorization: str | None = None
    body: bytes = b""
    client_ip: str | None = None


class ApiKeyVerifier(Protocol):
    """Extension point for API-key authentication (added with the auth service).

    ``accepts`` is a cheap check ("does this request carry an API-key credential?");
    ``verify`` returns an ``Identity`` with ``auth_method="api_key"`` and the key's
    scopes, or raises ``Unauthenticated`` with a stable code.
    """

    def accepts(self, request: AuthRequest) -> bool: ...

    async def verify(self, request: AuthRequest) -> Identity: ...


def _token_refused(error: TokenError) -> Unauthenticated:
    return Unauthenticated(
        error.message, code=error.code, headers={"WWW-Authenticate": _INVALID_TOKEN_CHALLENGE}
    )


def _bearer_token(header_value: str) -> str:
    scheme, _, credentials = header_value.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise Unauthenticated(
            "only the Bearer authorization scheme is supported", code="UNSUPPORTED_AUTH_SCHEME"
        )
    token = credentials.strip()
    if not token or len(token.split(None, 1)) > 1:  # whitespace inside (str.isspace's)
        raise _token_refused(TokenMalformed())
    return token


def _string_claim(verified: VerifiedToken, name: str) -> str | None:
    value = verified.claims.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise TokenMalformed(f"token claim {name!r} is not a string")
    return value


def _email_verified_claim(verified: VerifiedToken) -> bool:
    """Absent (a token issued before the claim existed) means not verified."""
    value = verified.claims.get("email_verified", False)
    if not isinstance(value, bool):
        raise TokenMalformed("token claim 'email_verified' is not a boolean")
    return value


def _identity_from_token(verified: VerifiedToken) -> Identity:
    roles = verified.claims.get("roles", [])
    if not isinstance(roles, list) or not all(isinstance(r, str) and r for r in roles):
        raise TokenMalformed("token claim 'roles' is not a list of strings")
    return Identity(
        user_id=verified.subject,
        roles=frozenset(roles),
        session_id=_string_claim(verified, "sid"),
        token_id=verified.jti,
        auth_method="jwt",
        email_verified=_email_verified_claim(verified),
    )


@dataclass(frozen=True, slots=True)
class _Verified:
    """A token whose signature and claims were verified, and until when that holds."""

    identity: Identity
    token: VerifiedToken
    until: datetime


class Authenticator:
    """Turns request credentials into an :class:`Identity` (or ``None`` for anonymous).

    Verified access tokens are remembered (by the whole token string, at most
    ``VERIFIED_CACHE_SIZE`` of them) until they expire, for at most
    ``VERIFIED_CACHE_TTL``: a bot or the SPA sends the same token on every request, and
    the Ed25519 check plus the JWT parsing cost ~100 µs each time. Only the signature
    and claim checks are remembered: revocation (token, session, user) is asked of the
    revocation store on every request, so a logout or a ban still takes effect at once.
    A retired signing key stops accepting tokens seen before within the TTL.
    """

    def __init__(
        self,
        key_source: TokenVerifier,
        *,
        issuer: str,
        audience: str,
        revocations: RevocationStore,
        leeway: timedelta = DEFAULT_LEEWAY,
        api_keys: ApiKeyVerifier | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        if not issuer or not audience:
            raise ValueError("issuer and audience are required")
        self._keys = key_source
        self._issuer = issuer
        self._audience = audience
        self._revocations = revocations
        self._leeway = leeway
        self._api_keys = api_keys
        self._clock = clock
        self._verified: dict[str, _Verified] = {}

    async def authenticate(
        self,
        authorization_header: str | None,
        *,
        method: str = "GET",
        path: str = "/",
        query: str = "",
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        client_ip: str | None = None,
    ) -> Identity | None:
        """No credentials → ``None``; valid credentials → ``Identity``; anything else raises.

        Raises ``Unauthenticated`` (401) for bad credentials and ``ServiceUnavailable``
        (503) when keys or the revocation list cannot be consulted.
        """
        if self._api_keys is not None:
            request = AuthRequest(
                method=method,
                path=path,
                query=query,
                headers={k.lower(): v for k, v in (headers or {}).items()},
                authorization=authorization_header,
                body=body,
                client_ip=client_ip,
            )
            if self._api_keys.accepts(request):
                if authorization_header and authorization_header.strip().lower().startswith(
                    "bearer "
                ):
                    raise Unauthenticated(
                        "send either a bearer token or an API key, not both",
                        code="AMBIGUOUS_CREDENTIALS",
                    )
                return await self._api_keys.verify(request)
        if authorization_header is None:
            return None
        return await self._authenticate_jwt(_bearer_token(authorization_header))

    async def _authenticate_jwt(self, token: str) -> Identity:
        now = self._clock()
        known = self._verified.get(token)
        if known is not None and now < known.until:
            identity, verified = known.identity, known.token
        else:
            identity, verified = await self._verify(token, now)
        revoked = await self._revocations.is_revoked(
            verified.jti, identity.session_id, identity.user_id, verified.issued_at
        )
        if revoked:
            _log.info("auth.token_revoked", user_id=identity.user_id)
            raise _token_refused(TokenRevoked())
        return identity

    async def _verify(self, token: str, now: datetime) -> tuple[Identity, VerifiedToken]:
        """Check signature and claims (remembering a success); 401 or 503 otherwise."""
        try:
            verified = await self._keys.verify(
                token,
                issuer=self._issuer,
                audience=self._audience,
                expected_type=TokenType.ACCESS,
                now=now,
                leeway=self._leeway,
            )
            identity = _identity_from_token(verified)
        except TokenKeysUnavailable:
            _log.warning("auth.keys_unavailable")
            raise ServiceUnavailable(
                "token verification keys are unavailable",
                code="TOKEN_KEYS_UNAVAILABLE",
                headers={"Retry-After": "5"},
            ) from None
        except TokenError as exc:
            _log.debug("auth.token_refused", code=exc.code)
            raise _token_refused(exc) from None
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            del self._verified[next(iter(self._verified))]  # the oldest entry
        until = min(verified.expires_at, now + VERIFIED_CACHE_TTL)
        self._verified[token] = _Verified(identity, verified, until)
        return identity, verified


def authorize(route: MatchedRoute, identity: Identity | None) -> None:
    """The gateway's coarse access check; services still check fine-grained permissions.

    PUBLIC passes; USER needs an identity (401); ROLE needs an identity (401) holding
    one of ``route.roles`` (403). A ROLE route listing no roles admits nobody. Staff
    routes refuse API keys (403 ``API_KEY_NOT_ALLOWED``): a bot key of an admin must not
    carry admin powers; staff act through signed-in sessions, which 2FA and audit cover.
    """
    if route.access is Access.PUBLIC:
        return
    if identity is None:
        raise Unauthenticated()
    if route.access is Access.ROLE:
        if identity.auth_method == "api_key":
            raise PermissionDenied(
                "API keys cannot be used on staff routes", code="API_KEY_NOT_ALLOWED"
            )
        if not identity.has_any_role(route.roles):
            raise PermissionDenied()


def strip_internal_headers(
    headers: Iterable[tuple[bytes, bytes]],
) -> list[tuple[bytes, bytes]]:
    """Drop client-supplied ``X-Burency-*`` headers (raw ASGI pairs) before proxying.

    Only the gateway may set them (``X-Burency-Identity`` above all); a client sending
    one is either confused or attacking, and in both cases it must not reach a service.
    """
    prefix = INTERNAL_HEADER_PREFIX.encode("latin-1")
    return [(name, value) for name, value in headers if not name.lower().startswith(prefix)]
