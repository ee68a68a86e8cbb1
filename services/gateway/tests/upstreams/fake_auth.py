"""A fake auth service implementing the internal API-key contract of docs/api-keys.md.

It is the reference implementation the real auth service follows: an in-memory key
table, the real ``verify_signed_request`` and ``ip_allowed``, problem+json refusals.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request

from burency_common.apikeys import SignedRequest, api_key_error, ip_allowed, verify_signed_request
from burency_common.errors import BadRequest, PermissionDenied
from burency_common.identity import IDENTITY_HEADER, verify_identity
from burency_common.timeutil import to_epoch_ms, utc_now
from burency_common.web import install_problem_handlers
from burency_gateway.security.apikey import VERIFY_PATH


@dataclass(frozen=True)
class Key:
    secret: str
    user_id: str
    scopes: tuple[str, ...]
    allow: tuple[str, ...] = ()
    email_verified: bool = False


def auth_app(
    keys: dict[str, Key], *, identity_secret: bytes, now: datetime | None = None
) -> FastAPI:
    """The auth side of the contract, as small as it can be while still honest."""
    app = FastAPI()
    install_problem_handlers(app)

    @app.post(VERIFY_PATH)
    async def verify(request: Request) -> dict[str, Any]:
        caller = verify_identity(
            request.headers.get(IDENTITY_HEADER, ""), secret=identity_secret, now=now or utc_now()
        )
        if caller.user_id != "service:gateway" or "service" not in caller.roles:
            raise PermissionDenied(code="NOT_THE_GATEWAY")
        body = await request.json()
        key = keys.get(body["apiKey"])
        if key is None:
            raise api_key_error("API_KEY_UNKNOWN")
        try:
            payload = base64.b64decode(body["payload"], validate=True)
        except binascii.Error:
            raise BadRequest(code="PAYLOAD_NOT_BASE64") from None
        signed = SignedRequest(payload, body["signature"], body["timestamp"], body["recvWindow"])
        verify_signed_request(key.secret, signed, now_ms=to_epoch_ms(now or utc_now()))
        if not ip_allowed(body["ip"], key.allow):
            raise api_key_error("API_KEY_IP_NOT_ALLOWED")
        return {"userId": key.user_id, "roles": ["trader"], "scopes": list(key.scopes),
                "keyId": body["apiKey"], "emailVerified": key.email_verified}  # fmt: skip

    return app
