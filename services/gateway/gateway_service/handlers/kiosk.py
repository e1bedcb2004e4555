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
from datetime import datetime
from typing import Any, TypeVar

from gateway_service.domain.loads import as_decimal, present_progress, present_set
from gateway_service.domain.reasons import explain_progress
from gateway_service.domain.today import NEWS_WINDOW, KnownTarget, build_today, local_date
from gateway_service.handlers.equipment import inventory_of
from gateway_service.principals import MemberPrincipal
from gateway_service.repository import GatewayRepository
from gateway_service.schemas.kiosk import FinishOut, SetIn, SetOut, SetPatch, TodayOut
from gateway_service.schemas.progress import ProgressOut
from gateway_service.service_clients import Services
from myokine.inventory import default_inventory
from myokine.problems import Problem
from myokine.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

T = TypeVar("T")


def _degradable(fetch: Callable[[], T], what: str) -> Callable[[], T | None]:
    """`fetch`, answering None instead of raising when its service fails."""

    def run() -> T | None:
        try:
            return fetch()
        except Problem as exc:
            log.warning("%s unavailable for today's plan", what, extra={"error": exc.detail})
            return None

    return run


def _both(first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any]:
    """Run two calls at once, each in a copy of this context (so the request id follows)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        a = pool.submit(contextvars.copy_context().run, first)
        b = pool.submit(contextvars.copy_context().run, second)
        return a.result(), b.result()


def today(
    uow: UnitOfWork[GatewayRepository],
    services: Services,
    member: MemberPrincipal,
    *,
    now: datetime,
) -> TodayOut:
    """Today's plan with its targets and the sets logged so far.

    The plan must come from the program service (its problem passes through); targets
    and logged sets are fetched at once, and either may be missing: without progression
    the plan shows the last known targets with `stale: true`.
    """
    caller = member.caller()
    base = f"/members/{member.member_id}"
    date = local_date(member.kiosk.timezone, now)
    plan = services.program.call("GET", f"{base}/today", caller)
    slugs = [str(e["exercise"]) for e in plan.get("exercises", [])]

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

    targets, logged = _both(
        _degradable(fetch_targets, "progression"), _degradable(fetch_sets, "logging")
    )
    with uow:
        known: dict[str, KnownTarget] = {}
        if targets is not None:
            _remember_targets(uow.repo, member.member_id, targets, now)
        else:
            known = {
                slug: KnownTarget(t.load_kg, t.reps, t.sets)
                for slug, t in uow.repo.last_targets(member.member_id, slugs).items()
            }
        news = [
            {"kind": n.kind, "occurred_at": n.occurred_at, **n.payload}
            for n in uow.repo.recent_member_news(member.member_id, now - NEWS_WINDOW)
        ]
        gym = uow.repo.gym(member.kiosk.gym_id)
        inventory = inventory_of(uow.repo, gym) if gym else default_inventory(member.unit)
        uow.commit()
    shown = build_today(
        plan,
        targets=targets,
        known=known,
        logged=logged,
        unit=member.unit,
        local_date=date,
        inventory=inventory,
    )
    return TodayOut.model_validate({**shown, "news": news})


def _remember_targets(
    repo: GatewayRepository, member_id: uuid.UUID, targets: dict[str, Any], as_of: datetime
) -> None:
    for slug, target in (targets.get("exercises") or {}).items():
        repo.save_last_target(
            member_id,
            slug,
            load_kg=as_decimal(target.get("target_load_kg")),
            reps=target.get("target_reps"),
            sets=target.get("sets"),
            as_of=as_of,
        )


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
