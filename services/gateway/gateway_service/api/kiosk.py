"""The kiosk API: identify a member, then today's plan, sets, finish and progress."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from gateway_service.api.deps import (
    DepsDep,
    KioskDep,
    MemberDep,
    NowDep,
    RequiredIdempotencyKey,
    SlugPath,
    UowDep,
)
from gateway_service.api.errors import identify_problems, problems
from gateway_service.handlers import identity, kiosk
from gateway_service.schemas.kiosk import (
    FinishOut,
    IdentifyIn,
    IdentifyOut,
    KioskExercise,
    KioskSessionOut,
    MemberBrief,
    SetIn,
    SetOut,
    SetPatch,
    TodayExercise,
    TodayOut,
)
from gateway_service.schemas.progress import ProgressOut, TimelineOut
from gateway_service.tokens import issue_token
from myokine.patterns import Pattern

router = APIRouter(prefix="/v1/kiosk", tags=["kiosk"])


@router.post(
    "/identify",
    summary="Identify a member by badge and PIN",
    description=(
        "With the kiosk's device token. Answers a member token bound to this kiosk. A wrong "
        "badge or PIN answers 401. Wrong PINs make the badge wait at this kiosk only (by "
        "default from the fifth in a row: 30 seconds, doubling with each one more, up to 15 "
        "minutes); after many more, at every kiosk of the chain, and every badge at this "
        "kiosk, for a few minutes at most. The wrong PIN that starts a wait, and every "
        "attempt during it (even with the right PIN), answer 429 with Retry-After and "
        "`retry_after` (seconds). An unknown badge answers exactly as a known one with a "
        "wrong PIN."
    ),
    responses=identify_problems(),
)
def identify(
    deps: DepsDep, uow: UowDep, kiosk_: KioskDep, body: IdentifyIn, now: NowDep
) -> IdentifyOut:
    """Badge + PIN -> member token."""
    deps.limiter.hit(f"identify:{kiosk_.kiosk_id}", deps.settings.login_rate_limit_per_minute)
    member = identity.identify_member(uow, kiosk_, body.badge, body.pin, deps.pin_policy, now=now)
    ttl = deps.settings.member_token_ttl_seconds
    token = issue_token(
        "member",
        member.member_id,
        member.chain_id,
        secret=deps.settings.jwt_secret,
        ttl_seconds=ttl,
        kiosk_id=kiosk_.kiosk_id,
    )
    settings = deps.settings
    return IdentifyOut(
        member_token=token,
        expires_in=ttl,
        member=MemberBrief(id=member.member_id, name=member.name, unit=member.unit),
        session=KioskSessionOut(
            idle_seconds=settings.kiosk_idle_seconds,
            warning_seconds=settings.kiosk_idle_warning_seconds,
            open_members=settings.kiosk_open_members,
        ),
    )


@router.get(
    "/today",
    summary="Today's workout with targets and the sets logged so far",
    responses=problems(401, 403, 404),
)
def today(
    deps: DepsDep,
    uow: UowDep,
    member: MemberDep,
    now: NowDep,
    day: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=64,
            description="The program's day the member is training (today's `day` as first "
            "shown): the plan stays on it for the whole session.",
        ),
    ] = None,
) -> TodayOut:
    """Today's plan at the kiosk's gym, in the gym's local day."""
    return kiosk.today(uow, deps.services, member, now=now, day=day)


@router.get(
    "/exercises",
    summary="The exercises this gym has the equipment for",
    description="The chain's catalog (of one pattern, if given) less the exercises on "
    "equipment the kiosk's gym does not have: what a member picks to swap an exercise, or "
    "to train without a program.",
    responses=problems(401, 403, 422),
)
def gym_exercises(
    deps: DepsDep, uow: UowDep, member: MemberDep, pattern: Pattern | None = None
) -> list[KioskExercise]:
    """Exercises the member may log at this gym."""
    return kiosk.gym_exercises(uow, deps.services, member, pattern)


@router.get(
    "/exercises/{slug}",
    summary="One exercise as a card of today",
    description="Any exercise of the chain's catalog with this member's target at this gym, "
    "its plate math and the sets of it logged today: the card of a swapped exercise, or of "
    "one a member without a program picked.",
    responses=problems(401, 403, 404),
)
def exercise_today(
    deps: DepsDep, uow: UowDep, member: MemberDep, slug: SlugPath, now: NowDep
) -> TodayExercise:
    """Today's card of one exercise."""
    return kiosk.exercise_today(uow, deps.services, member, slug, now=now)


@router.post(
    "/sets",
    status_code=status.HTTP_201_CREATED,
    summary="Log a set",
    description="Idempotency-Key is required: the same key again answers the same set.",
    responses=problems(401, 403, 409, 422),
)
def log_set(deps: DepsDep, member: MemberDep, key: RequiredIdempotencyKey, body: SetIn) -> SetOut:
    """Log one set of the identified member."""
    return kiosk.log_set(deps.services, member, body, key)


@router.patch(
    "/sets/{set_id}",
    summary="Correct a set of this member (within 24 h)",
    responses=problems(401, 403, 404, 409, 422),
)
def correct_set(
    deps: DepsDep,
    member: MemberDep,
    key: RequiredIdempotencyKey,
    set_id: uuid.UUID,
    body: SetPatch,
) -> SetOut:
    """Change the given fields of one of the member's sets."""
    return kiosk.correct_set(deps.services, member, set_id, body, key)


@router.delete(
    "/sets/{set_id}",
    summary="Void a set of this member (within 24 h)",
    description="Answers the voided set; it no longer counts for anything.",
    responses=problems(401, 403, 404, 409),
)
def void_set(
    deps: DepsDep,
    member: MemberDep,
    key: RequiredIdempotencyKey,
    set_id: uuid.UUID,
    reason: Annotated[str | None, Query(max_length=500)] = None,
) -> SetOut:
    """Void one of the member's sets."""
    return kiosk.void_set(deps.services, member, set_id, reason, key)


@router.post(
    "/finish",
    summary="Finish today's session",
    responses=problems(401, 403, 404),
)
def finish(deps: DepsDep, member: MemberDep, key: RequiredIdempotencyKey) -> FinishOut:
    """Finish the member's open session; targets move when it is."""
    return kiosk.finish_session(deps.services, member, key)


@router.get(
    "/progress",
    summary="The member's progress",
    description="Per exercise: working load, next target, best e1RM, the e1RM series, PRs.",
    responses=problems(401, 403),
)
def progress(deps: DepsDep, member: MemberDep) -> ProgressOut:
    """Progress of the identified member, in kg and in their unit."""
    return kiosk.progress(deps.services, member)


@router.get(
    "/timeline",
    summary="The member's timeline",
    description="Milestones reached and the next one with what it needs, weeks on protocol "
    "and streaks, each pattern's main lift (e1RM over time, records, change since the first "
    "weeks) and the education cards the milestones opened (docs/protocol.md §4).",
    responses=problems(401, 403),
)
def timeline(deps: DepsDep, member: MemberDep, now: NowDep) -> TimelineOut:
    """The identified member's timeline, loads in their unit."""
    return kiosk.timeline(deps.services, member, now=now)
