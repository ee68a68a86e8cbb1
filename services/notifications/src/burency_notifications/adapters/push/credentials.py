"""Service-account credentials and the OAuth2 JWT-bearer token exchange (RFC 7523).

Google's server-to-server flow: sign a JWT with the service account's RSA key (RS256;
``iss`` = client_email, ``scope``, ``aud`` = token_uri, ``iat``, ``exp`` <= 1 h), POST
it as ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<jwt>`` to
``token_uri`` and use the returned ``access_token`` as a Bearer token until shortly
before ``expires_in`` runs out. :class:`AccessTokenSource` caches the token, lets one
caller refresh while the others wait, and drops it when FCM answers 401.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import jwt

__all__ = ["FCM_SCOPE", "GRANT_TYPE", "AccessTokenSource", "CredentialsError", "ServiceAccount"]

FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_ASSERTION_LIFETIME = 3600
_REFRESH_MARGIN = 60.0


class CredentialsError(Exception):
    """The service account is unusable or the token endpoint refused it."""


@dataclass(frozen=True)
class ServiceAccount:
    """The fields of a Google service-account JSON key that the exchange needs."""

    client_email: str
    private_key: str = field(repr=False)
    token_uri: str
    project_id: str
    private_key_id: str | None = None

    @classmethod
    def from_info(cls, info: dict[str, Any]) -> ServiceAccount:
        missing = [
            k for k in ("client_email", "private_key", "token_uri", "project_id") if not info.get(k)
        ]
        if missing:
            raise CredentialsError(f"service account JSON lacks {', '.join(missing)}")
        return cls(
            client_email=str(info["client_email"]),
            private_key=str(info["private_key"]),
            token_uri=str(info["token_uri"]),
            project_id=str(info["project_id"]),
            private_key_id=str(info["private_key_id"]) if info.get("private_key_id") else None,
        )

    @classmethod
    def from_json(cls, text: str) -> ServiceAccount:
        try:
            info = json.loads(text)
        except ValueError:
            raise CredentialsError("service account JSON is not valid JSON") from None
        if not isinstance(info, dict):
            raise CredentialsError("service account JSON is not an object")
        return cls.from_info(info)

    @classmethod
    def from_file(cls, path: Path) -> ServiceAccount:
        return cls.from_json(path.read_text(encoding="utf-8"))

    def assertion(self, *, now: float, scope: str = FCM_SCOPE) -> str:
        """The signed JWT the token endpoint exchanges for an access token."""
        claims = {
            "iss": self.client_email,
            "scope": scope,
            "aud": self.token_uri,
            "iat": int(now),
            "exp": int(now) + _ASSERTION_LIFETIME,
        }
        headers = {"kid": self.private_key_id} if self.private_key_id else None
        try:
            return jwt.encode(claims, self.private_key, algorithm="RS256", headers=headers)
        except (ValueError, TypeError, jwt.PyJWTError):
            raise CredentialsError("service account private key is not a usable RSA key") from None


@dataclass
class AccessTokenSource:
    """A cached OAuth2 access token for one service account."""

    account: ServiceAccount
    session: Callable[[], aiohttp.ClientSession]
    scope: str = FCM_SCOPE
    clock: Callable[[], float] = time.time
    timeout: float = 10.0
    _token: str | None = field(default=None, init=False, repr=False)
    _expires_at: float = field(default=0.0, init=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)
    exchanges: int = field(default=0, init=False)

    async def token(self) -> str:
        """A valid access token (exchanged when missing or about to expire)."""
        token = self._token
        if token is not None and self.clock() < self._expires_at - _REFRESH_MARGIN:
            return token
        async with self._lock:
            token = self._token
            if token is not None and self.clock() < self._expires_at - _REFRESH_MARGIN:
                return token
            return await self._exchange()

    def invalidate(self, token: str) -> None:
        """Forget ``token`` (FCM answered 401 with it); a newer one is kept."""
        if self._token == token:
            self._token = None

    async def _exchange(self) -> str:
        now = self.clock()  # expiry bookkeeping; the assertion is signed at wall-clock time
        form = {
            "grant_type": GRANT_TYPE,
            "assertion": self.account.assertion(now=time.time(), scope=self.scope),
        }
        try:
            async with self.session().post(
                self.account.token_uri,
                data=form,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                body = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise CredentialsError(f"token endpoint unreachable ({type(exc).__name__})") from None
        if status != 200 or not isinstance(body, dict) or "access_token" not in body:
            error = body.get("error") if isinstance(body, dict) else None
            raise CredentialsError(f"token endpoint refused the assertion ({status} {error})")
        self._token = str(body["access_token"])
        self._expires_at = now + float(body.get("expires_in", 3600))
        self.exchanges += 1
        return self._token
