"""The signed-in user's own profile, UI settings, closure request and KYC.

No route here takes a user id: every one acts on the caller's identity, so a user
cannot name another user's data at all.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends

from burency_common.identity import require_verified_email
from burency_common.timeutil import to_iso_ms
from burency_users.domain.records import ProfileRecord
from burency_users.entrypoints.http.deps import Ctx, CurrentIdentity, Meta
from burency_users.entrypoints.http.kyc_schemas import (
    KycOut,
    KycSubmissionIn,
    SubmissionOut,
    submission_out,
)
from burency_users.entrypoints.http.schemas import (
    AddressOut,
    ClosureIn,
    ClosureOut,
    ProfileOut,
    ProfilePatchIn,
    problems,
)
from burency_users.service import kyc, profiles

__all__ = ["own_router", "profile_out"]

UiSettings = Annotated[
    dict[str, Any],
    Body(description="UI preferences (theme, chart settings...): any JSON object up to 8 KiB"),
]
SettingsPatch = Annotated[
    dict[str, Any],
    Body(
        description="JSON Merge Patch (RFC 7396) of the UI preferences: the keys given replace "
        "the stored ones, objects merge key by key, null removes a key; the others are kept",
        examples=[{"theme": "dark", "chart": {"interval": "1h"}, "favourites": None}],
    ),
]


def profile_out(p: ProfileRecord) -> ProfileOut:
    has_address = any((p.address_line1, p.address_city, p.address_postal_code, p.address_country))
    address = AddressOut(
        line1=p.address_line1,
        line2=p.address_line2,
        city=p.address_city,
        postal_code=p.address_postal_code,
        country=p.address_country,
    )
    closure = (
        ClosureOut(requested_at=to_iso_ms(p.closure_requested_at), reason=p.closure_reason)
        if p.closure_requested_at is not None
        else None
    )
    return ProfileOut(
        user_id=p.user_id,
        email=p.email,
        first_name=p.first_name,
        last_name=p.last_name,
        date_of_birth=p.date_of_birth,
        country=p.country,
        phone=p.phone,
        address=address if has_address else None,
        avatar_file_id=p.avatar_file_id,
        language=p.language,
        timezone=p.timezone,
        display_currency=p.display_currency,
        kyc_level=p.kyc_level,
        closure=closure,
        created_at=to_iso_ms(p.created_at),
        updated_at=to_iso_ms(p.updated_at),
    )


async def get_profile(ctx: Ctx, identity: CurrentIdentity) -> ProfileOut:
    return profile_out(await profiles.get_profile(ctx, user_id=identity.user_id))


async def patch_profile(body: ProfilePatchIn, ctx: Ctx, identity: CurrentIdentity) -> ProfileOut:
    updated = await profiles.update_profile(
        ctx, user_id=identity.user_id, changes=body.to_changes()
    )
    return profile_out(updated)


async def request_closure(
    ctx: Ctx, identity: CurrentIdentity, meta: Meta, body: ClosureIn | None = None
) -> ProfileOut:
    reason = body.reason if body is not None else None
    updated = await profiles.request_closure(
        ctx, user_id=identity.user_id, reason=reason, meta=meta
    )
    return profile_out(updated)


async def get_settings(ctx: Ctx, identity: CurrentIdentity) -> dict[str, Any]:
    return await profiles.get_settings(ctx, user_id=identity.user_id)


async def put_settings(body: UiSettings, ctx: Ctx, identity: CurrentIdentity) -> dict[str, Any]:
    return await profiles.put_settings(ctx, user_id=identity.user_id, settings=body)


async def patch_settings(
    body: SettingsPatch, ctx: Ctx, identity: CurrentIdentity
) -> dict[str, Any]:
    return await profiles.patch_settings(ctx, user_id=identity.user_id, patch=body)


async def get_kyc(ctx: Ctx, identity: CurrentIdentity) -> KycOut:
    view = await kyc.kyc_view(ctx, user_id=identity.user_id)
    latest = view.submissions[-1].status if view.submissions else "NONE"
    return KycOut(
        level=view.level,
        status=latest,
        submissions=[submission_out(s) for s in view.submissions],
    )


async def submit_kyc(body: KycSubmissionIn, ctx: Ctx, identity: CurrentIdentity) -> SubmissionOut:
    record = await kyc.submit(
        ctx, user_id=identity.user_id, level=body.level, documents=body.documents.as_wire()
    )
    return submission_out(record)


def own_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["profile"], responses=problems(401))
    nf = problems(404, 422)
    add = router.add_api_route
    add("/profile", get_profile, methods=["GET"], responses=nf, summary="My profile")
    add(
        "/profile",
        patch_profile,
        methods=["PATCH"],
        responses=problems(404, 409, 422, 503),
        summary="Change my profile (name, address, avatar ...)",
    )
    add(
        "/profile/closure-request",
        request_closure,
        methods=["POST"],
        responses=nf,
        summary="Ask for my account to be closed",
    )
    add("/settings", get_settings, methods=["GET"], responses=nf, summary="My app settings")
    add(
        "/settings",
        put_settings,
        methods=["PUT"],
        responses=problems(404, 413, 422),
        summary="Replace my app settings",
    )
    add(
        "/settings",
        patch_settings,
        methods=["PATCH"],
        responses=problems(404, 409, 413, 422),
        summary="Merge keys into my app settings (RFC 7396: null removes a key)",
    )
    add(
        "/kyc",
        get_kyc,
        methods=["GET"],
        responses=nf,
        tags=["kyc"],
        summary="My KYC level and my submissions, oldest first (the last is the latest)",
    )
    add(
        "/kyc/submissions",
        submit_kyc,
        methods=["POST"],
        status_code=201,
        summary="Submit documents for a KYC level (verified e-mail required)",
        responses=problems(403, 404, 409, 422, 503),
        tags=["kyc"],
        dependencies=[Depends(require_verified_email())],  # KYC binds a proven address
    )
    return router
