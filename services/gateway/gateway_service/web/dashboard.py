"""What the trainer dashboard shows beyond the public API: one overview, drawn charts.

Both are reads built from the gateway's own trainer queries and use cases (members,
progress, catalog), so they see exactly what the public API lets a trainer see.
"""

from __future__ import annotations

import contextvars
import logging
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from gateway_service import queries
from gateway_service.handlers import trainer as handlers
from gateway_service.principals import TrainerPrincipal
from gateway_service.repository import GatewayRepository
from gateway_service.schemas.dashboard import ChartsOut, OverviewOut
from gateway_service.schemas.members import MemberOut
from gateway_service.schemas.progress import ProgressExercise, ProgressOut
from gateway_service.service_clients import Services
from gateway_service.web.charts import (
    AdherenceWeek,
    PatternWeek,
    SeriesPoint,
    adherence_chart,
    e1rm_chart,
)
from myokine.patterns import WEEKLY_RANGES
from myokine.problems import Problem
from myokine.unit_of_work import UnitOfWork
from myokine.units import Unit, from_kg

log = logging.getLogger(__name__)

Uow = UnitOfWork[GatewayRepository]

# Progress of many members is read at once, but politely: progression serves kiosks too.
OVERVIEW_PARALLELISM = 6
ADHERENCE_WEEKS = 12
PATTERN_ORDER = ("squat", "hinge", "push", "pull")


def iso_week(day: date) -> str:
    """`2026-W48`, as progression labels its weeks."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_of(progress: Mapping[str, Any], today: date) -> dict[str, Any]:
    """This week's pattern counts from a progress document; a week without sessions is
    every pattern at 0 (below its range)."""
    label = iso_week(today)
    for week in progress.get("weeks") or []:
        if week.get("week") == label:
            return {"patterns": week.get("patterns") or {}, "on_protocol": week.get("on_protocol")}
    patterns = {
        pattern.value: {"done": 0, "min": r.min, "max": r.max, "status": "below"}
        for pattern, r in WEEKLY_RANGES.items()
    }
    return {"patterns": patterns, "on_protocol": False}


def recent_prs(progress: Mapping[str, Any], since: date) -> list[dict[str, Any]]:
    """The PRs set on or after `since`, each with its exercise, newest first."""
    found = []
    for slug, entry in (progress.get("exercises") or {}).items():
        for pr in entry.get("prs") or []:
            when = str(pr.get("date") or "")
            if when and date.fromisoformat(when[:10]) >= since:
                found.append({**pr, "exercise": slug})
    return sorted(found, key=lambda pr: str(pr.get("date")), reverse=True)


def _member_row(
    member: MemberOut, progress: Mapping[str, Any] | None, today: date
) -> dict[str, Any]:
    monday = today - timedelta(days=today.weekday())
    row = {
        "id": member.id,
        "name": member.name,
        "badge": member.badge,
        "unit": member.unit,
    }
    if progress is None:
        return {**row, "available": False, "week": None, "stalled": [], "prs": []}
    exercises = progress.get("exercises") or {}
    return {
        **row,
        "available": True,
        "week": week_of(progress, today),
        "stalled": sorted(slug for slug, e in exercises.items() if e.get("stalled")),
        "prs": recent_prs(progress, monday),
        "streaks": progress.get("streaks"),
    }


def overview(
    uow: Uow, services: Services, trainer: TrainerPrincipal, *, now: datetime
) -> OverviewOut:
    """The chain's gyms, each with its members' week: adherence, stalls and this week's PRs.

    Members are grouped by home gym and "this week" is that gym's local ISO week. A member
    whose progress cannot be read right now is listed with `available: false`.
    """
    members = queries.list_members(uow, trainer)
    gym_ids = sorted({m.home_gym_id for m in members}, key=str)
    gyms = queries.gyms_of_chain(uow, trainer, gym_ids)

    def read(member: MemberOut) -> dict[str, Any] | None:
        home = gyms.get(member.home_gym_id)
        if home is None:
            return None
        try:
            return handlers.progress_at_home(services, trainer, member, home).model_dump()
        except Problem as exc:
            log.warning("progress unavailable for the dashboard", extra={"error": exc.detail})
            return None

    with ThreadPoolExecutor(max_workers=OVERVIEW_PARALLELISM) as pool:
        futures = [pool.submit(contextvars.copy_context().run, read, m) for m in members]
        progresses = [f.result() for f in futures]
    listed = []
    for gym_id in gym_ids:
        gym = gyms.get(gym_id)
        name, timezone = (gym.name, gym.timezone) if gym else (None, "UTC")
        today = now.astimezone(ZoneInfo(timezone)).date()
        rows = [
            _member_row(m, p, today)
            for m, p in zip(members, progresses, strict=True)
            if m.home_gym_id == gym_id
        ]
        listed.append(
            {
                "id": gym_id,
                "name": name,
                "timezone": timezone,
                "week": iso_week(today),
                "members": rows,
            }
        )
    return OverviewOut.model_validate({"gyms": listed})


def _series(entry: ProgressExercise, unit: Unit) -> list[SeriesPoint]:
    return [
        SeriesPoint(point.date, from_kg(point.e1rm_kg, unit, places=1))
        for point in entry.series
        if point.e1rm_kg is not None
    ]


def _weeks(progress: ProgressOut) -> list[AdherenceWeek]:
    return [
        AdherenceWeek(
            week.week,
            {
                name: PatternWeek(done=p.done, min=p.min, max=p.max, status=p.status)
                for name, p in week.patterns.items()
            },
            week.on_protocol,
        )
        for week in progress.weeks[-ADHERENCE_WEEKS:]
    ]


def member_charts(
    uow: Uow, services: Services, trainer: TrainerPrincipal, member_id: uuid.UUID
) -> ChartsOut:
    """A member's e1RM chart per lift (lifts with data first, by pattern), their weekly
    adherence chart (SVG text, in the member's unit), milestones and streaks."""
    progress = handlers.member_progress(uow, services, trainer, member_id)
    unit = progress.unit
    catalog = {e.slug: e for e in handlers.list_exercises(services, trainer)}

    def pattern_of(slug: str) -> str | None:
        known = catalog.get(slug)
        return known.pattern if known else None

    def order(slug: str) -> tuple[int, int, str]:
        pattern = pattern_of(slug) or ""
        rank = PATTERN_ORDER.index(pattern) if pattern in PATTERN_ORDER else len(PATTERN_ORDER)
        has_data = bool(progress.exercises[slug].series)
        return (0 if has_data else 1, rank, slug)

    charts = []
    for slug in sorted(progress.exercises, key=order):
        entry = progress.exercises[slug]
        known = catalog.get(slug)
        name = (known.name if known else None) or slug
        best = entry.best_e1rm_kg
        charts.append(
            {
                "exercise": slug,
                "name": name,
                "pattern": pattern_of(slug),
                "best_e1rm": None if best is None else from_kg(best, unit, places=1),
                "stalled": entry.stalled,
                "svg": e1rm_chart(_series(entry, unit), title=name, unit=unit.value),
            }
        )
    return ChartsOut.model_validate(
        {
            "member_id": member_id,
            "unit": unit,
            "exercises": charts,
            "adherence": adherence_chart(_weeks(progress)),
            "milestones": progress.milestones,
            "streaks": progress.streaks,
        }
    )
