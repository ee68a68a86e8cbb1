"""Push notifications through Firebase Cloud Messaging (FCM HTTP v1).

Public surface: :class:`ServiceAccount` and :class:`AccessTokenSource` (the OAuth2
JWT-bearer exchange), :class:`FcmClient` (``messages:send`` over a keep-alive aiohttp
pool with bounded concurrency), :class:`RecordingPushSender` (embedded mode),
:class:`PushMessage`, and the error tree:

* :class:`PushError` (base; ``reason`` is short and never carries a token or credential)

  * :class:`PushTransientError` - try again later (``retry_after`` seconds when FCM
    said so): QUOTA_EXCEEDED, UNAVAILABLE, INTERNAL, network errors, 5xx.
  * :class:`PushPermanentError` - never retry this message:

    * :class:`PushTokenInvalid` - the registration token is dead (UNREGISTERED, or
      INVALID_ARGUMENT about the token): prune the device.
"""

from burency_notifications.adapters.push.credentials import (
    FCM_SCOPE,
    AccessTokenSource,
    CredentialsError,
    ServiceAccount,
)
from burency_notifications.adapters.push.fcm import FcmClient, RecordingPushSender
from burency_notifications.adapters.push.message import (
    PushError,
    PushMessage,
    PushPermanentError,
    PushSender,
    PushTokenInvalid,
    PushTransientError,
)

__all__ = [
    "FCM_SCOPE",
    "AccessTokenSource",
    "CredentialsError",
    "FcmClient",
    "PushError",
    "PushMessage",
    "PushPermanentError",
    "PushSender",
    "PushTokenInvalid",
    "PushTransientError",
    "RecordingPushSender",
    "ServiceAccount",
]
