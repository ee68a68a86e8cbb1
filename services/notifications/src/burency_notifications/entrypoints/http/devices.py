"""``/v1/devices``: the caller's push registration tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Response
from pydantic import Field

from burency_common.api import ApiModel
from burency_common.web.openapi import problem_responses
from burency_notifications.entrypoints.http.deps import Ctx, CurrentIdentity
from burency_notifications.service import devices
from burency_notifications.service.devices import Device

__all__ = ["DeviceIn", "DeviceOut", "DevicesOut", "devices_router"]


class DeviceIn(ApiModel):
    token: str = Field(
        min_length=16,
        max_length=4096,
        pattern=r"^[A-Za-z0-9_:.\-]+$",
        description="the FCM registration token of this app install",
    )
    platform: Literal["android", "ios", "web"]
    name: str | None = Field(default=None, max_length=100, description="e.g. 'Pixel 8'")


class DeviceOut(ApiModel):
    id: str
    platform: str
    name: str | None
    token_suffix: str = Field(description="the token's last 8 characters (to tell devices apart)")
    created_at: datetime
    updated_at: datetime


class DevicesOut(ApiModel):
    items: list[DeviceOut]


def _out(device: Device) -> DeviceOut:
    return DeviceOut(
        id=device.id,
        platform=device.platform,
        name=device.name,
        token_suffix=device.token[-8:],
        created_at=device.created_at,
        updated_at=device.updated_at,
    )


def devices_router() -> APIRouter:
    router = APIRouter(prefix="/v1/devices", tags=["devices"], responses=problem_responses(401))

    @router.post(
        "",
        response_model=DeviceOut,
        status_code=201,
        responses=problem_responses(409, 422),
        summary="Register a device's push token (at most 20 devices)",
    )
    async def register_device(body: DeviceIn, ctx: Ctx, who: CurrentIdentity) -> DeviceOut:
        """Register (or move to the caller) a push token; at most 20 devices per user."""
        device = await devices.register_device(
            ctx, user_id=who.user_id, token=body.token, platform=body.platform, name=body.name
        )
        return _out(device)

    @router.get("", response_model=DevicesOut, summary="My devices registered for push")
    async def list_devices(ctx: Ctx, who: CurrentIdentity) -> DevicesOut:
        return DevicesOut(
            items=[_out(d) for d in await devices.list_devices(ctx, user_id=who.user_id)]
        )

    @router.delete(
        "/{device_id}",
        status_code=204,
        responses=problem_responses(404, 422),
        summary="Forget one of my devices (no more push to it)",
    )
    async def delete_device(
        ctx: Ctx, who: CurrentIdentity, device_id: Annotated[str, Path(max_length=64)]
    ) -> Response:
        await devices.delete_device(ctx, user_id=who.user_id, device_id=device_id)
        return Response(status_code=204)

    return router
