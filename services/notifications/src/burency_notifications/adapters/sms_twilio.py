"""SMS through a Twilio-compatible REST API (the Messages resource of API 2010-04-01).

Wire format (what :class:`TwilioClient` speaks and ``notifications_testing.twilio_server``
answers): ``POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json`` with a
form-encoded body ``To`` (E.164), ``From`` *or* ``MessagingServiceSid``, ``Body``, and
HTTP Basic auth ``AccountSid:AuthToken`` (or ``ApiKeySid:ApiKeySecret``). Success is
``201`` with the Message resource as JSON; its ``sid`` (``SM…``) is our provider id.
An error is a JSON body ``{"code", "message", "more_info", "status"}``.

Error mapping (:func:`classify`):

* transient (retried with backoff): HTTP 429 or Twilio code 20429 (too many requests),
  408, every 5xx, timeouts and connection errors;
* permanent (recorded once): every other 4xx, e.g. 21211 invalid ``To``, 21610
  unsubscribed recipient (STOP), 21614 not a mobile number, 21612 unroutable,
  20003 bad credentials.

The reason recorded is ``twilio <code>`` (or ``twilio http <status>``): Twilio's
``message`` is left out because it quotes the phone number. A timeout after Twilio
accepted the request may send a second SMS when retried: the Messages API has no
idempotency key, so delivery over SMS is at least once on network failures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from burency_notifications.adapters.channels import (
    Channel,
    DeliveryResult,
    OutboundMessage,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from burency_notifications.settings import NotificationsSettings

__all__ = [
    "DEFAULT_TWILIO_BASE_URL",
    "MAX_BODY_CHARS",
    "TwilioClient",
    "TwilioError",
    "TwilioSmsChannel",
    "classify",
    "twilio_channel",
]

DEFAULT_TWILIO_BASE_URL = "https://api.twilio.com"
MAX_BODY_CHARS = 1600  # Twilio refuses longer bodies (error 21617)
_TRANSIENT_CODES = frozenset({20429})
_TRANSIENT_STATUSES = frozenset({408, 429})


class TwilioError(Exception):
    """An unusable answer: HTTP ``status`` and Twilio's numeric ``code`` when it sent one."""

    def __init__(self, *, status: int, code: int | None) -> None:
        self.status = status
        self.code = code
        super().__init__(f"twilio {code}" if code is not None else f"twilio http {status}")


def classify(error: TwilioError) -> Exception:
    """The delivery error for a Twilio answer (see the module docstring)."""
    transient = (
        error.status in _TRANSIENT_STATUSES
        or error.status >= 500
        or (error.code is not None and error.code in _TRANSIENT_CODES)
    )
    return (TransientDeliveryError if transient else PermanentDeliveryError)(str(error))


def _error_code(response: httpx.Response) -> int | None:
    try:
        body: Any = response.json()
    except ValueError:
        return None
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, int) else None


@dataclass
class TwilioClient:
    """Creates Message resources. ``username`` is the Account SID or an API key SID."""

    base_url: str
    account_sid: str
    secret: str = field(repr=False)
    sender: str | None = None
    messaging_service_sid: str | None = None
    username: str | None = None
    timeout: float = 10.0
    _http: httpx.AsyncClient | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if not (self.sender or self.messaging_service_sid):
            raise ValueError("Twilio needs a From number or a MessagingServiceSid")

    @property
    def messages_path(self) -> str:
        return f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"

    def _client(self) -> httpx.AsyncClient:
        """Created on first use (never at build time), reused for keep-alive."""
        if self._http is None:
            self._http = httpx.AsyncClient(
                base_url=self.base_url.rstrip("/"),
                auth=httpx.BasicAuth(self.username or self.account_sid, self.secret),
                timeout=self.timeout,
                headers={"Accept": "application/json"},
            )
        return self._http

    async def create_message(self, *, to: str, body: str) -> str:
        """Send one SMS; returns the message SID or raises TwilioError / httpx.HTTPError."""
        form = {"To": to, "Body": body[:MAX_BODY_CHARS]}
        if self.messaging_service_sid:
            form["MessagingServiceSid"] = self.messaging_service_sid
        else:
            assert self.sender is not None
            form["From"] = self.sender
        response = await self._client().post(self.messages_path, data=form)
        if not response.is_success:
            raise TwilioError(status=response.status_code, code=_error_code(response))
        try:
            sid = response.json().get("sid")
        except (ValueError, AttributeError):
            sid = None
        if not isinstance(sid, str) or not sid:
            raise TwilioError(status=response.status_code, code=None)
        return sid

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None


@dataclass
class TwilioSmsChannel(Channel):
    """The ``sms`` channel: the rendered SMS variant to the recipient's phone."""

    client: TwilioClient

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        if not message.address:
            raise PermanentDeliveryError("no_phone")
        try:
            sid = await self.client.create_message(to=message.address, body=message.sms)
        except TwilioError as exc:
            if 200 <= exc.status < 300:
                # accepted, but the answer is unreadable: retrying could send it twice
                raise PermanentDeliveryError("twilio malformed response") from exc
            raise classify(exc) from exc
        except httpx.HTTPError as exc:  # timeouts, refused connections, protocol errors
            raise TransientDeliveryError(f"twilio {type(exc).__name__}") from exc
        return DeliveryResult(provider_id=sid)

    async def aclose(self) -> None:
        await self.client.aclose()


def twilio_channel(settings: NotificationsSettings) -> TwilioSmsChannel:
    """The Twilio channel from ``BURENCY_TWILIO_*`` (the settings checked completeness)."""
    assert settings.twilio_account_sid is not None
    assert settings.twilio_auth_token is not None
    client = TwilioClient(
        base_url=settings.twilio_base_url,
        account_sid=settings.twilio_account_sid,
        secret=settings.twilio_auth_token.get_secret_value(),
        sender=settings.twilio_from,
        messaging_service_sid=settings.twilio_messaging_service_sid,
        username=settings.twilio_api_key_sid,
        timeout=settings.twilio_timeout_seconds,
    )
    return TwilioSmsChannel(client)
