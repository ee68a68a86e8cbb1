"""The notification catalogue: producers must send what the templates need."""

from __future__ import annotations

import pytest

from burency_common.events.notification_types import (
    NOTIFICATION_TYPES,
    UnknownNotification,
    check_notification,
)


def test_a_complete_command_passes() -> None:
    check_notification("deposit.credited", {"amount": "1.5", "asset": "BTC", "extra": 1})


@pytest.mark.parametrize(
    ("event", "data", "message"),
    [
        ("no.such_event", {}, "unknown notification event 'no.such_event'"),
        ("deposit.credited", {"asset": "BTC"}, "deposit.credited needs data ['amount']"),
        ("auth.verify_email", {"url": None}, "auth.verify_email needs data ['url']"),
    ],
)
def test_unknown_types_and_missing_data_are_refused(
    event: str, data: dict[str, object], message: str
) -> None:
    with pytest.raises(UnknownNotification, match=message.replace("[", r"\[")):
        check_notification(event, data)


def test_security_types_are_the_ones_that_cannot_be_silenced() -> None:
    security = {t.name for t in NOTIFICATION_TYPES.values() if t.security}
    assert security == {
        "auth.password_reset",
        "auth.new_login",
        "auth.verify_email",
        "withdrawal.sent",
    }
