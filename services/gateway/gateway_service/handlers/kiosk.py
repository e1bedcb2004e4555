"""The kiosk's use cases for an identified member: today's plan, sets, finishing, progress.

The gateway owns none of this data: each use case calls the service that does, as the
member at the kiosk's gym, and shows loads in the member's unit.
"""

from __future__ import annotations

import contextvars
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from gateway_service import repository as repo
from gateway_service.domain.loads import as_decimal, present_progress, present_set
from gateway_service.domain.today import KnownTarget, build_today
from gateway_service.principals import MemberPrincipal
from gateway_service.service_clients import Services
from myokine.db import transaction
from myokine.problems import Problem

log = logging.getLogger(__name__)

Sessions = sessionmaker[Session]
T = TypeVar("T")

# PRs, stalls and milestones of the last day are shown with today's plan.
NEWS_WINDOW = timedelta(hours=24)


def local_date(timezone: str, now: datetime | None = None) -> str:
    """Today's date at a gym, ISO formatted."""
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(timezone)).date().isoformat()


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


def today(sessions: Sessions, services: Services, member: MemberPrincipal) -> dict[str, Any]:
    """Today's plan with its targets and the sets logged so far.

    The plan must come from the program service (its problem passes through); targets
    and logged sets are fetched at once, and either may be missing: without progression
    the plan shows the last known targets with `stale: true`.
    """
    caller = member.caller()
    base = f"/members/{member.member_id}"
    date = local_date(member.kiosk.timezone)
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
    now = datetime.now(UTC)
    with transaction(sessions) as session:
        if targets is not None:
            _remember_targets(session, member.member_id, targets, now)
            known: dict[str, KnownTarget] = {}
        else:
            known = {
                slug: KnownTarget(t.load_kg, t.reps, t.sets)
                for slug, t in repo.last_targets(session, member.member_id, slugs).items()
            }
        news = [
            {"kind": n.kind, "occurred_at": n.occurred_at, **n.payload}
            for n in repo.recent_member_news(session, member.member_id, now - NEWS_WINDOW)
        ]
    shown = build_today(
        plan, targets=targets, known=known, logged=logged, unit=member.unit, local_date=date
    )
    return {**shown, "news": news}


def _remember_targets(
    session: Session, member_id: uuid.UUID, targets: dict[str, Any], as_of: datetime
) -> None:
    for slug, target in (targets.get("exercises") or {}).items():
        repo.save_last_target(
            session,
            member_id,
            slug,
            load_kg=as_decimal(target.get("target_load_kg")),
            reps=target.get("target_reps"),
            sets=target.get("sets"),
            as_of=as_of,
        )


def log_set(
    services: Services, member: MemberPrincipal, body: dict[str, Any], idempotency_key: str
) -> dict[str, Any]:
    """Log a set; the unit defaults to the member's. The same key answers the same set."""
    payload = {**body, "unit": body.get("unit") or member.unit.value}
    logged = services.logging.call(
        "POST",
        f"/members/{member.member_id}/sets",
        member.caller(),
        json=payload,
        idempotency_key=idempotency_key,
    )
    return present_set(logged, member.unit)


def correct_set(
    services: Services,
    member: MemberPrincipal,
    set_id: uuid.UUID,
    changes: dict[str, Any],
    idempotency_key: str,
) -> dict[str, Any]:
    """Correct one of the member's own sets (the logging service allows 24 h)."""
    if "load" in changes and not changes.get("unit"):
        changes = {**changes, "unit": member.unit.value}
    corrected = services.logging.call(
        "PATCH",
        f"/members/{member.member_id}/sets/{set_id}",
        member.caller(),
        json=changes,
        idempotency_key=idempotency_key,
    )
    return present_set(corrected, member.unit)


def void_set(
    services: Services,
    member: MemberPrincipal,
    set_id: uuid.UUID,
    reason: str | None,
    idempotency_key: str,
) -> dict[str, Any]:
    """Void one of the member's own sets; the voided set, as it was."""
    voided = services.logging.call(
        "DELETE",
        f"/members/{member.member_id}/sets/{set_id}",
        member.caller(),
        params={"reason": reason} if reason else None,
        idempotency_key=idempotency_key,
    )
    return present_set(voided, member.unit)


def finish_session(
    services: Services, member: MemberPrincipal, idempotency_key: str
) -> dict[str, Any]:
    """Finish the member's open session of today."""
    finished: dict[str, Any] = services.logging.call(
        "POST",
        f"/members/{member.member_id}/sessions/finish",
        member.caller(),
        idempotency_key=idempotency_key,
    )
    return finished


def progress(services: Services, member: MemberPrincipal) -> dict[str, Any]:
    """The member's progress, with loads in their unit beside kg."""
    doc = services.progression.call("GET", f"/members/{member.member_id}/progress", member.caller())
    return present_progress(doc, member.unit)
