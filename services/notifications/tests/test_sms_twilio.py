"""SMS through our Twilio client against a local server speaking Twilio's Messages API:
the wire format (form body, Basic auth, Account/API key SIDs, MessagingServiceSid), the
error mapping (invalid/unsubscribed numbers permanent; 429 and 5xx and network errors
transient), one channel contract for the recording and the Twilio channel, and the
service sending a user's SMS to their phone with retries and a ``no_phone`` skip."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from burency_common.config import load_settings
from burency_common.errors import ConfigurationError
from burency_notifications.adapters.channels import (
    Channel,
    OutboundMessage,
    PermanentDeliveryError,
    RecordingChannel,
    TransientDeliveryError,
)
from burency_notifications.adapters.sms_twilio import TwilioClient, TwilioSmsChannel
from burency_notifications.settings import NotificationsSettings
from burency_testing.infra import free_port

from .notifications_testing.harness import Harness, command, running_harness
from .notifications_testing.profiles import register_with_profile
from .notifications_testing.twilio_server import TwilioServer

PHONE = "+971501234567"


def message(
    address: str | None = PHONE, sms: str = "Burency: your code is 123456", delivery: str = "d-1"
) -> Any:
    return OutboundMessage(
        delivery_id=delivery, notification_id="n-1", event="auth.new_login", channel="sms",
        user_id="u-1", address=address, subject="s", text="t", html="h", sms=sms, push="p",
    )  # fmt: skip


@pytest.fixture
async def twilio() -> AsyncIterator[TwilioServer]:
    async with TwilioServer(api_key_sid="SK" + "0" * 32) as server:
        yield server


def twilio_channel(server: TwilioServer, **overrides: Any) -> TwilioSmsChannel:
    options: dict[str, Any] = {
        "base_url": server.url,
        "account_sid": server.account_sid,
        "secret": server.secret,
        "sender": "+15005550006",
        "timeout": 5.0,
        **overrides,
    }
    return TwilioSmsChannel(TwilioClient(**options))


# --- one contract for every SMS channel ---------------------------------------------


@pytest.fixture(params=["record", "twilio"])
async def sms_channel(
    request: pytest.FixtureRequest, twilio: TwilioServer
) -> AsyncIterator[Channel]:
    if request.param == "record":
        yield RecordingChannel()
        return
    channel = twilio_channel(twilio)
    yield channel
    await channel.aclose()


async def test_contract_each_send_has_its_own_provider_id(sms_channel: Channel) -> None:
    first = await sms_channel.send(message(delivery="d-1"))
    second = await sms_channel.send(message(sms="another", delivery="d-2"))
    assert first.provider_id
    assert second.provider_id
    assert first.provider_id != second.provider_id


# --- the wire format ------------------------------------------------------------------


async def test_sends_the_form_with_basic_auth_and_returns_the_sid(twilio: TwilioServer) -> None:
    channel = twilio_channel(twilio)
    result = await channel.send(message(sms="x" * 2000))
    await channel.aclose()
    [sms] = twilio.received
    assert result.provider_id == sms.sid
    assert sms.sid.startswith("SM")
    assert len(sms.sid) == 34
    assert (sms.to, sms.sender, sms.messaging_service_sid) == (PHONE, "+15005550006", None)
    assert sms.username == twilio.account_sid
    assert len(sms.body) == 1600  # Twilio's limit: longer bodies are refused (21617)


async def test_messaging_service_and_api_key(twilio: TwilioServer) -> None:
    channel = twilio_channel(
        twilio, sender=None, messaging_service_sid="MG" + "1" * 32, username=twilio.api_key_sid
    )
    await channel.send(message())
    await channel.aclose()
    [sms] = twilio.received
    assert (sms.sender, sms.messaging_service_sid) == (None, "MG" + "1" * 32)
    assert sms.username == twilio.api_key_sid


@pytest.mark.parametrize(
    ("answer", "error", "reason"),
    [
        ((400, 21211), PermanentDeliveryError, "twilio 21211"),  # invalid To
        ((400, 21610), PermanentDeliveryError, "twilio 21610"),  # unsubscribed (STOP)
        ((400, 21614), PermanentDeliveryError, "twilio 21614"),  # not a mobile number
        ((429, 20429), TransientDeliveryError, "twilio 20429"),  # too many requests
        ((503, None), TransientDeliveryError, "twilio http 503"),
        ((500, 20500), TransientDeliveryError, "twilio 20500"),
    ],
)
async def test_error_mapping(
    twilio: TwilioServer, answer: tuple[int, int | None], error: type[Exception], reason: str
) -> None:
    twilio.fail_next.append(answer)
    channel = twilio_channel(twilio)
    with pytest.raises(error) as caught:
        await channel.send(message())
    await channel.aclose()
    assert str(caught.value) == reason
    assert type(caught.value) is error


async def test_the_servers_own_validation_is_permanent_and_keeps_the_number_out(
    twilio: TwilioServer,
) -> None:
    channel = twilio_channel(twilio)
    with pytest.raises(PermanentDeliveryError) as caught:
        await channel.send(message(address="0501234567"))  # not E.164: Twilio says 21211
    assert str(caught.value) == "twilio 21211"  # Twilio's message quotes the number
    wrong_secret = twilio_channel(twilio, secret="not-the-secret")
    with pytest.raises(PermanentDeliveryError, match="twilio 20003"):
        await wrong_secret.send(message())
    for ch in (channel, wrong_secret):
        await ch.aclose()
    assert twilio.received == []


async def test_unreachable_provider_is_transient() -> None:
    client = TwilioClient(
        base_url=f"http://127.0.0.1:{free_port()}", account_sid="AC1", secret="s", sender="+1"
    )
    with pytest.raises(TransientDeliveryError, match="twilio ConnectError"):
        await TwilioSmsChannel(client).send(message())
    await client.aclose()


def test_twilio_settings_are_checked_without_echoing_secrets(
    make_settings: Callable[..., NotificationsSettings],
) -> None:
    make_settings()  # clears BURENCY_* from the environment for this test
    with pytest.raises(ConfigurationError) as caught:
        load_settings(
            NotificationsSettings,
            sms_channel="twilio",
            twilio_account_sid="AC1",
            twilio_auth_token="hush",
            _env_file=None,
        )
    assert "BURENCY_TWILIO_FROM or _MESSAGING_SERVICE_SID" in str(caught.value)
    assert "hush" not in str(caught.value)
    settings = make_settings(mode="distributed", identity_secret="x" * 32)
    assert settings.sms_mode is None  # no account configured: SMS is skipped, not broken
    assert make_settings().sms_mode == "record"


# --- through the service ---------------------------------------------------------------


@pytest.fixture
async def sms_harness(
    twilio: TwilioServer, make_settings: Callable[..., NotificationsSettings]
) -> AsyncIterator[Harness]:
    settings = make_settings(
        sms_channel="twilio",
        twilio_base_url=twilio.url,
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=twilio.secret,
        twilio_from="+15005550006",
    )
    async with running_harness(settings) as h:
        yield h


async def _login_alert(h: Harness, user: str) -> Any:
    note = command("auth.new_login", [user], data={"ip": "203.0.113.9", "device": "Firefox"})
    await h.bus.publish(note)
    rows = await h.settled(note.payload["notification_id"], 4)
    return rows[(user, "sms")]


async def test_a_users_sms_reaches_their_phone(sms_harness: Harness, twilio: TwilioServer) -> None:
    user = await register_with_profile(sms_harness, "sms@example.com", phone=PHONE)
    row = await _login_alert(sms_harness, user)
    [sms] = twilio.received
    assert (row.status, row.attempts, row.provider_id) == ("sent", 1, sms.sid)
    assert sms.to == PHONE
    assert sms.body.startswith("Burency:")
    assert "203.0.113.9" in sms.body


async def test_rate_limited_sms_is_retried(sms_harness: Harness, twilio: TwilioServer) -> None:
    user = await register_with_profile(sms_harness, "busy@example.com", phone=PHONE)
    twilio.fail_next.append((429, 20429))
    row = await _login_alert(sms_harness, user)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)
    assert len(twilio.received) == 1


async def test_unsubscribed_number_is_recorded_once(
    sms_harness: Harness, twilio: TwilioServer
) -> None:
    user = await register_with_profile(sms_harness, "stop@example.com", phone=PHONE)
    twilio.fail_next.extend([(400, 21610), (400, 21610)])
    row = await _login_alert(sms_harness, user)
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, "twilio 21610")
    assert twilio.requests == 1
    assert len(twilio.fail_next) == 1


async def test_no_phone_is_skipped_without_calling_twilio(
    sms_harness: Harness, twilio: TwilioServer
) -> None:
    user = await register_with_profile(sms_harness, "nophone@example.com", phone=None)
    row = await _login_alert(sms_harness, user)
    assert (row.status, row.last_error) == ("skipped", "no_phone")
    assert twilio.requests == 0
