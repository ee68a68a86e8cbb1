"""``user.profile_updated`` and ``notification.in_app.created``: registered, keyed by the
user, validated (E.164 phone, known language, ISO country), round-trip on the wire."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from burency_common.errors import EventSchemaError
from burency_common.events import EventEnvelope, default_registry
from burency_common.events.notifications import (
    NOTIFICATION_IN_APP_CREATED,
    NotificationInAppCreated,
)
from burency_common.events.users import USER_PROFILE_UPDATED, UserProfileUpdated

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_profile_updated_is_keyed_by_user_and_round_trips() -> None:
    registry = default_registry()
    payload = UserProfileUpdated(
        user_id="u-1", phone="+971501234567", language="ar", country="AE", changed_at=NOW
    )
    envelope = registry.build(payload, event_type=USER_PROFILE_UPDATED, producer="users")
    assert envelope.key == "u-1"
    parsed = registry.parse_payload(EventEnvelope.from_bytes(envelope.to_bytes()))
    assert parsed == payload


@pytest.mark.parametrize(
    "bad",
    [
        {"phone": "0501234567"},  # not E.164
        {"language": "fr"},
        {"country": "ae"},
        {"changed_at": "2026-11-26T12:00:00"},  # no time zone
    ],
)
def test_profile_updated_rejects_bad_fields(bad: dict[str, object]) -> None:
    payload = {"user_id": "u-1", "changed_at": NOW.isoformat(), **bad}
    envelope = EventEnvelope(type=USER_PROFILE_UPDATED, producer="t", key="u-1", payload=payload)
    with pytest.raises(EventSchemaError) as caught:
        default_registry().parse_payload(envelope)
    assert caught.value.code == "INVALID_EVENT_PAYLOAD"


def test_profile_without_phone_is_valid() -> None:
    payload = {"user_id": "u-1", "phone": None, "changed_at": NOW.isoformat()}
    envelope = EventEnvelope(type=USER_PROFILE_UPDATED, producer="t", key="u-1", payload=payload)
    parsed = default_registry().parse_payload(envelope)
    assert isinstance(parsed, UserProfileUpdated)
    assert (parsed.phone, parsed.language, parsed.country) == (None, "en", None)


def test_in_app_created_is_keyed_by_user() -> None:
    registry = default_registry()
    payload = NotificationInAppCreated(
        user_id="u-2",
        id="item-1",
        notification_id="n-1",
        event="price.alert",
        title="BTC-USDT reached 70000",
        body="Your alert fired",
        created_at=NOW,
    )
    envelope = registry.build(payload, event_type=NOTIFICATION_IN_APP_CREATED, producer="n")
    assert envelope.key == "u-2"
    assert registry.parse_payload(EventEnvelope.from_bytes(envelope.to_bytes())) == payload
