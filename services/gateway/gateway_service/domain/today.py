"""Today's workout at the kiosk: the plan, its targets and the sets already logged, merged."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from gateway_service.domain.loads import as_decimal, in_unit, present_set
from gateway_service.domain.reasons import Basis, why
from myokine.catalog import Equipment
from myokine.inventory import Inventory
from myokine.patterns import WEEKLY_RANGES
from myokine.units import Unit

# PRs, stalls and milestones of the last day are shown with today's plan.
NEWS_WINDOW = timedelta(hours=24)


def local_date(timezone: str, now: datetime) -> str:
    """Today's date at a gym, ISO formatted."""
    return now.astimezone(ZoneInfo(timezone)).date().isoformat()


@dataclass(frozen=True)
class KnownTarget:
    """A target remembered from progression's last word, for when it does not answer."""

    load_kg: Decimal | None
    reps: int | None
    sets: int | None


def unknown_week() -> dict[str, dict[str, Any]]:
    """The weekly pattern counts when progression cannot tell them: ranges only."""
    return {
        pattern.value: {"done": None, "min": r.min, "max": r.max, "status": "unknown"}
        for pattern, r in WEEKLY_RANGES.items()
    }


def _target_of(
    planned: dict[str, Any],
    live: dict[str, Any] | None,
    known: KnownTarget | None,
) -> dict[str, Any]:
    if live is not None:
        return {
            "sets": live.get("sets", planned.get("sets")),
            "rep_min": live.get("rep_min", planned.get("rep_min")),
            "rep_max": live.get("rep_max", planned.get("rep_max")),
            "target_load_kg": as_decimal(live.get("target_load_kg")),
            "target_reps": live.get("target_reps"),
            "calibrate": live.get("calibrate", False),
            "days_since_last": live.get("days_since_last"),
            "basis": Basis.of(live, load_field="target_load_kg"),
        }
    return {
        "sets": (known.sets if known and known.sets else None) or planned.get("sets"),
        "rep_min": planned.get("rep_min"),
        "rep_max": planned.get("rep_max"),
        "target_load_kg": known.load_kg if known else None,
        "target_reps": (known.reps if known else None) or planned.get("rep_min"),
        "calibrate": None,
        "days_since_last": None,
        "basis": None,
    }


def plates_for(
    equipment: object, load_kg: Decimal | None, inventory: Inventory
) -> dict[str, Any] | None:
    """Plate math for a barbell target at a gym: its bar and the plates on each side."""
    if equipment != Equipment.BARBELL.value or load_kg is None:
        return None
    per_side = inventory.plates_per_side(load_kg)
    if per_side is None:
        return None
    return {"unit": inventory.unit.value, "bar": inventory.barbell.bar, "per_side": per_side}


NEARBY_RUNGS = 8
"""How many makeable loads either side of the target the kiosk's load buttons step through."""


def loads_near(
    equipment: object, load_kg: Decimal | None, inventory: Inventory, unit: Unit
) -> list[Decimal]:
    """The loads this gym makes around a target (the lightest ones without a target), in the
    member's unit, lightest first: the kiosk's minus and plus buttons step through these, so a pound
    member at a kg gym steps 44.09 → 49.6 lb (20 → 22.5 kg), never to a load no plates make.
    """
    try:
        ladder = inventory.loads_kg(str(equipment))
    except ValueError:
        return []
    centre = bisect_left(ladder, load_kg) if load_kg is not None else 0
    window = ladder[max(centre - NEARBY_RUNGS, 0) : centre + NEARBY_RUNGS + 1]
    return [shown for kg in window if (shown := in_unit(kg, unit)) is not None]


def substitutes(planned: dict[str, Any], inventory: Inventory) -> list[dict[str, Any]]:
    """The planned exercise's alternatives (same pattern, from the program's catalog) that
    this gym's equipment allows: what a member may swap to when the rack is taken."""
    return [
        {"exercise": a["exercise"], "name": a["name"], "equipment": a["equipment"]}
        for a in planned.get("alternatives") or []
        if inventory.has(a["equipment"])
    ]


def exercise_card(
    planned: dict[str, Any],
    *,
    live: dict[str, Any] | None,
    known: KnownTarget | None,
    logged: list[dict[str, Any]],
    unit: Unit,
    inventory: Inventory,
) -> dict[str, Any]:
    """One exercise as the kiosk shows it: the plan's prescription, the target (progression's
    `live` answer, else the last `known` one), plate math and nearby loads at this gym,
    substitutes, and the sets of it logged today."""
    slug = str(planned["exercise"])
    target = _target_of(planned, live, known)
    basis = target.pop("basis")
    equipment = planned.get("equipment")
    return {
        "exercise": slug,
        "name": planned.get("name"),
        "pattern": planned.get("pattern"),
        "equipment": equipment,
        **target,
        "target_rule": basis.rule if basis else None,
        "target_why": why(basis, unit) if basis else None,
        "plates": plates_for(equipment, target["target_load_kg"], inventory),
        "loads_near": loads_near(equipment, target["target_load_kg"], inventory, unit),
        "target_load": in_unit(target["target_load_kg"], unit),
        "unit": unit.value,
        "rest_seconds": planned.get("rest_seconds"),
        "notes": planned.get("notes"),
        "substitutes": substitutes(planned, inventory),
        "logged": [present_set(s, unit) for s in logged if s.get("exercise") == slug],
    }


def build_today(
    plan: dict[str, Any],
    *,
    targets: dict[str, Any] | None,
    known: dict[str, KnownTarget],
    logged: list[dict[str, Any]] | None,
    unit: Unit,
    local_date: str,
    inventory: Inventory,
) -> dict[str, Any]:
    """Today's plan for the kiosk.

    `plan` is the program service's, or empty when the member has no program yet: then
    there is nothing planned (`no_program`), and the member logs exercises of the catalog.
    `targets` is progression's answer, or None when it did not answer: then each exercise
    shows its last `known` target and the plan is marked `stale`. `logged` is None when the
    logging service did not answer; the plan still shows, with `logging` in `degraded`.
    `inventory` is the equipment of the kiosk's gym, for plate math and substitutes.
    """
    live = (targets or {}).get("exercises") or {}
    sets = logged or []
    planned_slugs = [str(e["exercise"]) for e in plan.get("exercises", [])]
    exercises = [
        exercise_card(
            planned,
            live=live.get(str(planned["exercise"])) if targets else None,
            known=known.get(str(planned["exercise"])),
            logged=sets,
            unit=unit,
            inventory=inventory,
        )
        for planned in plan.get("exercises", [])
    ]
    degraded = [
        name for name, answer in (("progression", targets), ("logging", logged)) if answer is None
    ]
    return {
        "day": plan.get("day"),
        "day_index": plan.get("day_index"),
        "program_id": plan.get("program_id"),
        "program_name": plan.get("program_name"),
        "no_program": not plan,
        # A program saved outside the protocol with a trainer's reason says so everywhere.
        "exception_reason": plan.get("exception_reason"),
        "local_date": local_date,
        "unit": unit.value,
        "exercises": exercises,
        "other_logged": [
            present_set(s, unit) for s in sets if s.get("exercise") not in planned_slugs
        ],
        "week": (targets or {}).get("week") or unknown_week(),
        "stale": targets is None,
        "degraded": degraded,
    }
