"""The FCM HTTP v1 client (``POST {base}/v1/projects/{project}/messages:send``).

Sends go over :class:`~.http1.Http1Pool` (at most ``concurrency`` keep-alive
connections, one request each at a time, which bounds the sends in flight); the rare
OAuth2 token exchange uses an aiohttp session. A 401 drops the cached access token and
retries the message once with a fresh one. Errors are mapped from the
``google.firebase.fcm.v1.FcmError`` detail (falling back to the gRPC ``status``):
see :func:`classify`. We speak the wire format ourselves instead of using
firebase-admin, whose messaging API is synchronous (docs/adr/0010-own-fcm-client.md).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp

from burency_notifications.adapters.channels import OutboundMessage, RecordingChannel
from burency_notifications.adapters.push.credentials import (
    AccessTokenSource,
    CredentialsError,
    ServiceAccount,
)
from burency_notifications.adapters.push.http1 import Http1Pool
from burency_notifications.adapters.push.message import (
    PushError,
    PushMessage,
    PushPermanentError,
    PushTokenInvalid,
    PushTransientError,
)

__all__ = ["DEFAULT_BASE_URL", "FcmClient", "RecordingPushSender", "classify"]

DEFAULT_BASE_URL = "https://fcm.googleapis.com"
_FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
_BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
_PERMANENT = frozenset({"SENDER_ID_MISMATCH", "THIRD_PARTY_AUTH_ERROR"})
_TRANSIENT = frozenset({"QUOTA_EXCEEDED", "UNAVAILABLE", "INTERNAL", "RESOURCE_EXHAUSTED"})


def _retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or an HTTP date)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    from datetime import UTC, datetime  # noqa: PLC0415 - rare path

    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _details(body: Any) -> tuple[str | None, str | None, list[str]]:
    """(FcmError errorCode, gRPC status, BadRequest field names) of an error body."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None, None, []
    code: str | None = None
    fields: list[str] = []
    for detail in error.get("details") or ():
        if not isinstance(detail, dict):
            continue
        if detail.get("@type") == _FCM_ERROR:
            code = str(detail.get("errorCode") or "") or None
        elif detail.get("@type") == _BAD_REQUEST:
            fields += [
                str(v.get("field"))
                for v in detail.get("fieldViolations") or ()
                if isinstance(v, dict)
            ]
    status = error.get("status")
    return code, str(status) if status else None, fields


def classify(status: int, body: Any, headers: Mapping[str, str]) -> PushError:
    """Map an FCM error answer to our error tree."""
    code, grpc_status, fields = _details(body)
    reason = f"fcm {status} {code or grpc_status or 'error'}"
    kind = code or grpc_status
    if kind == "UNREGISTERED":
        return PushTokenInvalid(reason)
    if kind == "INVALID_ARGUMENT":
        # FcmError INVALID_ARGUMENT without field violations means "not a valid
        # registration token"; a BadRequest naming another field is our bug, not the token's
        if "message.token" in fields or (code == "INVALID_ARGUMENT" and not fields):
            return PushTokenInvalid(reason)
        return PushPermanentError(reason)
    if kind in _PERMANENT:
        return PushPermanentError(reason)
    if kind in _TRANSIENT or status >= 500 or status == 429:
        return PushTransientError(reason, retry_after=_retry_after(headers.get("Retry-After")))
    if status == 401:
        return PushTransientError(reason)  # credentials may be rotated; back off
    return PushPermanentError(reason)  # SENDER_ID_MISMATCH, THIRD_PARTY_AUTH_ERROR, 403, 4xx


@dataclass
class FcmClient:
    """Sends :class:`PushMessage` s to FCM; use one per process, :meth:`close` at the end."""

    account: ServiceAccount
    base_url: str = DEFAULT_BASE_URL
    concurrency: int = 100
    timeout: float = 10.0
    token_uri: str | None = None
    _session: aiohttp.ClientSession | None = field(default=None, init=False, repr=False)
    _pool: Http1Pool | None = field(default=None, init=False, repr=False)
    _tokens: AccessTokenSource | None = field(default=None, init=False, repr=False)

    @property
    def tokens(self) -> AccessTokenSource:
        if self._tokens is None:
            account = self.account
            if self.token_uri:
                account = ServiceAccount(
                    client_email=account.client_email,
                    private_key=account.private_key,
                    token_uri=self.token_uri,
                    project_id=account.project_id,
                    private_key_id=account.private_key_id,
                )
            self._tokens = AccessTokenSource(
                account=account, session=self.session, timeout=self.timeout
            )
        return self._tokens

    def session(self) -> aiohttp.ClientSession:
        """The token endpoint's session, created on first use (inside the running loop)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=4, keepalive_timeout=30)
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=aiohttp.ClientTimeout(total=self.timeout)
            )
        return self._session

    @property
    def path(self) -> str:
        return f"/v1/projects/{self.account.project_id}/messages:send"

    @property
    def url(self) -> str:
        return f"{self.base_url.rstrip('/')}{self.path}"

    def _sends(self) -> Http1Pool:
        if self._pool is None:
            self._pool = Http1Pool(self.base_url, size=self.concurrency, timeout=self.timeout)
        return self._pool

    async def send(self, message: PushMessage) -> str:
        """Send one message; returns FCM's message name, or raises a :class:`PushError`."""
        body = json.dumps({"message": message.to_fcm()}, separators=(",", ":")).encode()
        for attempt in (1, 2):
            try:
                token = await self.tokens.token()
            except CredentialsError as exc:
                raise PushTransientError(str(exc)) from None
            status, answer, headers = await self._post(token, body)
            if status == 200 and isinstance(answer, dict) and "name" in answer:
                return str(answer["name"])
            if status == 401 and attempt == 1 and _details(answer)[0] is None:
                self.tokens.invalidate(token)
                continue
            raise classify(status, answer, headers)
        raise PushTransientError("fcm 401 after token refresh")  # pragma: no cover

    async def _post(self, token: str, body: bytes) -> tuple[int, Any, Mapping[str, str]]:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        try:
            response = await self._sends().post(self.path, body, headers)
        except (OSError, TimeoutError, ValueError, asyncio.IncompleteReadError) as exc:
            raise PushTransientError(f"fcm {type(exc).__name__}") from None
        try:
            answer = json.loads(response.body) if response.body else None
        except ValueError:
            answer = None
        return response.status, answer, {"Retry-After": response.headers.get("retry-after", "")}

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        if self._session is not None:
            await self._session.close()
            self._session = None


@dataclass
class RecordingPushSender:
    """Embedded mode: keeps the push in the dev outbox instead of sending it."""

    recorder: RecordingChannel
    sent: int = 0

    async def send(self, message: PushMessage) -> str:
        self.sent += 1
        await self.recorder.send(
            OutboundMessage(
                delivery_id=message.collapse_id,
                notification_id=message.collapse_id,
                event=message.data.get("event", ""),
                channel="push",
                user_id=message.data.get("userId", ""),
                address=f"device …{message.token[-6:]}",
                subject=message.title,
                text=message.body,
                html="",
                sms="",
                push=message.body,
            )
        )
        return f"recorded/{message.collapse_id}/{self.sent}"

    async def close(self) -> None:
        return None
