"""The caller's identity as the gateway vouches for it to the services behind it.

The gateway authenticates a request once (JWT or API key), then forwards it with an
``X-Burency-Identity`` header describing who the caller is. Services read that
header instead of verifying tokens themselves.

Why a *signed* header and not a plain ``X-User-Id``: services are reachable on the
internal network (another pod, a compromised sidecar, a misrouted load balancer),
and anything that can reach them can set any header it likes. A plain header would
turn "can open a TCP connection to the banking service" into "can act as any user".
So the header is an HMAC-SHA256 over the identity, keyed with a secret only the
gateway and the services share, and carries an ``iat`` so a captured header stops
working after ``max_age`` (60 s by default). The gateway additionally strips every
incoming ``X-Burency-*`` header from client requests, so a client can never smuggle
its own identity header through; the signature is what protects services that the
client reaches some other way.

Wire format (compact, URL-safe, no padding)::

    base64url(JSON) "." base64url(HMAC-SHA256(secret, "burency-identity.v1." + base64url(JSON)))

Services use :func:`identity_from_request` or the FastAPI dependencies
:func:`require_identity` / :func:`require_role` / :func:`require_scope`, with the shared
secret stored as ``app.state.identity_secret`` (``bytes``, at least 32 of them).
Actions that need a verified e-mail address declare :func:`require_verified_email`.

``email_verified`` (wire key ``ev``) was added within version 1: a header without it
means "not verified", so a header signed by an older gateway never unlocks an action
that needs a verified address.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from starlette.requests import Request

from burency_common.apikeys import SCOPES, api_key_error
from burency_common.errors import ConfigurationError, PermissionDenied, Unauthenticated
from burency_common.timeutil import utc_now

__all__ = [
    "EMAIL_NOT_VERIFIED",
    "IDENTITY_HEADER",
    "MIN_SECRET_BYTES",
    "AuthMethod",
    "Identity",
    "check_scope",
    "check_verified_email",
    "identity_from_request",
    "require_identity",
    "require_role",
    "require_scope",
    "require_verified_email",
    "required_scope_of",
    "sign_identity",
    "verify_identity",
]

IDENTITY_HEADER = "X-Burency-Identity"
MIN_SECRET_BYTES = 32
"""HMAC-SHA256 keys shorter than its output size add no security; refuse them."""

AuthMethod = Literal["jwt", "api_key"]

_VERSION = 1
_DOMAIN = b"burency-identity.v1."
_MAX_HEADER_LENGTH = 8192
_FUTURE_SKEW = timedelta(seconds=5)
_SHAPE = re.compile(r"^[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{43}$")  # 43 chars = 32-byte MAC
_STATE_KEY = "burency_identity"
_CODE = "INVALID_IDENTITY_HEADER"
EMAIL_NOT_VERIFIED = "EMAIL_NOT_VERIFIED"
"""Problem code of :func:`require_verified_email`'s 403."""


def _strings(value: Iterable[str], name: str) -> frozenset[str]:
    if isinstance(value, str | bytes):
        raise ValueError(f"{name} must be a collection of strings, not a string")
    items = frozenset(value)
    if not all(isinstance(item, str) and item for item in items):
        raise ValueError(f"{name} must contain non-empty strings only")
    return items


@dataclass(frozen=True)
class Identity:
    """Who is calling. ``scopes`` restrict API keys; JWT sessions carry none (full user rights).

    ``session_id``/``token_id`` identify the login session and the access token (``sid``
    and ``jti`` claims) so services can audit or revoke; API keys have neither.
    ``email_verified`` is the account's state when auth issued the credential (the
    access token's ``email_verified`` claim, or auth's answer for an API key).
    """

    user_id: str
    roles: frozenset[str] = field(default_factory=frozenset)
    session_id: str | None = None
    token_id: str | None = None
    auth_method: AuthMethod = "jwt"
    scopes: frozenset[str] = field(default_factory=frozenset)
    email_verified: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.user_id, str) or not self.user_id:
            raise ValueError("user_id must be a non-empty string")
        object.__setattr__(self, "roles", _strings(self.roles, "roles"))
        object.__setattr__(self, "scopes", _strings(self.scopes, "scopes"))
        if self.auth_method not in ("jwt", "api_key"):
            raise ValueError("auth_method must be 'jwt' or 'api_key'")
        if not isinstance(self.email_verified, bool):
            raise ValueError("email_verified must be a bool")
        for name in ("session_id", "token_id"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value):
                raise ValueError(f"{name} must be a non-empty string or None")

    def has_any_role(self, roles: Iterable[str]) -> bool:
        return not self.roles.isdisjoint(roles)


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _check_secret(secret: bytes) -> bytes:
    if not isinstance(secret, bytes) or len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"identity secret must be at least {MIN_SECRET_BYTES} bytes")
    return secret


def _mac(secret: bytes, payload_segment: str) -> bytes:
    return hmac.new(secret, _DOMAIN + payload_segment.encode("ascii"), hashlib.sha256).digest()


def sign_identity(identity: Identity, *, secret: bytes, now: datetime) -> str:
    """The ``X-Burency-Identity`` header value for ``identity``, issued at ``now``."""
    _check_secret(secret)
    if now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    body = {
        "v": _VERSION,
        "sub": identity.user_id,
        "roles": sorted(identity.roles),
        "sid": identity.session_id,
        "jti": identity.token_id,
        "amr": identity.auth_method,
        "scp": sorted(identity.scopes),
        "ev": identity.email_verified,
        "iat": math.floor(now.timestamp()),
    }
    segment = _b64encode(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    return f"{segment}.{_b64encode(_mac(secret, segment))}"


def _invalid(detail: str = "identity header is invalid") -> Unauthenticated:
    return Unauthenticated(detail, code=_CODE)


def _authentic_payload(header_value: str, secret: bytes) -> dict[str, Any]:
    """Check shape and MAC (constant time) *before* parsing any attacker-chosen JSON."""
    if not isinstance(header_value, str) or len(header_value) > _MAX_HEADER_LENGTH:
        raise _invalid()
    if not _SHAPE.match(header_value):
        raise _invalid()
    segment, mac_segment = header_value.split(".")
    try:
        presented = _b64decode(mac_segment)
    except (binascii.Error, ValueError):
        raise _invalid() from None
    if not hmac.compare_digest(presented, _mac(secret, segment)):
        raise _invalid()
    try:
        payload = json.loads(_b64decode(segment))
    except (binascii.Error, ValueError, RecursionError):
        raise _invalid() from None
    if not isinstance(payload, dict) or payload.get("v") != _VERSION:
        raise _invalid()
    return payload


def _identity_from_payload(payload: dict[str, Any]) -> Identity:
    roles, scopes = payload.get("roles"), payload.get("scp")
    if not isinstance(roles, list) or not isinstance(scopes, list):
        raise _invalid()
    try:
        return Identity(
            user_id=payload["sub"],  # value types are checked by Identity.__post_init__
            roles=frozenset(roles),
            session_id=payload.get("sid"),
            token_id=payload.get("jti"),
            auth_method=payload["amr"],
            scopes=frozenset(scopes),
            email_verified=payload.get("ev", False),  # absent: an older signer, not verified
        )
    except (KeyError, ValueError, TypeError):
        raise _invalid() from None


def verify_identity(
    header_value: str,
    *,
    secret: bytes,
    now: datetime,
    max_age: timedelta = timedelta(seconds=60),
) -> Identity:
    """Verify a header made by :func:`sign_identity`; raise ``Unauthenticated`` otherwise.

    Every failure carries the code ``INVALID_IDENTITY_HEADER`` and a fixed message
    (never the header itself).
    """
    _check_secret(secret)
    if now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    payload = _authentic_payload(header_value, secret)
    iat = payload.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int):
        raise _invalid()
    age = now.timestamp() - iat
    if age > max_age.total_seconds():
        raise _invalid("identity header has expired")
    if age < -_FUTURE_SKEW.total_seconds():
        raise _invalid("identity header is not yet valid")
    return _identity_from_payload(payload)


def _request_secret(request: Request) -> bytes:
    secret = getattr(request.app.state, "identity_secret", None)
    if isinstance(secret, str):
        secret = secret.encode()
    if not isinstance(secret, bytes) or len(secret) < MIN_SECRET_BYTES:
        raise ConfigurationError("identity verification is not configured")
    return secret


def identity_from_request(request: Request) -> Identity | None:
    """The verified identity of ``request``, or ``None`` when it carries no identity header.

    A present but invalid header raises ``Unauthenticated`` (401) rather than
    degrading to anonymous: a forged header is an attack, not a guest. The result is
    cached on ``request.state`` and ``request.state.user_id`` is set for access logs.
    """
    cached = getattr(request.state, _STATE_KEY, None)
    if isinstance(cached, Identity):
        return cached
    header_value = request.headers.get(IDENTITY_HEADER)
    if header_value is None:
        return None
    identity = verify_identity(header_value, secret=_request_secret(request), now=utc_now())
    setattr(request.state, _STATE_KEY, identity)
    request.state.user_id = identity.user_id
    return identity


def require_identity() -> Callable[[Request], Awaitable[Identity]]:
    """FastAPI dependency factory: ``identity = Depends(require_identity())``; 401 if anonymous."""

    async def dependency(request: Request) -> Identity:
        identity = identity_from_request(request)
        if identity is None:
            raise Unauthenticated()
        return identity

    return dependency


def require_role(*roles: str) -> Callable[[Request], Awaitable[Identity]]:
    """FastAPI dependency factory: 401 if anonymous, 403 unless the caller has one of ``roles``."""
    if not roles:
        raise ValueError("require_role needs at least one role")
    wanted = frozenset(roles)

    async def dependency(request: Request) -> Identity:
        identity = identity_from_request(request)
        if identity is None:
            raise Unauthenticated()
        if not identity.has_any_role(wanted):
            raise PermissionDenied()
        return identity

    return dependency


def require_verified_email() -> Callable[[Request], Awaitable[Identity]]:
    """FastAPI dependency factory for actions that need a verified e-mail address.

    ``dependencies=[Depends(require_verified_email())]`` on a route: 401 if anonymous,
    403 ``EMAIL_NOT_VERIFIED`` unless the signed identity says the address is verified.
    Deposits, withdrawals, transfers out, KYC submissions and trading declare it: an
    address nobody proved to own must not become a money or identity channel.
    """

    async def dependency(request: Request) -> Identity:
        return check_verified_email(identity_from_request(request))

    return dependency


def check_verified_email(identity: Identity | None) -> Identity:
    """:func:`require_verified_email`'s rule on an identity: 401 if None, 403
    ``EMAIL_NOT_VERIFIED`` unless the address is verified (also for direct routes)."""
    if identity is None:
        raise Unauthenticated()
    if not identity.email_verified:
        raise PermissionDenied(
            "verify your e-mail address first: open the link we sent you (or ask for "
            "a new one), then sign in again or refresh your session",
            code=EMAIL_NOT_VERIFIED,
        )
    return identity


_SCOPE_ATTRIBUTE = "burency_required_scope"


def require_scope(scope: str) -> Callable[[Request], Awaitable[Identity]]:
    """FastAPI dependency factory: 401 if anonymous; an API key must carry ``scope``.

    Defence in depth for money: the gateway already checks API-key scopes, but a
    service that moves money must not rely on the gateway alone (a gateway that
    mis-authorised one path once let a ``trade`` key send funds to another user). So
    the service checks the scope again from the *signed* identity. Login sessions
    (``auth_method == "jwt"``) carry no scopes and have the user's full rights; an API
    key without ``scope`` gets 403 ``API_KEY_SCOPE_MISSING``, the gateway's own error.
    Declare it on the route (``dependencies=[Depends(require_scope("withdraw"))]``);
    :func:`required_scope_of` finds it again, so a test can walk every route.
    """
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; expected one of {sorted(SCOPES)}")

    async def dependency(request: Request) -> Identity:
        return check_scope(identity_from_request(request), scope)

    setattr(dependency, _SCOPE_ATTRIBUTE, scope)
    return dependency


def check_scope(identity: Identity | None, scope: str) -> Identity:
    """:func:`require_scope`'s rule on an identity: 401 if None; an API key without
    ``scope`` is 403 ``API_KEY_SCOPE_MISSING`` (also for direct routes)."""
    if identity is None:
        raise Unauthenticated()
    if identity.auth_method != "jwt" and scope not in identity.scopes:
        raise api_key_error("API_KEY_SCOPE_MISSING")
    return identity


def required_scope_of(dependency: object) -> str | None:
    """The scope a :func:`require_scope` dependency demands; None for any other callable."""
    scope = getattr(dependency, _SCOPE_ATTRIBUTE, None)
    return scope if isinstance(scope, str) else None
