"""A local server speaking the FCM HTTP v1 and Google OAuth2 token wire formats.

* ``POST /token``: form ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`` and
  ``assertion``; the RS256 assertion is verified against the service account's public
  key (``iss`` = client_email, ``aud`` = this endpoint's URL, the FCM ``scope``, ``exp``
  at most 1 h after ``iat``). Answers ``{"access_token", "expires_in", "token_type"}``
  or ``400 {"error": "invalid_grant", ...}``.
* ``POST /v1/projects/{project}/messages:send``: Bearer access token (401
  ``UNAUTHENTICATED`` otherwise), ``{"message": {"token", ...}}``; answers
  ``{"name": "projects/{project}/messages/{n}"}`` or FCM's error body with a
  ``google.firebase.fcm.v1.FcmError`` detail: 404 UNREGISTERED for ``unregistered``
  tokens, 400 INVALID_ARGUMENT for ``invalid`` ones, and scripted ``fail_next``
  answers (e.g. 503 UNAVAILABLE with ``Retry-After``).

The benchmark runs the leaner :mod:`burency_testing.fcm_lean` in a process of
its own instead (same wire format, counts only).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from burency_testing.infra import free_port

__all__ = ["FcmServer", "make_service_account"]

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"


def make_service_account(project_id: str = "burency-test") -> tuple[dict[str, str], str]:
    """A fresh service-account key (JSON fields) and its public key (PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    info = {
        "type": "service_account",
        "project_id": project_id,
        "private_key_id": secrets.token_hex(8),
        "private_key": private,
        "client_email": f"fcm@{project_id}.iam.gserviceaccount.com",
        "token_uri": "set-by-the-test",
    }
    return info, public


def check_assertion(
    assertion: str, public_key: str, client_email: str, token_uri: str
) -> dict[str, str] | None:
    """None when the RS256 assertion is valid for the FCM scope, else the OAuth2 error body."""
    try:
        claims = jwt.decode(
            assertion,
            public_key,
            algorithms=["RS256"],
            audience=token_uri,
            issuer=client_email,
            options={"require": ["iss", "aud", "exp", "iat", "scope"]},
        )
    except jwt.PyJWTError as exc:
        return {"error": "invalid_grant", "error_description": str(exc)}
    if SCOPE not in str(claims["scope"]).split() or claims["exp"] - claims["iat"] > 3600:
        return {"error": "invalid_scope"}
    return None


def _fcm_error(status: int, grpc: str, code: str | None, message: str) -> dict[str, Any]:
    details = [{"@type": _FCM_ERROR, "errorCode": code}] if code else []
    return {"error": {"code": status, "message": message, "status": grpc, "details": details}}


@dataclass
class FcmServer:
    """``async with FcmServer(public_key, client_email) as server`` (``server.url``)."""

    public_key: str
    client_email: str
    project_id: str = "burency-test"
    expires_in: int = 3600
    host: str = "127.0.0.1"
    port: int = 0
    record: bool = True
    unregistered: set[str] = field(default_factory=set)
    invalid: set[str] = field(default_factory=set)
    fail_next: list[tuple[int, str, str | None, int | None]] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    access_tokens: set[str] = field(default_factory=set)
    token_requests: int = 0
    send_requests: int = 0
    delay: float = 0.0
    url: str = ""
    _runner: web.AppRunner | None = None

    async def __aenter__(self) -> FcmServer:
        app = web.Application()
        app.router.add_post("/token", self._token)
        app.router.add_post("/v1/projects/{project}/messages:send", self._send)
        app.router.add_get("/stats", self._stats)
        app.router.add_post("/reset", self._reset)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        port = self.port or free_port()
        await web.TCPSite(self._runner, self.host, port).start()
        self.url = f"http://{self.host}:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def token_uri(self) -> str:
        return f"{self.url}/token"

    def revoke_all(self) -> None:
        """Every access token issued so far stops working (expiry, revocation)."""
        self.access_tokens.clear()

    async def _token(self, request: web.Request) -> web.Response:
        self.token_requests += 1
        form = await request.post()
        if form.get("grant_type") != GRANT:
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        refusal = check_assertion(
            str(form.get("assertion", "")), self.public_key, self.client_email, self.token_uri
        )
        if refusal is not None:
            return web.json_response(refusal, status=400)
        token = "ya29." + secrets.token_urlsafe(24)
        self.access_tokens.add(token)
        return web.json_response(
            {"access_token": token, "expires_in": self.expires_in, "token_type": "Bearer"}
        )

    async def _send(self, request: web.Request) -> web.Response:
        self.send_requests += 1
        if request.headers.get("Authorization", "")[7:] not in self.access_tokens:
            body = _fcm_error(
                401, "UNAUTHENTICATED", None, "Request had invalid authentication credentials."
            )
            return web.json_response(body, status=401)
        if request.match_info["project"] != self.project_id:
            return web.json_response(
                _fcm_error(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH", "x"), status=403
            )
        if self.fail_next:
            status, grpc, code, retry_after = self.fail_next.pop(0)
            headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
            return web.json_response(
                _fcm_error(status, grpc, code, "scripted"), status=status, headers=headers
            )
        if self.delay:
            await asyncio.sleep(self.delay)  # a slower provider, so a test can kill mid-way
        message = (json.loads(await request.read()) or {}).get("message") or {}
        token = message.get("token")
        if not isinstance(token, str) or token in self.invalid:
            body = _fcm_error(
                400,
                "INVALID_ARGUMENT",
                "INVALID_ARGUMENT",
                "The registration token is not a valid FCM registration token",
            )
            return web.json_response(body, status=400)
        if token in self.unregistered:
            return web.json_response(
                _fcm_error(404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found."),
                status=404,
            )
        self.counts[token] += 1
        if self.record:
            self.received.append(message)
        return web.json_response(
            {"name": f"projects/{self.project_id}/messages/0:{sum(self.counts.values())}"}
        )

    async def _reset(self, request: web.Request) -> web.Response:
        self.counts.clear()
        self.received.clear()
        return web.json_response({})

    async def _stats(self, request: web.Request) -> web.Response:
        total = sum(self.counts.values())
        duplicates = {t: n for t, n in self.counts.items() if n > 1}
        return web.json_response(
            {
                "received": total,
                "unique": len(self.counts),
                "duplicates": sum(n - 1 for n in duplicates.values()),
                "duplicate_tokens": sorted(duplicates)[:1000],
                "at": time.time(),
            }
        )
