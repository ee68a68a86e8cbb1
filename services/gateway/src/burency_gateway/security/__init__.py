"""The gateway's security layer: authentication, authorization, revocation, rate limits,
security headers and request body limits.

Importing this package builds nothing: the integrator constructs each piece from
settings at start-up (see each submodule for the why of its design).
"""

from burency_gateway.security.apikey import VERIFY_PATH, RemoteApiKeyVerifier, path_scopes
from burency_gateway.security.authn import (
    INTERNAL_HEADER_PREFIX,
    ApiKeyVerifier,
    Authenticator,
    AuthRequest,
    LocalKeySource,
    TokenVerifier,
    authorize,
    strip_internal_headers,
)
from burency_gateway.security.edge import EdgeMiddleware
from burency_gateway.security.headers import (
    DEFAULT_CONTENT_SECURITY_POLICY,
    BodySizeLimitMiddleware,
    RequestBodyTooLarge,
    SecurityHeadersMiddleware,
    cors_middleware_kwargs,
)
from burency_gateway.security.ratelimit import (
    DEFAULT_RATE_RULES,
    RateLimiter,
    RateLimitStatus,
    client_key,
    parse_rate_rules,
)
from burency_gateway.security.revocation import (
    MemoryRevocationStore,
    RedisRevocationStore,
    RevocationStore,
    RevocationStoreUnavailable,
    apply_revocation_event,
)

__all__ = [
    "DEFAULT_CONTENT_SECURITY_POLICY",
    "DEFAULT_RATE_RULES",
    "INTERNAL_HEADER_PREFIX",
    "VERIFY_PATH",
    "ApiKeyVerifier",
    "AuthRequest",
    "Authenticator",
    "BodySizeLimitMiddleware",
    "EdgeMiddleware",
    "LocalKeySource",
    "MemoryRevocationStore",
    "RateLimitStatus",
    "RateLimiter",
    "RedisRevocationStore",
    "RemoteApiKeyVerifier",
    "RequestBodyTooLarge",
    "RevocationStore",
    "RevocationStoreUnavailable",
    "SecurityHeadersMiddleware",
    "TokenVerifier",
    "apply_revocation_event",
    "authorize",
    "client_key",
    "cors_middleware_kwargs",
    "parse_rate_rules",
    "path_scopes",
    "strip_internal_headers",
]
