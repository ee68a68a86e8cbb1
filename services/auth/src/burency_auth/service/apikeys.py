"""API keys for programs: create (secret shown once), list, revoke, verify signed requests.

Signing scheme and the internal verification contract: ``docs/api-keys.md``.

Why the secret is sealed and not hashed: HMAC verification needs the secret itself.
It is AES-GCM sealed with the service's data key (kept outside the database), and
the associated data binds the row's id, owner, scopes and allow-list, so someone who
can write the database but lacks the data key cannot move a key to another user or
widen its scopes/allow-list: the seal no longer opens and the key stops working.

Why ``withdraw`` needs a current TOTP code (not a recovery code): a stolen session
must not be enough to mint a key that can move funds; recovery codes exist to regain
access, not to grant new powers.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from burency_auth.adapters import apikeys_repo as repo
from burency_auth.adapters import audit_repo, users_repo
from burency_auth.adapters.apikeys_repo import ApiKeyRecord
from burency_auth.adapters.crypto import SealError
from burency_auth.adapters.users_repo import UserRecord
from burency_auth.domain.errors import (
    account_disabled,
    invalid_field,
    not_found,
    totp_error,
    wrong_state,
)
from burency_auth.domain.totp import is_totp_code
from burency_auth.service.context import AuthContext, RequestMeta
from burency_auth.service.totp import check_second_factor
from burency_common.apikeys import (
    SCOPES,
    SignedRequest,
    api_key_error,
    ip_allowed,
    is_valid_key_id,
    new_api_key,
    normalize_allow_list,
    verify_signed_request,
)
from burency_common.errors import PermissionDenied
from burency_common.logging import get_logger
from burency_common.timeutil import to_epoch_ms

__all__ = [
    "LAST_USED_GRANULARITY",
    "MAX_ACTIVE_KEYS",
    "MAX_ALLOW_LIST_ENTRIES",
    "MAX_LABEL_LENGTH",
    "ApiKeyOwner",
    "ApiKeyView",
    "CreatedApiKey",
    "create_api_key",
    "list_api_keys",
    "revoke_api_key",
    "verify_api_key_request",
]

MAX_ACTIVE_KEYS = 30
MAX_LABEL_LENGTH = 64
MAX_ALLOW_LIST_ENTRIES = 32
LAST_USED_GRANULARITY = timedelta(minutes=1)
"""``last_used_at`` is written at most this often per key: verification is a hot path."""

_PURPOSE = "api-key"
_log = get_logger("burency.auth.apikeys")


@dataclass(frozen=True)
class ApiKeyView:
    """A key as its owner may see it: everything but the secret."""

    id: str
    label: str
    scopes: tuple[str, ...]
    ip_allow_list: tuple[str, ...]
    created_at: datetime
    last_used_at: datetime | None


@dataclass(frozen=True)
class CreatedApiKey(ApiKeyView):
    """A new key with its secret: returned once, by :func:`create_api_key` only."""

    secret: str = field(default="", repr=False)


class ApiKeyOwner(NamedTuple):
    """Who a verified request acts for: ``(user_id, roles, scopes, email_verified)``."""

    user_id: str
    roles: frozenset[str]
    scopes: tuple[str, ...]
    email_verified: bool = False


def _view(key: ApiKeyRecord) -> ApiKeyView:
    return ApiKeyView(
        key.id, key.label, key.scopes, key.ip_allow_list, key.created_at, key.last_used_at
    )


def _seal_purpose(
    key_id: str, user_id: str, scopes: tuple[str, ...], allow: tuple[str, ...]
) -> str:
    """AES-GCM associated data: the fields whose tampering would widen what a key can do."""
    return json.dumps([_PURPOSE, key_id, user_id, list(scopes), list(allow)])


def _validated_label(label: str) -> str:
    label = label.strip()
    if not 1 <= len(label) <= MAX_LABEL_LENGTH or any(
        unicodedata.category(char).startswith("C") for char in label
    ):
        raise invalid_field(
            "label",
            "INVALID_LABEL",
            f"label must be 1-{MAX_LABEL_LENGTH} printable characters",
        )
    return label


def _validated_scopes(scopes: Iterable[str]) -> tuple[str, ...]:
    wanted = frozenset(scopes)
    if not wanted or not wanted <= SCOPES:
        raise invalid_field(
            "scopes", "INVALID_SCOPES", f"scopes must be a non-empty subset of {sorted(SCOPES)}"
        )
    return tuple(sorted(wanted))


def _validated_allow_list(entries: Iterable[str]) -> tuple[str, ...]:
    entries = list(entries)
    if len(entries) > MAX_ALLOW_LIST_ENTRIES:
        raise invalid_field(
            "ipAllowList",
            "INVALID_IP_ALLOW_LIST",
            f"at most {MAX_ALLOW_LIST_ENTRIES} addresses or networks",
        )
    for index, entry in enumerate(entries):
        try:
            normalize_allow_list([entry])
        except ValueError:
            raise invalid_field(
                f"ipAllowList.{index}",
                "INVALID_IP_ALLOW_LIST",
                "not an IP address or CIDR network (host bits must be zero)",
            ) from None
    return normalize_allow_list(entries)


async def _owner(db: AsyncSession, user_id: str) -> UserRecord:
    if not await repo.lock_user(db, user_id):
        raise not_found("user", "USER_NOT_FOUND")
    user = await users_repo.get_user(db, user_id)
    if user is None:
        raise not_found("user", "USER_NOT_FOUND")
    if user.disabled_at is not None:
        raise account_disabled()
    return user


async def _require_current_totp(
    ctx: AuthContext, db: AsyncSession, *, user: UserRecord, code: str | None, now: datetime
) -> None:
    """For ``withdraw``: 2FA must be on (403) and ``code`` a valid, unused TOTP code (401)."""
    if not user.totp_enabled:
        raise PermissionDenied(
            "a key with the withdraw scope needs two-factor authentication enabled",
            code="TWO_FACTOR_REQUIRED",
        )
    if not code or not code.strip():
        raise totp_error("TOTP_REQUIRED")
    if not is_totp_code(code.strip()):
        raise totp_error("TOTP_INVALID")  # recovery codes do not grant withdrawal rights
    await check_second_factor(ctx, db, user=user, code=code, now=now)


async def create_api_key(
    ctx: AuthContext,
    *,
    user_id: str,
    label: str,
    scopes: Iterable[str],
    ip_allow_list: Iterable[str],
    totp_code: str | None,
    meta: RequestMeta,
) -> CreatedApiKey:
    """Create a key; the result carries the secret, which is never retrievable again."""
    label, wanted, allow = (
        _validated_label(label),
        _validated_scopes(scopes),
        _validated_allow_list(ip_allow_list),
    )
    now = ctx.clock.now()
    key_id, secret = new_api_key()
    sealed = ctx.data_sealer.seal(
        secret.encode(), purpose=_seal_purpose(key_id, user_id, wanted, allow)
    )
    async with ctx.transaction() as db:
        user = await _owner(db, user_id)
        if "withdraw" in wanted:
            await _require_current_totp(ctx, db, user=user, code=totp_code, now=now)
        if await repo.count_active(db, user_id) >= MAX_ACTIVE_KEYS:
            raise wrong_state(
                f"at most {MAX_ACTIVE_KEYS} active API keys; revoke one first",
                "TOO_MANY_API_KEYS",
            )
        await repo.insert_key(
            db,
            key_id=key_id,
            user_id=user_id,
            label=label,
            scopes=wanted,
            ip_allow_list=allow,
            sealed_secret=sealed,
            now=now,
        )
        details: dict[str, object] = {
            "keyId": key_id,
            "label": label,
            "scopes": list(wanted),
            "ipAllowList": list(allow),
        }
        await _record_change(
            ctx, db, user_id=user_id, action="api_key.created", details=details, meta=meta
        )
    return CreatedApiKey(key_id, label, wanted, allow, now, None, secret=secret)


async def _record_change(
    ctx: AuthContext,
    db: AsyncSession,
    *,
    user_id: str,
    action: str,
    details: dict[str, object],
    meta: RequestMeta,
) -> None:
    """Audit-log row and owner notification, in the transaction of the change."""
    await audit_repo.add_audit(
        db,
        actor_id=user_id,
        action=action,
        target=user_id,
        details=details,
        ip=meta.ip,
        request_id=meta.request_id,
        now=ctx.clock.now(),
    )
    event = "auth." + action.replace(".", "_")  # auth.api_key_created / auth.api_key_revoked
    # The owner hears of it (a key they did not create is an alarm); only a prefix of
    # the id goes out by e-mail, enough to recognise the key in the list.
    data = {"keyIdPrefix": str(details["keyId"])[:8], "ip": meta.ip, **_public(details)}
    await ctx.outbox.notify(db, user_id=user_id, event=event, data=data)


def _public(details: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in details.items() if k in ("scopes", "label")}


async def list_api_keys(ctx: AuthContext, *, user_id: str) -> list[ApiKeyView]:
    """The user's active keys, oldest first, without secrets."""
    async with ctx.transaction() as db:
        keys = await repo.list_active(db, user_id)
    return [_view(key) for key in keys]


async def revoke_api_key(
    ctx: AuthContext, *, user_id: str, key_id: str, meta: RequestMeta | None = None
) -> None:
    """Revoke one of the user's keys; 404 for anyone else's; revoking twice is a no-op."""
    async with ctx.transaction() as db:
        key = await repo.get_key(db, key_id) if is_valid_key_id(key_id) else None
        if key is None or key.user_id != user_id:
            raise not_found("API key", "API_KEY_NOT_FOUND")
        if await repo.revoke_key(db, key_id, now=ctx.clock.now()):
            details: dict[str, object] = {"keyId": key_id, "label": key.label}
            await _record_change(
                ctx,
                db,
                user_id=user_id,
                action="api_key.revoked",
                details=details,
                meta=meta or RequestMeta(),
            )


def _open_secret(ctx: AuthContext, key: ApiKeyRecord) -> str:
    purpose = _seal_purpose(key.id, key.user_id, key.scopes, key.ip_allow_list)
    try:
        return ctx.data_sealer.open(key.sealed_secret, purpose=purpose).decode()
    except SealError:
        # Tampered row or wrong data key: an operator must look; the client sees "unknown".
        _log.error("apikey.SEAL_BROKEN", key_id=key.id)
        raise api_key_error("API_KEY_UNKNOWN") from None


async def verify_api_key_request(
    ctx: AuthContext, *, api_key: str, signed: SignedRequest, ip: str | None
) -> ApiKeyOwner:
    """The internal contract's steps 2-5 (docs/api-keys.md): key, MAC, allow-list, owner.

    Unknown, revoked and disabled-owner keys are one code (``API_KEY_UNKNOWN``); the
    allow-list is checked only after a valid signature, so an unauthenticated caller
    cannot probe it.
    """
    now = ctx.clock.now()
    # A plain session, not ctx.transaction(): read-only, and no after-commit hooks on
    # the hot path.
    async with ctx.sessions() as db:
        key = await repo.get_key(db, api_key) if is_valid_key_id(api_key) else None
        live = key is not None and key.revoked_at is None
        user = await users_repo.get_user(db, key.user_id) if key is not None and live else None
    if key is None or user is None or not live or user.disabled_at is not None:
        raise api_key_error("API_KEY_UNKNOWN")
    verify_signed_request(_open_secret(ctx, key), signed, now_ms=to_epoch_ms(now))
    if not ip_allowed(ip, key.ip_allow_list):
        raise api_key_error("API_KEY_IP_NOT_ALLOWED")
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_GRANULARITY:
        async with ctx.transaction() as db:
            await repo.touch_last_used(db, key.id, now=now, granularity=LAST_USED_GRANULARITY)
    return ApiKeyOwner(user.id, user.roles, key.scopes, user.email_verified_at is not None)
