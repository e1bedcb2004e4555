"""The kiosk API: identify a member, then today's plan, sets, finish and progress."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from gateway_service.api.deps import (
    GatewayDep,
    KioskDep,
    MemberDep,
    RequiredIdempotencyKey,
)
from gateway_service.api.errors import problems
from gateway_service.api.schemas import (
    FinishOut,
    IdentifyIn,
    IdentifyOut,
    MemberBrief,
    ProgressOut,
    SetIn,
    SetOut,
    SetPatch,
    TodayOut,
)
from gateway_service.handlers import identity, kiosk
from gateway_service.tokens import issue_token

router = APIRouter(prefix="/v1/kiosk", tags=["kiosk"])


@router.post(
    "/identify",
    summary="Identify a member by badge and PIN",
    description=(
        "With the kiosk's device token. Answers a member token bound to this kiosk. A wrong "
        "badge or PIN answers 401; the fifth wrong PIN in a row locks the badge for 15 "
        "minutes, and every attempt meanwhile answers 423 with Retry-After."
    ),
    response_model=IdentifyOut,
    responses=problems(401, 403, 422, 423),
)
def identify(gateway: GatewayDep, kiosk_: KioskDep, body: IdentifyIn) -> IdentifyOut:
    """Badge + PIN -> member token."""
    gateway.limiter.hit(f"identify:{kiosk_.kiosk_id}", gateway.settings.login_rate_limit_per_minute)
    member = identity.identify_member(
        gateway.sessions, kiosk_, body.badge, body.pin, gateway.pin_policy
    )
    ttl = gateway.settings.member_token_ttl_seconds
    token = issue_token(
        "member",
        member.member_id,
        member.chain_id,
        secret=gateway.settings.jwt_secret,
        ttl_seconds=ttl,
        kiosk_id=kiosk_.kiosk_id,
    )
    return IdentifyOut(
        member_token=token,
        expires_in=ttl,
        member=MemberBrief(id=member.member_id, name=member.name, unit=member.unit),
    )


@router.get(
    "/today",
    summary="Today's workout with targets and the sets logged so far",
    response_model=None,
    responses={200: {"model": TodayOut}, **problems(401, 403, 404)},
)
def today(gateway: GatewayDep, member: MemberDep) -> dict[str, Any]:
    """Today's plan at the kiosk's gym, in the gym's local day."""
    return kiosk.today(gateway.sessions, gateway.services, member)


@router.post(
    "/sets",
    status_code=status.HTTP_201_CREATED,
    summary="Log a set",
    description="Idempotency-Key is required: the same key again answers the same set.",
    response_model=None,
    responses={201: {"model": SetOut}, **problems(401, 403, 409, 422)},
)
def log_set(
    gateway: GatewayDep, member: MemberDep, key: RequiredIdempotencyKey, body: SetIn
) -> dict[str, Any]:
    """Log one set of the identified member."""
    payload = body.model_dump(mode="json", exclude_none=True)
    return kiosk.log_set(gateway.services, member, payload, key)


@router.patch(
    "/sets/{set_id}",
    summary="Correct a set of this member (within 24 h)",
    response_model=None,
    responses={200: {"model": SetOut}, **problems(401, 403, 404, 409, 422)},
)
def correct_set(
    gateway: GatewayDep,
    member: MemberDep,
    key: RequiredIdempotencyKey,
    set_id: uuid.UUID,
    body: SetPatch,
) -> dict[str, Any]:
    """Change the given fields of one of the member's sets."""
    changes = body.model_dump(mode="json", exclude_unset=True)
    return kiosk.correct_set(gateway.services, member, set_id, changes, key)


@router.delete(
    "/sets/{set_id}",
    summary="Void a set of this member (within 24 h)",
    description="Answers the voided set; it no longer counts for anything.",
    response_model=None,
    responses={200: {"model": SetOut}, **problems(401, 403, 404, 409)},
)
def void_set(
    gateway: GatewayDep,
    member: MemberDep,
    key: RequiredIdempotencyKey,
    set_id: uuid.UUID,
    reason: Annotated[str | None, Query(max_length=500)] = None,
) -> dict[str, Any]:
    """Void one of the member's sets."""
    return kiosk.void_set(gateway.services, member, set_id, reason, key)


@router.post(
    "/finish",
    summary="Finish today's session",
    response_model=None,
    responses={200: {"model": FinishOut}, **problems(401, 403, 404)},
)
def finish(gateway: GatewayDep, member: MemberDep, key: RequiredIdempotencyKey) -> dict[str, Any]:
    """Finish the member's open session; targets move when it is."""
    return kiosk.finish_session(gateway.services, member, key)


@router.get(
    "/progress",
    summary="The member's progress",
    description="Per exercise: working load, next target, best e1RM, the e1RM series, PRs.",
    response_model=None,
    responses={200: {"model": ProgressOut}, **problems(401, 403)},
)
def progress(gateway: GatewayDep, member: MemberDep) -> dict[str, Any]:
    """Progress of the identified member, in kg and in their unit."""
    return kiosk.progress(gateway.services, member)
