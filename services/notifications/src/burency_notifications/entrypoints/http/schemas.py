"""Request and response bodies (camelCase on the wire)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from burency_common.api import ApiModel

__all__ = [
    "FeedItemOut",
    "FeedOut",
    "OutboxItemOut",
    "OutboxOut",
    "PreferenceIn",
    "PreferenceOut",
    "PreferencesIn",
    "PreferencesOut",
    "ReadAllOut",
]

ChannelName = Literal["push", "email", "sms", "in_app"]
EventName = Literal[
    "auth.welcome", "auth.verify_email", "auth.password_reset", "auth.new_login",
    "auth.register_attempt", "auth.password_changed", "auth.session_revoked",
    "auth.2fa_enabled", "auth.2fa_disabled", "auth.api_key_created", "auth.api_key_revoked",
    "kyc.approved", "kyc.rejected", "deposit.credited", "withdrawal.sent", "order.filled",
    "price.alert", "marketing.announcement",
]  # fmt: skip


class PreferenceOut(ApiModel):
    event: str
    channel: str
    enabled: bool
    required: bool = Field(description="a security channel that cannot be switched off")


class PreferencesOut(ApiModel):
    items: list[PreferenceOut]


class PreferenceIn(ApiModel):
    event: EventName
    channel: ChannelName
    enabled: bool


class PreferencesIn(ApiModel):
    items: list[PreferenceIn] = Field(max_length=200)


class FeedItemOut(ApiModel):
    id: str
    event: str
    title: str = Field(
        description="in the reader's language now (the profile's, en until known), "
        "rendered again from the notification's data; the text stored at delivery when "
        "that data is gone"
    )
    body: str
    created_at: datetime
    read_at: datetime | None = None
    link: str | None = Field(
        default=None,
        description="the web app path the item leads to (/wallet, /kyc, /trade/BTC-AED, "
        "/settings/sessions ...); null when it leads nowhere in particular",
    )


class FeedOut(ApiModel):
    items: list[FeedItemOut]
    next_cursor: str | None = None
    unread_count: int


class ReadAllOut(ApiModel):
    updated: int


class OutboxItemOut(ApiModel):
    channel: str
    user_id: str
    address: str | None = None
    subject: str
    text: str
    html: str


class OutboxOut(ApiModel):
    items: list[OutboxItemOut]
