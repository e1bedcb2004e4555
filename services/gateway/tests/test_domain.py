"""The gateway's pure rules: loads in the member's unit, today's merge (the PIN backoff's
are in unit/test_pin_lock.py)."""

from __future__ import annotations

from decimal import Decimal

from gateway_service.domain.loads import present_progress, present_set
from gateway_service.domain.today import KnownTarget, build_today
from myokine.inventory import default_inventory
from myokine.units import Unit

KG_GYM = default_inventory(Unit.KG)


def test_a_set_shows_its_load_in_the_members_unit() -> None:
    logged = {"id": "s", "exercise": "deadlift", "load": "100", "unit": "kg", "load_kg": "100"}
    shown = present_set(logged, Unit.LB)
    assert shown["load_kg"] == Decimal(100)
    assert shown["load"] == Decimal("220.46")
    assert shown["unit"] == "lb"
    assert (shown["entered_load"], shown["entered_unit"]) == ("100", "kg")


def test_progress_adds_the_unit_beside_kg() -> None:
    progress = {
        "exercises": {
            "bench-press": {
                "working_load_kg": "100",
                "next": {"load_kg": "102.5", "reps": 6, "sets": 3},
                "best_e1rm_kg": "133.33",
                "series": [{"date": "2026-11-20", "e1rm_kg": "133.33"}],
                "prs": [{"kind": "load", "value": "100", "load_kg": "100", "reps": 6}],
                "stalled": False,
            }
        },
        "weeks": [],
        "milestones": [],
    }
    shown = present_progress(progress, Unit.LB)
    bench = shown["exercises"]["bench-press"]
    assert shown["unit"] == "lb"
    assert bench["working_load_kg"] == Decimal(100)
    assert bench["working_load"] == Decimal("220.46")
    assert bench["next"]["load"] == Decimal("225.97")
    assert bench["series"] == [{"date": "2026-11-20", "e1rm_kg": Decimal("133.33")}]
    assert bench["prs"][0]["load"] == Decimal("220.46")


PLAN = {
    "day": "A",
    "day_index": 0,
    "exercises": [
        {
            "exercise": "bench-press",
            "name": "Bench",
            "pattern": "push",
            "sets": 3,
            "rep_min": 6,
            "rep_max": 12,
        },
        {
            "exercise": "deadlift",
            "name": "Deadlift",
            "pattern": "hinge",
            "sets": 3,
            "rep_min": 6,
            "rep_max": 8,
        },
    ],
}
SETS = [
    {"id": "1", "exercise": "bench-press", "load": "60", "unit": "kg", "load_kg": "60", "reps": 8},
    {"id": "2", "exercise": "push-up", "load": "0", "unit": "kg", "load_kg": "0", "reps": 20},
]


def test_today_with_live_targets() -> None:
    targets = {
        "exercises": {
            "bench-press": {
                "target_load_kg": "62.5",
                "target_reps": 6,
                "sets": 3,
                "rep_min": 6,
                "rep_max": 12,
                "calibrate": False,
            },
        },
        "week": {"push": {"done": 1, "min": 2, "max": 3, "status": "below"}},
    }
    today = build_today(
        PLAN,
        targets=targets,
        known={},
        logged=SETS,
        unit=Unit.KG,
        local_date="2026-11-25",
        inventory=KG_GYM,
    )
    bench, deadlift = today["exercises"]
    assert (bench["target_load_kg"], bench["target_reps"]) == (Decimal("62.5"), 6)
    assert [s["id"] for s in bench["logged"]] == ["1"]
    assert deadlift["target_load_kg"] is None
    assert [s["id"] for s in today["other_logged"]] == ["2"]
    assert today["stale"] is False
    assert today["degraded"] == []


def test_today_without_progression_is_stale_with_last_known_targets() -> None:
    known = {"bench-press": KnownTarget(Decimal("60"), 9, 3)}
    today = build_today(
        PLAN,
        targets=None,
        known=known,
        logged=SETS,
        unit=Unit.KG,
        local_date="2026-11-25",
        inventory=KG_GYM,
    )
    bench, deadlift = today["exercises"]
    assert (bench["target_load_kg"], bench["target_reps"]) == (Decimal(60), 9)
    assert (deadlift["target_load_kg"], deadlift["target_reps"]) == (None, 6)
    assert today["stale"] is True
    assert today["degraded"] == ["progression"]
    assert today["week"]["hinge"] == {"done": None, "min": 1, "max": 2, "status": "unknown"}


def test_today_without_logging_still_shows_the_plan() -> None:
    today = build_today(
        PLAN,
        targets=None,
        known={},
        logged=None,
        unit=Unit.KG,
        local_date="2026-11-25",
        inventory=KG_GYM,
    )
    assert [e["logged"] for e in today["exercises"]] == [[], []]
    assert today["degraded"] == ["progression", "logging"]


def test_today_marks_a_program_saved_off_protocol() -> None:
    """docs/protocol.md §1: a program outside the protocol says so, with the trainer's reason."""
    plan = {"day": "A", "exercises": [], "exception_reason": "knee rehab: no hinge for 4 weeks"}
    today = build_today(
        plan,
        targets=None,
        known={},
        logged=[],
        unit=Unit.KG,
        local_date="2026-12-01",
        inventory=KG_GYM,
    )
    assert today["exception_reason"] == "knee rehab: no hinge for 4 weeks"
    conforming = build_today(
        {"day": "A", "exercises": []},
        targets=None,
        known={},
        logged=[],
        unit=Unit.KG,
        local_date="2026-12-01",
        inventory=KG_GYM,
    )
    assert conforming["exception_reason"] is None
