"""Shared pieces of the API-key tests: users with sessions, keys, and the gateway's
internal verification call as the gateway makes it."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import httpx
import pyotp

from burency_auth.entrypoints.http.apikeys import VERIFY_PATH
from burency_common.apikeys import sign
from burency_common.identity import Identity
from burency_common.timeutil import to_epoch_ms

from .harness import Harness

GATEWAY = Identity(user_id="service:gateway", roles=frozenset({"service"}))
IP = "203.0.113.7"
BODY = b'{"symbol":"BTC-USDT","side":"BUY","quantity":"0.25"}'


@dataclass
class User:
    id: str
    headers: dict[str, str]


async def make_user(h: Harness, email: str) -> User:
    user_id = await h.register(email)
    return User(user_id, h.headers_for(await h.signed_in(email)))


async def create_key_response(h: Harness, user: User, **body: Any) -> httpx.Response:
    body = {"label": "bot", "scopes": ["read", "trade"], **body}
    return await h.client.post("/v1/api-keys", json=body, headers=user.headers)


async def create_key(h: Harness, user: User, **body: Any) -> tuple[str, str]:
    response = await create_key_response(h, user, **body)
    assert response.status_code == 201, response.text
    return response.json()["id"], response.json()["secret"]


def verify_body(
    key_id: str, secret: str, *, now_ms: int, ip: str | None = IP, sent_query: str | None = None
) -> dict[str, Any]:
    """What the gateway sends for a signed POST; ``sent_query`` replaces the signed query."""
    query = f"symbol=BTC-USDT&recvWindow=5000&timestamp={now_ms}"
    return {
        "apiKey": key_id,
        "payload": base64.b64encode((sent_query or query).encode() + BODY).decode(),
        "signature": sign(secret, query, BODY),
        "timestamp": now_ms,
        "recvWindow": 5000,
        "ip": ip,
        "method": "POST",
        "path": "/api/trading/v1/orders",
    }


async def call_verify(
    h: Harness, body: dict[str, Any], caller: Identity | None = GATEWAY
) -> httpx.Response:
    headers = h.identity_headers(caller) if caller else {}
    return await h.client.post(VERIFY_PATH, json=body, headers=headers)


def clock_ms(h: Harness) -> int:
    return to_epoch_ms(h.clock.now())


def problem(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["code"]


async def enable_2fa(h: Harness, user: User) -> tuple[str, list[str]]:
    secret = (await h.client.post("/v1/2fa/enroll", headers=user.headers)).json()["secret"]
    code = pyotp.TOTP(secret).at(h.clock.now())
    confirm = await h.client.post("/v1/2fa/confirm", json={"code": code}, headers=user.headers)
    assert confirm.status_code == 200, confirm.text
    h.clock.advance(30)
    return secret, confirm.json()["recoveryCodes"]
