"""API-key authentication at the gateway: local cheap checks, then the auth service decides.

The gateway never holds API-key secrets; the auth service does, so only it can check
an HMAC. :class:`RemoteApiKeyVerifier` therefore splits the work:

1. locally, for free: the key id's shape, the signed request's shape
   (:func:`~burency_common.apikeys.parse_signed_request`) and its clock window, so
   junk and stale replays never cost an internal round trip;
2. remotely: ``POST /internal/v1/api-keys/verify`` (contract in ``docs/api-keys.md``)
   checks the key, the MAC and the IP allow-list, and answers who the key belongs to;
3. locally again: the key's scopes must include the scope this request needs
   (``read``/``trade`` by method, ``withdraw`` where declared).

The gateway proves to the auth service that it is the gateway with a signed
``X-Burency-Identity`` (``service:gateway``, role ``service``). Refusals from the auth
service are re-raised with the same class and code; anything else it answers
(unexpected status or code, malformed body, unreachable) is a 503
``API_KEY_VERIFICATION_UNAVAILABLE``: failing open is not an option, and a
misconfigured gateway is not the client's fault. Nothing logged here carries the
key id, the signature or the payload.
"""

from __future__ import annotations

import base64
import fnmatch
import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

import httpx

from burency_common.apikeys import (
    API_KEY_ERROR_CODES,
    API_KEY_HEADER,
    SCOPES,
    SignedRequest,
    api_key_error,
    check_timestamp,
    is_valid_key_id,
    parse_signed_request,
    scope_for,
)
from burency_common.errors import BurencyError, ServiceUnavailable
from burency_common.identity import IDENTITY_HEADER, MIN_SECRET_BYTES, Identity, sign_identity
from burency_common.logging import get_logger
from burency_common.timeutil import to_epoch_ms, utc_now
from burency_gateway.security.authn import AuthRequest

__all__ = [
    "GATEWAY_SERVICE_USER",
    "VERIFY_PATH",
    "PostJson",
    "RemoteApiKeyVerifier",
    "default_required_scope",
    "path_scopes",
]

VERIFY_PATH = "/internal/v1/api-keys/verify"
GATEWAY_SERVICE_USER = "service:gateway"
PostJson = Callable[[str, dict[str, Any], dict[str, str]], Awaitable[httpx.Response]]
"""``(url, json_body, headers) -> response``: how the verifier reaches the auth service."""

_HEADER = API_KEY_HEADER.lower()
_UNAVAILABLE_CODE = "API_KEY_VERIFICATION_UNAVAILABLE"
_READ = "read"
_log = get_logger("burency.gateway.apikey")


def default_required_scope(request: AuthRequest) -> str:
    """``read`` for GET/HEAD, ``trade`` for everything else."""
    return scope_for(request.method)


def path_scopes(overrides: Mapping[str, str]) -> Callable[[AuthRequest], str]:
    """A ``required_scope`` hook: glob over the gateway path → scope, for non-read methods.

    ``path_scopes({"/api/wallet/v1/withdrawals*": "withdraw"})`` makes creating a
    withdrawal need ``withdraw`` while listing them (GET) still needs only ``read``.
    """
    rules: list[tuple[re.Pattern[str], str]] = []
    for pattern, scope in overrides.items():
        if scope not in SCOPES:
            raise ValueError(f"unknown scope {scope!r}; expected one of {sorted(SCOPES)}")
        rules.append((re.compile(fnmatch.translate(pattern)), scope))

    def required_scope(request: AuthRequest) -> str:
        default = scope_for(request.method)
        if default == _READ:
            return default
        for regex, scope in rules:
            if regex.match(request.path):
                return scope
        return default

    return required_scope


def _unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(
        "API key verification is unavailable",
        code=_UNAVAILABLE_CODE,
        headers={"Retry-After": "1"},
    )


def _string_list(value: object) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        return None
    return value


def _refusal(response: httpx.Response) -> BurencyError:
    """The auth service's refusal as the same Burency error, or 503 if it is not one."""
    try:
        body = response.json()
    except ValueError:
        body = None
    code = body.get("code") if isinstance(body, dict) else None
    if isinstance(code, str) and code in API_KEY_ERROR_CODES:
        error = api_key_error(code)
        if error.status == response.status_code:
            return error
    _log.warning("apikey.auth_unexpected_answer", status=response.status_code)
    return _unavailable()


def _identity(response: httpx.Response, key_id: str) -> Identity:
    """Build the caller's identity from a 200 answer; a malformed answer is a 503."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        user_id, roles, scopes = body.get("userId"), body.get("roles"), body.get("scopes")
        role_list, scope_list = _string_list(roles), _string_list(scopes)
        if (
            isinstance(user_id, str)
            and role_list is not None
            and scope_list is not None
            and body.get("keyId") == key_id
        ):
            try:
                return Identity(
                    user_id=user_id,
                    roles=frozenset(role_list),
                    auth_method="api_key",
                    scopes=frozenset(scope_list),
                    email_verified=body.get("emailVerified") is True,
                )
            except ValueError:
                pass
    _log.warning("apikey.auth_malformed_answer")
    raise _unavailable()


class RemoteApiKeyVerifier:
    """The gateway's :class:`~burency_gateway.security.authn.ApiKeyVerifier` for API keys.

    Give it either ``post`` (any ``(url, json, headers) -> httpx.Response`` coroutine)
    or ``http`` (an ``httpx.AsyncClient``; embedded mode passes one on an ASGI
    transport) plus ``base_url``. ``client_ip`` says where a request came from; it is
    a hook because only the integrator knows which proxies to trust (``None`` =
    unknown, which no non-empty allow-list matches). ``required_scope`` defaults to
    :func:`default_required_scope`; use :func:`path_scopes` to declare ``withdraw``.
    """

    def __init__(
        self,
        *,
        identity_secret: bytes,
        client_ip: Callable[[AuthRequest], str | None],
        post: PostJson | None = None,
        http: httpx.AsyncClient | None = None,
        base_url: str = "",
        required_scope: Callable[[AuthRequest], str] = default_required_scope,
        clock: Callable[[], datetime] = utc_now,
        timeout: float = 2.0,
    ) -> None:
        if (post is None) == (http is None):
            raise ValueError("pass exactly one of post= or http=")
        if not isinstance(identity_secret, bytes) or len(identity_secret) < MIN_SECRET_BYTES:
            raise ValueError(f"identity_secret must be at least {MIN_SECRET_BYTES} bytes")
        self._secret = identity_secret
        self._client_ip = client_ip
        self._url = base_url.rstrip("/") + VERIFY_PATH
        self._required_scope = required_scope
        self._clock = clock
        self._service = Identity(user_id=GATEWAY_SERVICE_USER, roles=frozenset({"service"}))
        if post is not None:
            self._post = post
        else:
            assert http is not None
            client = http

            async def post_with_client(
                url: str, body: dict[str, Any], headers: dict[str, str]
            ) -> httpx.Response:
                return await client.post(url, json=body, headers=headers, timeout=timeout)

            self._post = post_with_client

    def accepts(self, request: AuthRequest) -> bool:
        """Whether the request carries an ``X-BURENCY-APIKEY`` header (even an empty one)."""
        return _HEADER in request.headers

    async def verify(self, request: AuthRequest) -> Identity:
        """The key owner's identity with the key's scopes, or a 400/401/403/503 error."""
        key_id = request.headers.get(_HEADER, "").strip()
        if not is_valid_key_id(key_id):
            raise api_key_error("API_KEY_UNKNOWN")
        signed = parse_signed_request(request.query, request.body)
        now = self._clock()
        check_timestamp(signed, now_ms=to_epoch_ms(now))
        response = await self._ask_auth(key_id, signed, request, now)
        identity = _identity(response, key_id)
        if self._required_scope(request) not in identity.scopes:
            raise api_key_error("API_KEY_SCOPE_MISSING")
        return identity

    async def _ask_auth(
        self, key_id: str, signed: SignedRequest, request: AuthRequest, now: datetime
    ) -> httpx.Response:
        body: dict[str, Any] = {
            "apiKey": key_id,
            "payload": base64.b64encode(signed.payload).decode("ascii"),
            "signature": signed.signature,
            "timestamp": signed.timestamp_ms,
            "recvWindow": signed.recv_window_ms,
            "ip": self._client_ip(request),
            "method": request.method.upper(),
            "path": request.path,
        }
        headers = {IDENTITY_HEADER: sign_identity(self._service, secret=self._secret, now=now)}
        try:
            response = await self._post(self._url, body, headers)
        except (httpx.HTTPError, OSError) as exc:
            _log.warning("apikey.auth_unreachable", error=type(exc).__name__)
            raise _unavailable() from None
        if response.status_code == httpx.codes.OK:
            return response
        raise _refusal(response)
