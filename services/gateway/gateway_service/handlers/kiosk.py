"""The kiosk's use cases for an identified member: today's plan, sets, finishing, progress.

The gateway owns none of this data: each use case calls the service that does, as the
member at the kiosk's gym, and shows loads in the member's unit. Only today's plan
touches the gateway's database: it remembers the targets it was told, and falls back on
them when progression does not answer.
"""

from __future__ import annotations

import contextvars
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from typing import Any, TypeVar

from gateway_service.domain.loads import as_decimal, present_progress, present_set
from gateway_service.domain.reasons import explain_progress
from gateway_service.domain.timeline import Lift, build_timeline
from gateway_service.domain.today import (
    NEWS_WINDOW,
    KnownTarget,
    build_today,
    exercise_card,
    local_date,
)
from gateway_service.handlers.equipment import kiosk_inventory
from gateway_service.principals import MemberPrincipal
from gateway_service.repository import GatewayRepository
from gateway_service.schemas.kiosk import (
    FinishOut,
    KioskExercise,
    SetIn,
    SetOut,
    SetPatch,
    TodayExercise,
    TodayOut,
)
from gateway_service.schemas.progress import ProgressOut, TimelineOut
from gateway_service.service_clients import ServiceProblem, Services
from myokine.patterns import Pattern
from myokine.problems import NotFound, Problem
from myokine.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

T = TypeVar("T")

NO_ASSIGNMENT = "no-assignment"
"""The program service's problem type for a member without a program."""


def _degradable(fetch: Callable[[], T], what: str) -> Callable[[], T | None]:
    """`fetch`, answering None instead of raising when its service fails."""

    def run() -> T | None:
        try:
            return fetch()
        except Problem as exc:
            log.warning("%s unavailable for today's plan", what, extra={"error": exc.detail})
            return None

    return run


# One pool for every request's fetches: a pool of its own would start threads on each read
# of today. A fetch past the 32nd waits in the pool's queue; no fetch waits on another, so
# a full pool slows a burst of reads but never deadlocks it.
_FETCHES = ThreadPoolExecutor(max_workers=32, thread_name_prefix="gateway-fetch")


def _together(*calls: Callable[[], Any]) -> list[Any]:
    """Run calls at once, each in a copy of this context (so the request id follows)."""
    running = [_FETCHES.submit(contextvars.copy_context().run, call) for call in calls]
    return [r.result() for r in running]


def _plan(services: Services, member: MemberPrincipal, day: str | None) -> dict[str, Any]:
    """The member's next session (or the day `day` they are training) from the program
    service; empty when they have no program."""
    try:
        plan: dict[str, Any] = services.program.call(
            "GET",
            f"/members/{member.member_id}/today",
            member.caller(),
            params={"day": day} if day else None,
        )
    except ServiceProblem as exc:
        if exc.kind != NO_ASSIGNMENT:
            raise
        return {}
    return plan


def _fetchers(
    services: Services, member: MemberPrincipal, slugs: list[str], date: str
) -> tuple[Callable[[], dict[str, Any] | None], Callable[[], list[dict[str, Any]] | None]]:
    """Fetch the targets of `slugs` (with the week) and the sets of `date`, each None when
    its service does not answer."""
    caller = member.caller()
    base = f"/members/{member.member_id}"

    def fetch_targets() -> dict[str, Any]:
        params = {"exercises": ",".join(slugs), "local_date": date}
        answer: dict[str, Any] = services.progression.call(
            "GET", f"{base}/targets", caller, params=params
        )
        return answer

    def fetch_sets() -> list[dict[str, Any]]:
        answer: list[dict[str, Any]] = services.logging.call(
            "GET", f"{base}/sets", caller, params={"local_date": date}
        )
        return answer

    return _degradable(fetch_targets, "progression"), _degradable(fetch_sets, "logging")


def today(
    uow: UnitOfWork[GatewayRepository],
    services: Services,
    member: MemberPrincipal,
    *,
    now: datetime,
    day: str | None = None,
) -> TodayOut:
    """Today's plan with its targets and the sets logged so far; `day` names the program's
    day the member is training, which a kiosk keeps asking for through a session (an
    earlier session finishing meanwhile moves the rotation on).

    The plan must come from the program service (its problem passes through; a member
    without a program gets an empty plan, `no_program`); targets and logged sets are
    fetched at once, and either may be missing: without progression the plan shows the
    last known targets with `stale: true`.
    """
    date = local_date(member.kiosk.timezone, now)
    plan = _plan(services, member, day)
    slugs = [str(e["exercise"]) for e in plan.get("exercises", [])]
    targets, logged = _together(*_fetchers(services, member, slugs, date))
    with uow:
        remembered = uow.repo.last_targets(member.member_id, slugs)
        if targets is not None:
            _remember_targets(uow.repo, member.member_id, targets, remembered, now)
        news = [
            {"kind": n.kind, "occurred_at": n.occurred_at, **n.payload}
            for n in uow.repo.recent_member_news(member.member_id, now - NEWS_WINDOW)
        ]
        inventory = kiosk_inventory(uow.repo, member.kiosk.gym_id, member.unit)
        uow.commit()
    shown = build_today(
        plan,
        targets=targets,
        # The remembered targets stand in only when progression did not answer.
        known=remembered if targets is None else {},
        logged=logged,
        unit=member.unit,
        local_date=date,
        inventory=inventory,
    )
    return TodayOut.model_validate({**shown, "news": news})


def _catalog(services: Services, member: MemberPrincipal) -> list[dict[str, Any]]:
    catalog: list[dict[str, Any]] = services.program.call("GET", "/exercises", member.caller())
    return catalog


def gym_exercises(
    uow: UnitOfWork[GatewayRepository],
    services: Services,
    member: MemberPrincipal,
    pattern: Pattern | None,
) -> list[KioskExercise]:
    """The chain's exercises (of one pattern, if given) that the kiosk's gym has the
    equipment for, in catalog order: what a member without a program, or one swapping an
    exercise, may pick."""
    catalog = _catalog(services, member)
    with uow:
        inventory = kiosk_inventory(uow.repo, member.kiosk.gym_id, member.unit)
    return [
        KioskExercise(
            exercise=e["slug"], name=e["name"], pattern=e["pattern"], equipment=e["equipment"]
        )
        for e in catalog
        if (pattern is None or e["pattern"] == pattern.value) and inventory.has(e["equipment"])
    ]


def exercise_today(
    uow: UnitOfWork[GatewayRepository],
    services: Services,
    member: MemberPrincipal,
    slug: str,
    *,
    now: datetime,
) -> TodayExercise:
    """Any exercise of the catalog as a card of today: its target for this member at this
    gym, plate math, and the sets of it logged today. For a swap, or a member without a
    program. Without progression the card has no target (null), as today's plan would."""
    date = local_date(member.kiosk.timezone, now)
    fetch_targets, fetch_sets = _fetchers(services, member, [slug], date)
    catalog, targets, logged = _together(
        lambda: _catalog(services, member), fetch_targets, fetch_sets
    )
    entry = next((e for e in catalog if e["slug"] == slug), None)
    if entry is None:
        raise NotFound(f"The chain's catalog has no exercise '{slug}'.")
    with uow:
        inventory = kiosk_inventory(uow.repo, member.kiosk.gym_id, member.unit)
    planned = {
        "exercise": slug,
        "name": entry["name"],
        "pattern": entry["pattern"],
        "equipment": entry["equipment"],
        "alternatives": [
            {"exercise": e["slug"], "name": e["name"], "equipment": e["equipment"]}
            for e in catalog
            if e["pattern"] == entry["pattern"] and e["slug"] != slug
        ],
    }
    live = ((targets or {}).get("exercises") or {}).get(slug)
    card = exercise_card(
        planned, live=live, known=None, logged=logged or [], unit=member.unit, inventory=inventory
    )
    return TodayExercise.model_validate(card)


def _remember_targets(
    repo: GatewayRepository,
    member_id: uuid.UUID,
    targets: dict[str, Any],
    known: dict[str, KnownTarget],
    as_of: datetime,
) -> None:
    told = {
        slug: KnownTarget(
            as_decimal(target.get("target_load_kg")), target.get("target_reps"), target.get("sets")
        )
        for slug, target in (targets.get("exercises") or {}).items()
    }
    # Only what changed is written: most reads of today find the targets they remember, and
    # a read that wrote every one of them cost the database a row version each time.
    changed = {slug: target for slug, target in told.items() if known.get(slug) != target}
    # Held first: a member erased while their plan was being fetched keeps nothing here.
    if changed and repo.hold_member(member_id):
        repo.save_last_targets(member_id, changed, as_of=as_of)


def log_set(
    services: Services, member: MemberPrincipal, body: SetIn, idempotency_key: str
) -> SetOut:
    """Log a set; the unit defaults to the member's. The same key answers the same set."""
    payload = body.model_dump(mode="json", exclude_none=True)
    payload["unit"] = payload.get("unit") or member.unit.value
    logged = services.logging.call(
        "POST",
        f"/members/{member.member_id}/sets",
        member.caller(),
        json=payload,
        idempotency_key=idempotency_key,
    )
    return SetOut.model_validate(present_set(logged, member.unit))


def correct_set(
    services: Services,
    member: MemberPrincipal,
    set_id: uuid.UUID,
    body: SetPatch,
    idempotency_key: str,
) -> SetOut:
    """Correct one of the member's own sets (the logging service allows 24 h).

    Only the fields sent change; a load sent without a unit is in the member's unit.
    """
    changes = body.model_dump(mode="json", exclude_unset=True)
    if "load" in changes and not changes.get("unit"):
        changes["unit"] = member.unit.value
    corrected = services.logging.call(
        "PATCH",
        f"/members/{member.member_id}/sets/{set_id}",
        member.caller(),
        json=changes,
        idempotency_key=idempotency_key,
    )
    return SetOut.model_validate(present_set(corrected, member.unit))


def void_set(
    services: Services,
    member: MemberPrincipal,
    set_id: uuid.UUID,
    reason: str | None,
    idempotency_key: str,
) -> SetOut:
    """Void one of the member's own sets; the voided set, as it was."""
    voided = services.logging.call(
        "DELETE",
        f"/members/{member.member_id}/sets/{set_id}",
        member.caller(),
        params={"reason": reason} if reason else None,
        idempotency_key=idempotency_key,
    )
    return SetOut.model_validate(present_set(voided, member.unit))


def finish_session(services: Services, member: MemberPrincipal, idempotency_key: str) -> FinishOut:
    """Finish the member's open session of today."""
    finished = services.logging.call(
        "POST",
        f"/members/{member.member_id}/sessions/finish",
        member.caller(),
        idempotency_key=idempotency_key,
    )
    return FinishOut.model_validate(finished)


def progress(services: Services, member: MemberPrincipal) -> ProgressOut:
    """The member's progress, with loads in their unit beside kg."""
    doc = services.progression.call("GET", f"/members/{member.member_id}/progress", member.caller())
    return ProgressOut.model_validate(
        explain_progress(present_progress(doc, member.unit), member.unit)
    )


def timeline(services: Services, member: MemberPrincipal, *, now: datetime) -> TimelineOut:
    """The member's timeline: milestones and the next one, streaks, main lifts, education."""
    progress_doc, catalog = _together(
        lambda: services.progression.call(
            "GET", f"/members/{member.member_id}/progress", member.caller()
        ),
        lambda: _catalog(services, member),
    )
    lifts = {e["slug"]: Lift(name=e["name"], pattern=e["pattern"]) for e in catalog}
    today_here = date.fromisoformat(local_date(member.kiosk.timezone, now))
    return TimelineOut.model_validate(build_timeline(progress_doc, lifts, member.unit, today_here))
