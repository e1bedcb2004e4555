"""The member's timeline at the kiosk (docs/protocol.md §4): milestones reached and the next
one with what it needs, weeks on protocol and streaks, each pattern's main lift with its
e1RM over time and its records, and the education cards the milestones opened.

Everything here is drawn from progression's progress document and the chain's catalog;
nothing is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from gateway_service.domain.education import CARDS
from gateway_service.domain.loads import as_decimal, in_unit
from myokine.patterns import WEEKLY_RANGES, Pattern
from myokine.units import Unit

MILESTONES: tuple[tuple[str, str], ...] = (
    ("first_session", "First workout"),
    ("first_protocol_week", "First week on protocol"),
    ("initial_adaptation", "Four weeks on protocol in a row"),
    ("strength_check", "Strength check after 12 weeks"),
)
"""The milestones in the order a member reaches them, with their titles."""

ADAPTATION_WEEKS = 4
STRENGTH_CHECK_AFTER = timedelta(weeks=12)
BASELINE_WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class Lift:
    """An exercise of the catalog as the timeline needs it."""

    name: str
    pattern: str


def main_lifts(exercises: Mapping[str, Any], catalog: Mapping[str, Lift]) -> dict[str, str]:
    """Per pattern, the exercise the member trained on most days (then the strongest, then
    by name): the lift whose e1RM the timeline charts."""
    chosen: dict[str, tuple[int, Decimal, str]] = {}
    for slug, item in exercises.items():
        lift = catalog.get(slug)
        if lift is None or not item.get("series"):
            continue
        rank = (len(item["series"]), as_decimal(item.get("best_e1rm_kg")) or Decimal(0), slug)
        if lift.pattern not in chosen or rank > chosen[lift.pattern]:
            chosen[lift.pattern] = rank
    return {pattern: rank[2] for pattern, rank in chosen.items()}


def strength_change(series: list[dict[str, Any]]) -> dict[str, Decimal] | None:
    """The best e1RM of the first two weeks against the best of the last two, in kg and
    percent; None until the two windows are apart."""
    points = [(date.fromisoformat(str(p["date"])), as_decimal(p.get("e1rm_kg"))) for p in series]
    known = [(day, e1rm) for day, e1rm in points if e1rm is not None]
    if not known:
        return None
    first, last = known[0][0], known[-1][0]
    if last - first < BASELINE_WINDOW:
        return None
    baseline = max(e for day, e in known if day < first + BASELINE_WINDOW)
    current = max(e for day, e in known if day > last - BASELINE_WINDOW)
    pct = ((current - baseline) / baseline * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return {"from_kg": baseline, "to_kg": current, "change_pct": pct}


def _record(pr: Mapping[str, Any], unit: Unit) -> dict[str, Any]:
    reps_record = pr.get("kind") == "reps"
    value = pr.get("value")
    return {
        "kind": pr.get("kind"),
        "date": pr.get("date"),
        "value": value if reps_record else in_unit(value, unit),
        "reps": pr.get("reps"),
        "load": in_unit(pr.get("load_kg"), unit),
    }


def _lift(slug: str, item: Mapping[str, Any], lift: Lift, unit: Unit) -> dict[str, Any]:
    change = strength_change(list(item.get("series") or []))
    return {
        "pattern": lift.pattern,
        "exercise": slug,
        "name": lift.name,
        "best_e1rm": in_unit(item.get("best_e1rm_kg"), unit),
        "series": [
            {"date": p["date"], "e1rm": in_unit(p.get("e1rm_kg"), unit)}
            for p in item.get("series") or []
        ],
        "prs": [_record(pr, unit) for pr in item.get("prs") or []],
        "change": None
        if change is None
        else {
            "from": in_unit(change["from_kg"], unit),
            "to": in_unit(change["to_kg"], unit),
            "change_pct": change["change_pct"],
        },
    }


def _this_week(weeks: list[Mapping[str, Any]], today: date) -> Mapping[str, Any] | None:
    monday = (today - timedelta(days=today.weekday())).isoformat()
    return next((w for w in weeks if str(w.get("start")) == monday), None)


def _week_needs(week: Mapping[str, Any] | None) -> str:
    patterns = (week or {}).get("patterns") or {}
    short = []
    for pattern, band in WEEKLY_RANGES.items():
        done = (patterns.get(pattern.value) or {}).get("done") or 0
        if done < band.min:
            short.append(f"{pattern.value} {band.min - done} more")
    if not short:
        return "Finish a workout this week with every pattern in its range."
    return "This week still needs: " + ", ".join(short) + "."


def next_milestone(
    reached: Mapping[str, date],
    weeks: list[Mapping[str, Any]],
    current_streak: int,
    today: date,
) -> dict[str, str] | None:
    """The first milestone not reached yet, and in words what it still needs."""
    for milestone, title in MILESTONES:
        if milestone in reached:
            continue
        if milestone == "first_session":
            needs = "Finish your first workout."
        elif milestone == "first_protocol_week":
            needs = _week_needs(_this_week(weeks, today))
        elif milestone == "initial_adaptation":
            needs = f"{current_streak} of {ADAPTATION_WEEKS} weeks on protocol in a row so far."
        else:
            due = reached["first_session"] + STRENGTH_CHECK_AFTER
            needs = f"Train on or after {due.isoformat()}: your strength against your first weeks."
        return {"milestone": milestone, "title": title, "needs": needs}
    return None


def build_timeline(
    progress: Mapping[str, Any], catalog: Mapping[str, Lift], unit: Unit, today: date
) -> dict[str, Any]:
    """The timeline screen's document, loads in the member's unit."""
    exercises: Mapping[str, Any] = progress.get("exercises") or {}
    weeks: list[Mapping[str, Any]] = list(progress.get("weeks") or [])
    streaks = progress.get("streaks") or {"current": 0, "longest": 0}
    titles = dict(MILESTONES)
    reached = {
        str(m["milestone"]): date.fromisoformat(str(m["reached_on"]))
        for m in progress.get("milestones") or []
    }
    lifts = main_lifts(exercises, catalog)
    order = [p.value for p in Pattern]
    return {
        "unit": unit.value,
        "weeks_on_protocol": sum(1 for w in weeks if w.get("on_protocol")),
        "streaks": {"current": streaks["current"], "longest": streaks["longest"]},
        "milestones": [
            {
                "milestone": m["milestone"],
                "title": titles.get(str(m["milestone"]), str(m["milestone"])),
                "reached_on": m["reached_on"],
                "detail": m.get("detail") or {},
            }
            for m in sorted(progress.get("milestones") or [], key=lambda m: str(m["reached_on"]))
        ],
        "next_milestone": next_milestone(reached, weeks, int(streaks["current"]), today),
        "lifts": [
            _lift(lifts[pattern], exercises[lifts[pattern]], catalog[lifts[pattern]], unit)
            for pattern in order
            if pattern in lifts
        ],
        "education": [
            {
                "stage": card.stage,
                "title": card.title,
                "text": card.text,
                "source": card.source,
                "unlocked": card.opened_by in reached,
            }
            for card in CARDS
        ],
    }
