"""Reads and writes of ``profiles`` inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from burency_common.db import insert_ignore
from burency_users.adapters.orm import profiles
from burency_users.domain.profile import DEFAULT_CURRENCY
from burency_users.domain.records import ProfileRecord

__all__ = [
    "ProfileRecord",
    "create_profile",
    "get_profile",
    "update_profile",
    "update_profile_if_unchanged",
]


async def create_profile(
    db: AsyncSession, *, user_id: str, email: str, created_at: datetime, now: datetime
) -> bool:
    """Insert the profile of a new user; False when it already exists (a replayed event)."""
    values = {
        "user_id": user_id,
        "email": email,
        "created_at": created_at,
        "updated_at": now,
        "language": "en",
        "display_currency": DEFAULT_CURRENCY,
        "ui_settings": {},
        "kyc_level": 0,
    }
    return await insert_ignore(db, profiles, values)


async def get_profile(
    db: AsyncSession, user_id: str, *, for_update: bool = False
) -> ProfileRecord | None:
    query = select(profiles).where(profiles.c.user_id == user_id)
    if for_update:
        query = query.with_for_update()
    row = (await db.execute(query)).mappings().first()
    return ProfileRecord(**row) if row is not None else None


async def update_profile(db: AsyncSession, user_id: str, values: dict[str, Any]) -> None:
    await db.execute(update(profiles).where(profiles.c.user_id == user_id).values(**values))


async def update_profile_if_unchanged(
    db: AsyncSession, user_id: str, values: dict[str, Any], *, updated_at: datetime
) -> bool:
    """Compare-and-set on ``updated_at``: False when another write came first. (SQLite
    takes no row lock, so a read-modify-write there needs this to lose nothing.)"""
    result = await db.execute(
        update(profiles)
        .where(profiles.c.user_id == user_id, profiles.c.updated_at == updated_at)
        .values(**values)
    )
    return bool(getattr(result, "rowcount", 0) == 1)
