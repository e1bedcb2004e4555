"""What the trainer dashboard shows beyond the public API: one overview, drawn charts.

Both are reads built from the gateway's own trainer use cases (members, progress,
catalog), so they see exactly what the public API lets a trainer see.
"""

from __future__ import annotations

import contextvars
import logging
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from gateway_service import repository as repo
from gateway_service.domain.loads import as_decimal
from gateway_service.handlers import trainer as handlers
from gateway_service.principals import TrainerPrincipal
from gateway_service.service_clients import Services
from gateway_service.web.charts import (
    AdherenceWeek,
    PatternWeek,
    SeriesPoint,
    adherence_chart,
    e1rm_chart,
)
from myokine.db import transaction
from myokine.patterns import WEEKLY_RANGES
from myokine.problems import Problem
from myokine.units import Unit, from_kg

log = logging.getLogger(__name__)

Sessions = sessionmaker[Session]

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
    member: Mapping[str, Any], progress: Mapping[str, Any] | None, today: date
) -> dict[str, Any]:
    monday = today - timedelta(days=today.weekday())
    row = {
        "id": member["id"],
        "name": member["name"],
        "badge": member["badge"],
        "unit": member["unit"],
        "locked_until": member["locked_until"],
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


def overview(sessions: Sessions, services: Services, trainer: TrainerPrincipal) -> dict[str, Any]:
    """The chain's gyms, each with its members' week: adherence, stalls and this week's PRs.

    Members are grouped by home gym and "this week" is that gym's local ISO week. A member
    whose progress cannot be read right now is listed with `available: false`.
    """
    members = handlers.list_members(sessions, trainer)
    gym_ids = sorted({m["home_gym_id"] for m in members}, key=str)
    with transaction(sessions) as session:
        gyms = {
            gym.id: (gym.name, gym.timezone)
            for gym in (repo.gym_in_chain(session, trainer.chain_id, gid) for gid in gym_ids)
            if gym is not None
        }

    def read(member_id: uuid.UUID) -> dict[str, Any] | None:
        try:
            return handlers.member_progress(sessions, services, trainer, member_id)
        except Problem as exc:
            log.warning("progress unavailable for the dashboard", extra={"error": exc.detail})
            return None

    with ThreadPoolExecutor(max_workers=OVERVIEW_PARALLELISM) as pool:
        futures = [pool.submit(contextvars.copy_context().run, read, m["id"]) for m in members]
        progresses = [f.result() for f in futures]
    now = datetime.now(UTC)
    listed = []
    for gym_id in gym_ids:
        name, timezone = gyms.get(gym_id, (None, "UTC"))
        today = now.astimezone(ZoneInfo(timezone)).date()
        rows = [
            _member_row(m, p, today)
            for m, p in zip(members, progresses, strict=True)
            if m["home_gym_id"] == gym_id
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
    return {"gyms": listed}


def _series(entry: Mapping[str, Any], unit: Unit) -> list[SeriesPoint]:
    points = []
    for point in entry.get("series") or []:
        kg = as_decimal(point.get("e1rm_kg"))
        if kg is not None and point.get("date"):
            day = date.fromisoformat(str(point["date"])[:10])
            points.append(SeriesPoint(day, from_kg(kg, unit, places=1)))
    return points


def _weeks(progress: Mapping[str, Any]) -> list[AdherenceWeek]:
    weeks = []
    for week in (progress.get("weeks") or [])[-ADHERENCE_WEEKS:]:
        patterns = {
            str(name): PatternWeek(
                done=p.get("done"), min=int(p["min"]), max=int(p["max"]), status=str(p["status"])
            )
            for name, p in (week.get("patterns") or {}).items()
        }
        weeks.append(AdherenceWeek(str(week.get("week")), patterns, week.get("on_protocol")))
    return weeks


def member_charts(
    sessions: Sessions, services: Services, trainer: TrainerPrincipal, member_id: uuid.UUID
) -> dict[str, Any]:
    """A member's e1RM chart per lift (lifts with data first, by pattern), their weekly
    adherence chart (SVG text, in the member's unit), milestones and streaks."""
    progress = handlers.member_progress(sessions, services, trainer, member_id)
    unit = Unit(progress.get("unit") or "kg")
    catalog = {str(e["slug"]): e for e in handlers.list_exercises(services, trainer)}

    def order(slug: str) -> tuple[int, int, str]:
        pattern = str(catalog.get(slug, {}).get("pattern", ""))
        rank = PATTERN_ORDER.index(pattern) if pattern in PATTERN_ORDER else len(PATTERN_ORDER)
        has_data = bool(progress["exercises"][slug].get("series"))
        return (0 if has_data else 1, rank, slug)

    charts = []
    for slug in sorted(progress.get("exercises") or {}, key=order):
        entry = progress["exercises"][slug]
        name = str(catalog.get(slug, {}).get("name") or slug)
        best = as_decimal(entry.get("best_e1rm_kg"))
        charts.append(
            {
                "exercise": slug,
                "name": name,
                "pattern": catalog.get(slug, {}).get("pattern"),
                "best_e1rm": None if best is None else from_kg(best, unit, places=1),
                "stalled": bool(entry.get("stalled")),
                "svg": e1rm_chart(_series(entry, unit), title=name, unit=unit.value),
            }
        )
    return {
        "member_id": member_id,
        "unit": unit.value,
        "exercises": charts,
        "adherence": adherence_chart(_weeks(progress)),
        "milestones": progress.get("milestones") or [],
        "streaks": progress.get("streaks"),
    }
