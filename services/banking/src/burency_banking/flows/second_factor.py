"""The ``SecondFactorVerifier`` port and its adapter over auth's internal HTTP API.

Withdrawals need the user's current 2FA code. Auth owns the TOTP secrets, so banking
asks ``POST /internal/v1/second-factor/verify`` (with a freshly signed
``service:banking`` identity) and maps the answer to banking's own errors, with the
same status per code as auth (one status per code across services): a refused code is
403 (never 401, which would read as "your session ended" to a client), 2FA not enabled
409, throttling 429, and anything unexpected is 503 ``AUTH_UNAVAILABLE`` so a withdrawal
is never placed without a verified code. The code itself is never logged.
"""

from __future__ import annotations

from typing import Protocol

import httpx

from burency_banking.flows.errors import (
    AuthUnavailable,
    SecondFactorNotEnabled,
    SecondFactorRefused,
    SecondFactorThrottled,
)
from burency_common.identity import IDENTITY_HEADER, Identity, sign_identity
from burency_common.logging import get_logger
from burency_common.timeutil import utc_now

__all__ = ["SECOND_FACTOR_PATH", "HttpSecondFactorVerifier", "SecondFactorVerifier"]

SECOND_FACTOR_PATH = "/internal/v1/second-factor/verify"
_SERVICE = Identity(user_id="service:banking", roles=frozenset({"service"}))
_REFUSALS = {
    "TOTP_INVALID": "the two-factor code is not valid",
    "TOTP_REUSED": "this two-factor code was already used; wait for the next one",
    "TOTP_REQUIRED": "a two-factor code is required",
    "ACCOUNT_DISABLED": "this account is disabled",
}
_NOT_ENABLED = "TOTP_NOT_ENABLED"
_log = get_logger("burency.banking.second_factor")


class SecondFactorVerifier(Protocol):
    async def verify(self, *, user_id: str, code: str, ip: str | None) -> None:
        """Return when ``code`` is accepted (and consumed); raise otherwise."""
        ...

    async def aclose(self) -> None: ...


class HttpSecondFactorVerifier:
    """Calls auth through ``http`` (base URL set; an ASGI transport in embedded mode)."""

    def __init__(
        self, http: httpx.AsyncClient | None, *, identity_secret: bytes, owns_http: bool = False
    ) -> None:
        self._http = http
        self._secret = identity_secret
        self._owns_http = owns_http

    @classmethod
    def from_url(
        cls, url: str, *, identity_secret: bytes, timeout: float
    ) -> HttpSecondFactorVerifier:
        http = httpx.AsyncClient(base_url=url, timeout=timeout)
        return cls(http, identity_secret=identity_secret, owns_http=True)

    async def aclose(self) -> None:
        if self._owns_http and self._http is not None:
            await self._http.aclose()

    async def verify(self, *, user_id: str, code: str, ip: str | None) -> None:
        if self._http is None:
            raise AuthUnavailable("two-factor codes cannot be checked: auth is not configured")
        header = sign_identity(_SERVICE, secret=self._secret, now=utc_now())
        body = {"userId": user_id, "code": code, "ip": ip}
        try:
            response = await self._http.post(
                SECOND_FACTOR_PATH, json=body, headers={IDENTITY_HEADER: header}
            )
        except httpx.HTTPError as exc:
            _log.warning("auth.unreachable", error=type(exc).__name__)
            raise AuthUnavailable() from None
        if response.status_code == 204:
            return
        self._refuse(response)

    def _refuse(self, response: httpx.Response) -> None:
        try:
            code = str(response.json().get("code", ""))
        except ValueError:
            code = ""
        if response.status_code in (401, 403, 409) and code in _REFUSALS:
            raise SecondFactorRefused(_REFUSALS[code], code=code)
        if response.status_code == 409 and code == _NOT_ENABLED:
            raise SecondFactorNotEnabled("enable two-factor authentication before withdrawing")
        if response.status_code == 429:
            retry = response.headers.get("retry-after", "60")
            raise SecondFactorThrottled(
                "too many wrong two-factor codes; try again later",
                retry_after=int(retry) if retry.isdigit() else 60,
            )
        _log.warning("auth.second_factor_error", status=response.status_code, code=code)
        raise AuthUnavailable()
