"""Which plan applies to a day, and who may read a member's progress."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from myokine.inventory import default_inventory
from myokine.units import Unit
from progression_service.domain.access import may_read_member
from progression_service.domain.plan import (
    DatedPlan,
    ExercisePlan,
    KnownExercise,
    catalog_plan,
    gym_equipment,
    needs_catalog,
    plan_on,
)

JAN, FEB = date(2026, 1, 5), date(2026, 2, 2)


def squat(rep_min: int, rep_max: int) -> ExercisePlan:
    return ExercisePlan(
        "barbell-back-squat", "squat", "barbell", Decimal("2.5"), rep_min=rep_min, rep_max=rep_max
    )


def test_the_latest_started_plan_applies() -> None:
    dated = [DatedPlan(JAN, squat(6, 8)), DatedPlan(FEB, squat(10, 12))]
    assert plan_on(date(2026, 1, 20), "barbell-back-squat", dated).rep_min == 6
    assert plan_on(FEB, "barbell-back-squat", dated).rep_min == 10
    assert plan_on(date(2025, 12, 1), "barbell-back-squat", dated).rep_min == 6  # before any


def test_without_a_program_the_catalog_decides() -> None:
    swing = plan_on(JAN, "kettlebell-swing", [])
    assert (swing.pattern, swing.equipment, swing.sets, swing.rep_min, swing.rep_max) == (
        "hinge",
        "kettlebell",
        3,
        6,
        12,
    )
    unknown = catalog_plan("sled-push")
    assert (unknown.pattern, unknown.equipment) == (None, "machine")
    assert catalog_plan("pull-up").bodyweight


def test_a_chains_own_exercise_brings_its_pattern_and_equipment() -> None:
    sled = KnownExercise("sled-push", "squat", "machine", Decimal(10))
    assert needs_catalog("sled-push", []) and not needs_catalog("deadlift", [])
    assert not needs_catalog("sled-push", [DatedPlan(JAN, squat(6, 8))])
    own = plan_on(JAN, "sled-push", [], sled)
    assert (own.pattern, own.equipment) == ("squat", "machine")


def test_the_gym_of_the_day_picks_the_plates_not_the_unit_typed() -> None:
    pound_gym = uuid.uuid4()
    gear = {pound_gym: default_inventory(Unit.LB)}
    assert squat(6, 8).at(gym_equipment(gear, pound_gym)).ladder.lightest == Decimal("20.41165665")
    # A gym progression was not told about has the protocol's kg defaults.
    assert squat(6, 8).at(gym_equipment(gear, uuid.uuid4())).ladder.lightest == 20
    assert squat(6, 8).at(gym_equipment(gear, None)).ladder.lightest == 20


def test_members_read_themselves_and_staff_read_everyone() -> None:
    member = uuid.uuid4()
    assert may_read_member(role="member", sub=str(member), member_id=member)
    assert not may_read_member(role="member", sub=str(uuid.uuid4()), member_id=member)
    assert not may_read_member(role="kiosk", sub=str(member), member_id=member)
    assert all(
        may_read_member(role=r, sub="x", member_id=member)
        for r in ("trainer", "chain_admin", "system")
    )
