"""Which plan applies to a day, and who may read a member's progress."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from myokine.units import Unit
from progression_service.domain.access import may_read_member
from progression_service.domain.plan import (
    DatedPlan,
    ExercisePlan,
    catalog_plan,
    equipment_unit,
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
    own = catalog_plan("sled-push")
    assert (own.pattern, own.equipment) == (None, "machine")
    assert catalog_plan("pull-up").bodyweight


def test_the_unit_a_set_was_entered_in_picks_the_plates() -> None:
    assert equipment_unit("lb") is Unit.LB
    assert equipment_unit("kg") is Unit.KG and equipment_unit(None) is Unit.KG
    assert squat(6, 8).in_unit(Unit.LB).ladder.lightest == Decimal("20.41165665")


def test_members_read_themselves_and_staff_read_everyone() -> None:
    member = uuid.uuid4()
    assert may_read_member(role="member", sub=str(member), member_id=member)
    assert not may_read_member(role="member", sub=str(uuid.uuid4()), member_id=member)
    assert not may_read_member(role="kiosk", sub=str(member), member_id=member)
    assert all(
        may_read_member(role=r, sub="x", member_id=member)
        for r in ("trainer", "chain_admin", "system")
    )
