"""Publishing keys as a JWKS document and fetching them back in resource services.

The client is deliberately conservative:

* it parses only public ``OKP``/``Ed25519`` keys with ``alg=EdDSA`` and ignores
  everything else (RSA, EC, HMAC ``oct`` keys, keys carrying a private ``d``);
* an unknown ``kid`` triggers at most one refresh per ``min_refresh_interval``,
  so tokens with random ``kid`` values cannot turn every request into a JWKS
  fetch against the auth service; malformed ``kid`` values never trigger one;
* concurrent callers share one in-flight refresh (an ``asyncio.Lock`` plus a
  generation counter: whoever waited on the lock reuses the result);
* if a refresh fails, keys from the last good fetch stay usable for
  ``max_stale`` beyond ``cache_ttl`` (an auth-service blip must not log out the
  whole exchange); past that, ``TokenKeysUnavailable`` is raised.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from burency_common.tokens._errors import TokenKeysUnavailable, TokenKeyUnknown
from burency_common.tokens._jwt import (
    DEFAULT_LEEWAY,
    TokenType,
    VerifiedToken,
    read_header,
    verify_token,
)
from burency_common.tokens._keys import KeyRing, VerificationKey, is_valid_kid

__all__ = ["JWKSClient", "build_jwks", "parse_jwks"]

logger = logging.getLogger(__name__)

_MAX_DOCUMENT_BYTES = 64 * 1024


def build_jwks(keys: KeyRing | Iterable[VerificationKey]) -> dict[str, list[dict[str, str]]]:
    """The JWKS document to serve (e.g. at ``/.well-known/jwks.json``); public keys only."""
    published = keys.verification_keys() if isinstance(keys, KeyRing) else keys
    return {"keys": [key.public_jwk() for key in published]}


def parse_jwks(document: object) -> dict[str, Ed25519PublicKey]:
    """Extract usable Ed25519 keys by ``kid``; unusable entries are skipped, not fatal."""
    if not isinstance(document, Mapping) or not isinstance(document.get("keys"), list):
        raise TokenKeysUnavailable("JWKS document has no 'keys' list")
    keys: dict[str, Ed25519PublicKey] = {}
    for entry in document["keys"]:
        if not isinstance(entry, Mapping):
            continue
        if "d" in entry:
            logger.error("JWKS publishes a private key; entry ignored")
            continue
        try:
            key = VerificationKey.from_jwk(entry)
        except ValueError:
            continue
        if key.kid in keys:
            logger.warning("JWKS lists a kid twice; keeping the first entry")
            continue
        keys[key.kid] = key.public_key
    return keys


class JWKSClient:
    """Caching JWKS fetcher and token verifier for services that only verify tokens."""

    def __init__(
        self,
        url: str,
        *,
        http: httpx.AsyncClient,
        cache_ttl: timedelta = timedelta(seconds=300),
        min_refresh_interval: timedelta = timedelta(seconds=30),
        max_stale: timedelta = timedelta(hours=1),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``clock`` returns monotonic seconds (injectable for tests)."""
        self._url = url
        self._http = http
        self._ttl = cache_ttl.total_seconds()
        self._min_interval = min_refresh_interval.total_seconds()
        self._max_stale = max_stale.total_seconds()
        self._clock = clock
        self._lock = asyncio.Lock()
        self._keys: dict[str, Ed25519PublicKey] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._generation = 0

    def _age(self) -> float | None:
        return None if self._fetched_at is None else self._clock() - self._fetched_at

    async def get_key(self, kid: str) -> Ed25519PublicKey:
        """Public key for ``kid``; refreshes (rate-limited) when unknown or stale.

        Raises ``TokenKeyUnknown`` if the key set does not contain ``kid`` even
        after a permitted refresh, ``TokenKeysUnavailable`` if no usable key set
        could be obtained.
        """
        if not is_valid_kid(kid):
            raise TokenKeyUnknown()
        age = self._age()
        if age is None or age >= self._ttl or kid not in self._keys:
            await self._refresh()
            age = self._age()
        if age is None or age >= self._ttl + self._max_stale:
            raise TokenKeysUnavailable()
        key = self._keys.get(kid)
        if key is None:
            raise TokenKeyUnknown(kid=kid)
        return key

    async def _refresh(self) -> None:
        seen = self._generation
        async with self._lock:
            if self._generation != seen:
                return  # another caller refreshed while we waited: share its result
            if (
                self._attempted_at is not None
                and self._clock() - self._attempted_at < self._min_interval
            ):
                return
            self._generation += 1
            try:
                keys = await self._fetch()
            except TokenKeysUnavailable:
                logger.warning("JWKS refresh from %s failed", self._url)
                return
            finally:
                self._attempted_at = self._clock()
            self._keys = keys
            self._fetched_at = self._clock()

    async def _fetch(self) -> dict[str, Ed25519PublicKey]:
        try:
            async with self._http.stream(
                "GET", self._url, headers={"Accept": "application/json"}
            ) as response:
                if response.status_code != httpx.codes.OK:
                    raise TokenKeysUnavailable("JWKS endpoint answered an error status")
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > _MAX_DOCUMENT_BYTES:
                        raise TokenKeysUnavailable("JWKS document is too large")
        except httpx.HTTPError:
            raise TokenKeysUnavailable("JWKS endpoint is unreachable") from None
        try:
            document: Any = json.loads(bytes(body))
        except (ValueError, RecursionError):
            raise TokenKeysUnavailable("JWKS document is not JSON") from None
        return parse_jwks(document)

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
        """Read ``kid`` from the header, fetch its key, then ``verify_token``.

        The header is vetted (``alg`` allow-list, ``kid`` shape) before any fetch.
        """
        _, kid = read_header(token)
        key = await self.get_key(kid)
        return verify_token(
            token,
            keys={kid: key},
            issuer=issuer,
            audience=audience,
            expected_type=expected_type,
            now=now,
            leeway=leeway,
        )
