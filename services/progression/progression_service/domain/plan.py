"""What the member's program asks of one exercise: rep range, sets, equipment."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from myokine.catalog import CATALOG_BY_SLUG, DEFAULT_LOAD_STEP_KG, Equipment
from myokine.patterns import DEFAULT_WORKING_SETS, REP_MAX, REP_MIN
from myokine.units import Unit
from progression_service.domain.loads import Ladder, ladder_for


@dataclass(frozen=True)
class ExercisePlan:
    """An exercise as the member's program (or, without one, the catalog) prescribes it."""

    exercise: str
    pattern: str | None
    equipment: str
    load_step_kg: Decimal
    sets: int = DEFAULT_WORKING_SETS
    rep_min: int = REP_MIN
    rep_max: int = REP_MAX
    starting_load_kg: Decimal | None = None
    unit: Unit = Unit.KG

    @property
    def bodyweight(self) -> bool:
        """Whether the member's body weight is part of the load (no e1RM then)."""
        return self.equipment in (Equipment.BODYWEIGHT, Equipment.ASSISTED)

    def in_unit(self, unit: Unit) -> ExercisePlan:
        """The same plan on equipment of `unit` (a pound gym's plates and stacks)."""
        return self if unit is self.unit else dataclasses.replace(self, unit=unit)

    @property
    def ladder(self) -> Ladder:
        """The makeable loads of this exercise's equipment."""
        return _ladder(self.equipment, self.load_step_kg, self.unit)


@lru_cache(maxsize=256)
def _ladder(equipment: str, load_step_kg: Decimal, unit: Unit) -> Ladder:
    return ladder_for(equipment, load_step_kg, unit)


def catalog_plan(exercise: str, unit: Unit = Unit.KG) -> ExercisePlan:
    """The protocol's defaults for an exercise no program mentions.

    An exercise missing from the default catalog (a chain's own) is treated as a machine
    exercise of no known pattern: it gets targets but counts toward no weekly pattern.
    """
    known = CATALOG_BY_SLUG.get(exercise)
    if known is None:
        return ExercisePlan(
            exercise, None, Equipment.MACHINE, DEFAULT_LOAD_STEP_KG[Equipment.MACHINE], unit=unit
        )
    return ExercisePlan(
        exercise, known.pattern.value, known.equipment.value, known.load_step_kg, unit=unit
    )


@dataclass(frozen=True)
class DatedPlan:
    """An exercise's plan in one assignment, in force from the assignment's start."""

    start: date
    plan: ExercisePlan


def plan_on(day: date, exercise: str, dated: Sequence[DatedPlan]) -> ExercisePlan:
    """The plan of `exercise` in force on `day`.

    `dated` holds the member's plans of this exercise, oldest start first. A day before
    every start takes the first plan (a member may train before the official start);
    an exercise no program mentions takes the catalog's defaults.
    """
    started = [d.plan for d in dated if d.start <= day]
    if started:
        return started[-1]
    if dated:
        return dated[0].plan
    return catalog_plan(exercise)


def first_prescriptions(plans: Sequence[ExercisePlan]) -> list[ExercisePlan]:
    """One plan per exercise of an assignment: the first prescription wins, as in the
    program service."""
    return list({p.exercise: p for p in reversed(plans)}.values())


def equipment_unit(entered: str | None) -> Unit:
    """The unit of the equipment a set was lifted on, told by the unit it was entered in.

    Events do not say which unit a gym's plates are in; a member entering pounds is
    taken to lift pound plates.
    """
    return Unit.LB if entered == Unit.LB.value else Unit.KG
