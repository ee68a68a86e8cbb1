"""Profile use cases: creation from ``user.registered``, reads, updates, settings, closure.

``changes`` passed to :func:`update_profile` are column values already checked by the
HTTP schema (formats); this module adds the checks that need the clock (age) or the
files service (avatar ownership).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from pydantic.alias_generators import to_camel
from sqlalchemy.ext.asyncio import AsyncSession

from burency_common.errors import Conflict, ValidationFailed
from burency_common.events import EventEnvelope, UserRegistered
from burency_common.events.users import USER_PROFILE_UPDATED, UserProfileUpdated
from burency_common.identity import Identity
from burency_common.logging import get_logger
from burency_common.outbox import claim_in_inbox
from burency_users.adapters import profiles_repo
from burency_users.adapters.orm import inbox
from burency_users.adapters.profiles_repo import ProfileRecord
from burency_users.domain.errors import (
    InvalidAvatar,
    ProfileFieldsLocked,
    ProfileNotFound,
    SettingsTooLarge,
)
from burency_users.domain.profile import locked_fields, validate_birth_date
from burency_users.domain.settings_merge import merge_patch
from burency_users.service.context import RequestMeta, UsersContext

__all__ = [
    "INBOX_CONSUMER",
    "get_profile",
    "get_settings",
    "on_user_registered",
    "patch_settings",
    "put_settings",
    "request_closure",
    "update_profile",
]

INBOX_CONSUMER = "users.profiles"
# Profile columns other services keep a copy of (``user.profile_updated``).
ANNOUNCED_FIELDS = ("phone", "language", "country")
_MAX_SETTINGS_DEPTH = 16
_MERGE_ATTEMPTS = 20
_log = get_logger("burency.users")


async def on_user_registered(ctx: UsersContext, envelope: EventEnvelope) -> None:
    """Create the profile of a new account; a redelivered event has no second effect."""
    payload = ctx.registry.parse_payload(envelope)
    assert isinstance(payload, UserRegistered)
    async with ctx.transaction() as db:
        if not await claim_in_inbox(db, inbox, envelope, consumer=INBOX_CONSUMER):
            return
        created = await profiles_repo.create_profile(
            db,
            user_id=payload.user_id,
            email=payload.email,
            created_at=payload.created_at,
            now=ctx.clock.now(),
        )
        if created:
            profile = await profiles_repo.get_profile(db, payload.user_id)
            assert profile is not None
            await _announce(ctx, db, profile)
    _log.info("profile.created" if created else "profile.exists", user_id=payload.user_id)


async def _announce(ctx: UsersContext, db: AsyncSession, profile: ProfileRecord) -> None:
    """Emit the profile's reachable fields (``user.profile_updated``) in ``db``'s transaction."""
    event = UserProfileUpdated(
        user_id=profile.user_id,
        phone=profile.phone,
        language="ar" if profile.language == "ar" else "en",
        country=profile.country,
        changed_at=profile.updated_at,
    )
    await ctx.outbox.emit(db, event, event_type=USER_PROFILE_UPDATED)


async def get_profile(ctx: UsersContext, *, user_id: str) -> ProfileRecord:
    async with ctx.transaction() as db:
        profile = await profiles_repo.get_profile(db, user_id)
    if profile is None:
        raise ProfileNotFound()
    return profile


async def _check_changes(ctx: UsersContext, *, user_id: str, changes: dict[str, Any]) -> None:
    birth = changes.get("date_of_birth")
    if isinstance(birth, date):
        try:
            validate_birth_date(
                birth, today=ctx.clock.now().date(), minimum_age=ctx.settings.minimum_age_years
            )
        except ValueError as exc:
            raise ValidationFailed(
                str(exc),
                details=[{"field": "dateOfBirth", "message": str(exc), "code": "INVALID_BIRTH"}],
            ) from None
    avatar = changes.get("avatar_file_id")
    if avatar is not None:
        info = await ctx.files.get_file(avatar)
        if info is None or info.deleted or info.owner_id != user_id or info.kind != "avatar":
            raise InvalidAvatar(
                "avatarFileId must be a live avatar file uploaded by the profile's owner",
                details=[{"field": "avatarFileId", "message": "invalid", "code": "INVALID_AVATAR"}],
            )


def _check_unlocked(current: ProfileRecord, changes: dict[str, Any]) -> None:
    """Refuse a user's change to a field their KYC level has verified (same value is fine)."""
    locked = locked_fields(current.kyc_level)
    before = current.as_dict()
    refused = sorted(name for name in changes if name in locked and changes[name] != before[name])
    if refused:
        raise ProfileFieldsLocked(
            "these fields were verified by KYC; contact support to change them",
            details=[
                {"field": to_camel(n), "message": "locked", "code": "LOCKED"} for n in refused
            ],
        )


async def update_profile(
    ctx: UsersContext,
    *,
    user_id: str,
    changes: dict[str, Any],
    actor: Identity | None = None,
    meta: RequestMeta | None = None,
) -> ProfileRecord:
    """Apply ``changes`` to ``user_id``'s profile; staff edits (``actor``) are audited."""
    await _check_changes(ctx, user_id=user_id, changes=changes)
    async with ctx.transaction() as db:
        current = await profiles_repo.get_profile(db, user_id, for_update=True)
        if current is None:
            raise ProfileNotFound()
        if actor is None:
            _check_unlocked(current, changes)
        if changes:
            values = {**changes, "updated_at": ctx.clock.now()}
            await profiles_repo.update_profile(db, user_id, values)
        if actor is not None:
            await ctx.audit(
                db,
                actor_id=actor.user_id,
                action="profile.update",
                target=f"user:{user_id}",
                meta=meta or RequestMeta(),
                details={"fields": sorted(changes)},  # names only: values may be PII
            )
        updated = await profiles_repo.get_profile(db, user_id)
        assert updated is not None
        if any(getattr(current, f) != getattr(updated, f) for f in ANNOUNCED_FIELDS):
            await _announce(ctx, db, updated)
    return updated


def _depth(value: object) -> int:
    """Nesting depth of a JSON value, without recursion (clients choose the input)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(item, dict):
            stack.extend((child, level + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, level + 1) for child in item)
    return deepest


async def get_settings(ctx: UsersContext, *, user_id: str) -> dict[str, Any]:
    return (await get_profile(ctx, user_id=user_id)).ui_settings


def _check_settings(ctx: UsersContext, settings: dict[str, Any]) -> None:
    """Capped so a profile row cannot become a blob store."""
    size = len(json.dumps(settings, separators=(",", ":"), ensure_ascii=False).encode())
    if size > ctx.settings.settings_max_bytes:
        raise SettingsTooLarge(f"settings must be at most {ctx.settings.settings_max_bytes} bytes")
    if _depth(settings) > _MAX_SETTINGS_DEPTH:
        raise ValidationFailed(
            f"settings may nest at most {_MAX_SETTINGS_DEPTH} levels", code="SETTINGS_TOO_DEEP"
        )


async def put_settings(
    ctx: UsersContext, *, user_id: str, settings: dict[str, Any]
) -> dict[str, Any]:
    """Replace the UI preferences."""
    _check_settings(ctx, settings)
    async with ctx.transaction() as db:
        if await profiles_repo.get_profile(db, user_id, for_update=True) is None:
            raise ProfileNotFound()
        await profiles_repo.update_profile(
            db, user_id, {"ui_settings": settings, "updated_at": ctx.clock.now()}
        )
    return settings


async def patch_settings(
    ctx: UsersContext, *, user_id: str, patch: dict[str, Any]
) -> dict[str, Any]:
    """Merge ``patch`` into the stored preferences (RFC 7396: ``null`` removes a key).

    Two tabs patching different keys at the same time must both keep their change: the
    row lock serialises the merges on PostgreSQL, and the write is a compare-and-set on
    ``updated_at`` (SQLite has no row lock), retried with a fresh read when another
    write came first. The result is checked like a PUT.
    """
    if _depth(patch) > _MAX_SETTINGS_DEPTH:
        raise ValidationFailed(
            f"settings may nest at most {_MAX_SETTINGS_DEPTH} levels", code="SETTINGS_TOO_DEEP"
        )
    for _ in range(_MERGE_ATTEMPTS):
        async with ctx.transaction() as db:
            profile = await profiles_repo.get_profile(db, user_id, for_update=True)
            if profile is None:
                raise ProfileNotFound()
            merged = merge_patch(profile.ui_settings, patch)
            _check_settings(ctx, merged)
            # strictly later than what was read, so a frozen clock cannot defeat the check
            now = max(ctx.clock.now(), profile.updated_at + timedelta(microseconds=1))
            values = {"ui_settings": merged, "updated_at": now}
            if await profiles_repo.update_profile_if_unchanged(
                db, user_id, values, updated_at=profile.updated_at
            ):
                return merged
    raise Conflict("the settings kept changing while merging; try again", code="SETTINGS_CHANGED")


async def request_closure(
    ctx: UsersContext, *, user_id: str, reason: str | None, meta: RequestMeta
) -> ProfileRecord:
    """Record a closure request once; asking again returns the first request unchanged."""
    async with ctx.transaction() as db:
        profile = await profiles_repo.get_profile(db, user_id, for_update=True)
        if profile is None:
            raise ProfileNotFound()
        if profile.closure_requested_at is not None:
            return profile
        now = ctx.clock.now()
        await profiles_repo.update_profile(
            db, user_id, {"closure_requested_at": now, "closure_reason": reason, "updated_at": now}
        )
        await ctx.audit(
            db,
            actor_id=user_id,
            action="profile.closure_requested",
            target=f"user:{user_id}",
            meta=meta,
        )
        updated = await profiles_repo.get_profile(db, user_id)
    assert updated is not None
    return updated
