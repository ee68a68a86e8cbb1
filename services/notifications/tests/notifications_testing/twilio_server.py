"""A local HTTP server speaking Twilio's Messages API wire format (API 2010-04-01).

``POST /2010-04-01/Accounts/{AccountSid}/Messages.json``, form-encoded ``To``, ``From``
or ``MessagingServiceSid``, ``Body``; HTTP Basic auth. It answers like Twilio: ``201``
with a Message resource (``sid`` ``SM`` + 32 hex digits, ``status`` ``queued``), or an
error body ``{"code", "message", "more_info", "status"}`` - 401/20003 for bad
credentials, 400/21211 for an invalid ``To``, 400/21602 without ``Body``, 400/21603
without a sender. ``fail_next`` queues answers (e.g. ``(429, 20429)``, ``(500, None)``)
returned before the normal handling, each consumed by one request.
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

from aiohttp import web

from burency_testing.infra import free_port

_E164 = re.compile(r"^\+[1-9][0-9]{7,14}$")
_PATH = "/2010-04-01/Accounts/{account_sid}/Messages.json"


@dataclass(frozen=True)
class ReceivedSms:
    sid: str
    account_sid: str
    to: str
    sender: str | None
    messaging_service_sid: str | None
    body: str
    username: str


@dataclass
class TwilioServer:
    """``async with TwilioServer(account_sid, secret) as server``: serving on ``server.url``."""

    account_sid: str = field(default_factory=lambda: "AC" + secrets.token_hex(16))
    secret: str = field(default_factory=lambda: secrets.token_hex(16), repr=False)
    api_key_sid: str | None = None
    received: list[ReceivedSms] = field(default_factory=list)
    requests: int = 0
    fail_next: list[tuple[int, int | None]] = field(default_factory=list)
    url: str = ""
    _runner: web.AppRunner | None = None

    async def __aenter__(self) -> TwilioServer:
        app = web.Application()
        app.router.add_post(_PATH, self._create_message)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _authorized(self, request: web.Request) -> str | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return None
        allowed = {self.account_sid, self.api_key_sid} - {None}
        if user in allowed and secrets.compare_digest(password, self.secret):
            return user
        return None

    async def _create_message(self, request: web.Request) -> web.Response:
        self.requests += 1
        if self.fail_next:
            status, code = self.fail_next.pop(0)
            return _error(status, code, "scripted failure")
        username = self._authorized(request)
        if username is None or request.match_info["account_sid"] != self.account_sid:
            return _error(401, 20003, "Authenticate")
        if request.content_type != "application/x-www-form-urlencoded":
            return _error(400, 20001, "expected a form-encoded body")
        form = await request.post()
        to, body = str(form.get("To", "")), str(form.get("Body", ""))
        sender = str(form["From"]) if "From" in form else None
        service = str(form["MessagingServiceSid"]) if "MessagingServiceSid" in form else None
        if not _E164.match(to):
            return _error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if not body:
            return _error(400, 21602, "Message body is required.")
        if not (sender or service):
            return _error(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required")
        sid = "SM" + secrets.token_hex(16)
        self.received.append(
            ReceivedSms(sid, self.account_sid, to, sender, service, body, username)
        )
        return web.json_response(
            _resource(sid, self.account_sid, to, sender, service, body), status=201
        )


def _error(status: int, code: int | None, message: str) -> web.Response:
    body: dict[str, Any] = {"status": status, "message": message}
    if code is not None:
        body["code"] = code
        body["more_info"] = f"https://www.twilio.com/docs/errors/{code}"
    return web.json_response(body, status=status)


def _resource(
    sid: str, account: str, to: str, sender: str | None, service: str | None, body: str
) -> dict[str, Any]:
    now = formatdate(usegmt=True)
    return {
        "sid": sid,
        "account_sid": account,
        "api_version": "2010-04-01",
        "to": to,
        "from": sender,
        "messaging_service_sid": service,
        "body": body,
        "status": "queued",
        "direction": "outbound-api",
        "num_segments": "1",
        "num_media": "0",
        "date_created": now,
        "date_updated": now,
        "date_sent": None,
        "error_code": None,
        "error_message": None,
        "price": None,
        "price_unit": "USD",
        "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
    }
