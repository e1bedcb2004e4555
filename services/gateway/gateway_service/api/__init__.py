"""The gateway's public HTTP API (docs/api.md): one router per resource."""

from __future__ import annotations

from fastapi import APIRouter

from gateway_service.api import (
    auth,
    catalog,
    gyms,
    kiosk,
    member_data,
    members,
    programs,
    staff,
    webhooks,
)

router = APIRouter()
for _resource in (
    auth,
    kiosk,
    catalog,
    programs,
    members,
    member_data,
    gyms,
    staff,
    webhooks,
):
    router.include_router(_resource.router)
