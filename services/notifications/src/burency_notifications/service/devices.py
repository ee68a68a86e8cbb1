"""Device registration tokens (FCM) per user.

A token identifies one app install; it is stored once (unique by its SHA-256) and
belongs to the last user who registered it, so a shared or resold phone stops
receiving the previous owner's pushes. A user has at most ``MAX_DEVICES`` devices.
Tokens FCM reports as dead are pruned by :func:`prune`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from burency_common.errors import Conflict, NotFound
from burency_common.ids import new_id
from burency_common.logging import get_logger
from burency_notifications.adapters.orm import devices
from burency_notifications.service.context import NotificationsContext

__all__ = [
    "MAX_DEVICES",
    "PLATFORMS",
    "Device",
    "DeviceLimitReached",
    "DeviceNotFound",
    "delete_device",
    "devices_of",
    "list_devices",
    "prune",
    "register_device",
    "token_hash",
]

MAX_DEVICES = 20
PLATFORMS: tuple[str, ...] = ("android", "ios", "web")
_log = get_logger("burency.notifications.devices")


class DeviceLimitReached(Conflict):
    default_code = "DEVICE_LIMIT_REACHED"
    title = "Too many devices"


class DeviceNotFound(NotFound):
    default_code = "DEVICE_NOT_FOUND"
    title = "Device not found"


@dataclass(frozen=True)
class Device:
    id: str
    user_id: str
    token: str
    platform: str
    name: str | None
    created_at: datetime
    updated_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _device(row: object) -> Device:
    return Device(
        id=row.id,  # type: ignore[attr-defined]
        user_id=row.user_id,  # type: ignore[attr-defined]
        token=row.token,  # type: ignore[attr-defined]
        platform=row.platform,  # type: ignore[attr-defined]
        name=row.name,  # type: ignore[attr-defined]
        created_at=row.created_at,  # type: ignore[attr-defined]
        updated_at=row.updated_at,  # type: ignore[attr-defined]
    )


async def _count(db: AsyncSession, user_id: str) -> int:
    query = select(func.count()).select_from(devices).where(devices.c.user_id == user_id)
    return int(await db.scalar(query) or 0)


async def _upsert(
    ctx: NotificationsContext, *, user_id: str, token: str, platform: str, name: str | None
) -> str:
    now = ctx.clock.now()
    digest = token_hash(token)
    async with ctx.transaction() as db:
        existing = (
            await db.execute(select(devices).where(devices.c.token_hash == digest))
        ).one_or_none()
        if existing is not None:
            if existing.user_id != user_id and await _count(db, user_id) >= MAX_DEVICES:
                raise DeviceLimitReached(f"at most {MAX_DEVICES} devices per user")
            await db.execute(
                update(devices)
                .where(devices.c.id == existing.id)
                .values(user_id=user_id, platform=platform, name=name, updated_at=now)
            )
            return str(existing.id)
        if await _count(db, user_id) >= MAX_DEVICES:
            raise DeviceLimitReached(f"at most {MAX_DEVICES} devices per user")
        device_id = new_id()
        await db.execute(
            devices.insert().values(
                id=device_id,
                user_id=user_id,
                token=token,
                token_hash=digest,
                platform=platform,
                name=name,
                created_at=now,
                updated_at=now,
            )
        )
        return device_id


async def register_device(
    ctx: NotificationsContext, *, user_id: str, token: str, platform: str, name: str | None
) -> Device:
    """Upsert by token: a token registered again moves to ``user_id``."""
    try:
        device_id = await _upsert(ctx, user_id=user_id, token=token, platform=platform, name=name)
    except IntegrityError:  # the same token inserted concurrently: now it exists
        device_id = await _upsert(ctx, user_id=user_id, token=token, platform=platform, name=name)
    async with ctx.transaction() as db:
        row = (await db.execute(select(devices).where(devices.c.id == device_id))).one()
    _log.info("device.registered", user_id=user_id, device_id=device_id, platform=platform)
    return _device(row)


async def list_devices(ctx: NotificationsContext, *, user_id: str) -> list[Device]:
    return await devices_of(ctx, [user_id])


async def devices_of(ctx: NotificationsContext, user_ids: Sequence[str]) -> list[Device]:
    query = select(devices).where(devices.c.user_id.in_(list(user_ids))).order_by(devices.c.id)
    async with ctx.transaction() as db:
        return [_device(row) for row in await db.execute(query)]


async def delete_device(ctx: NotificationsContext, *, user_id: str, device_id: str) -> None:
    """Unregister one of the caller's devices (someone else's is ``DEVICE_NOT_FOUND``)."""
    async with ctx.transaction() as db:
        result = await db.execute(
            delete(devices).where(devices.c.id == device_id, devices.c.user_id == user_id)
        )
    if getattr(result, "rowcount", 0) != 1:
        raise DeviceNotFound("no such device")
    _log.info("device.deleted", user_id=user_id, device_id=device_id)


async def prune(db: AsyncSession, device_ids: Iterable[str]) -> int:
    """Delete devices whose token FCM reported dead (inside the caller's transaction)."""
    ids = list(dict.fromkeys(device_ids))
    if not ids:
        return 0
    result = await db.execute(delete(devices).where(devices.c.id.in_(ids)))
    count = int(getattr(result, "rowcount", 0) or 0)
    _log.info("device.pruned", count=count)
    return count
