"""What the member's program asks of one exercise: rep range, sets, equipment."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from myokine.catalog import CATALOG_BY_SLUG, DEFAULT_LOAD_STEP_KG, Equipment
from myokine.inventory import DEFAULT_INVENTORIES, Inventory
from myokine.patterns import DEFAULT_WORKING_SETS, REP_MAX, REP_MIN
from myokine.units import Unit
from progression_service.domain.loads import Ladder, ladder_for

DEFAULT_GYM = DEFAULT_INVENTORIES[Unit.KG]
"""The equipment of a gym progression has not been told about: the protocol's kg defaults."""


def gym_equipment(
    inventories: Mapping[uuid.UUID, Inventory], gym_id: uuid.UUID | None
) -> Inventory:
    """The equipment of a gym among `inventories` (the defaults for a gym not there)."""
    return inventories.get(gym_id, DEFAULT_GYM) if gym_id is not None else DEFAULT_GYM


@dataclass(frozen=True)
class KnownExercise:
    """A chain's own exercise, as program's catalog events told it."""

    slug: str
    pattern: str
    equipment: str
    load_step_kg: Decimal


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
    inventory: Inventory = DEFAULT_GYM
    """The equipment of the gym where it is lifted (its loads are the makeable ones)."""

    @property
    def bodyweight(self) -> bool:
        """Whether the member's body weight is part of the load (no e1RM then)."""
        return self.equipment in (Equipment.BODYWEIGHT, Equipment.ASSISTED)

    def at(self, inventory: Inventory) -> ExercisePlan:
        """The same plan lifted on a gym's equipment."""
        return (
            self if inventory == self.inventory else dataclasses.replace(self, inventory=inventory)
        )

    @property
    def ladder(self) -> Ladder:
        """The loads this gym's equipment of the exercise's kind can make."""
        return _ladder(self.equipment, self.inventory)


@lru_cache(maxsize=256)
def _ladder(equipment: str, inventory: Inventory) -> Ladder:
    return ladder_for(equipment, inventory)


def catalog_plan(exercise: str, own: KnownExercise | None = None) -> ExercisePlan:
    """The protocol's defaults for an exercise no program mentions: from the default
    catalog, else from the chain's own exercise `own`.

    An exercise progression knows nothing about (its `ExerciseAdded` not here yet) is
    treated as a machine exercise of no known pattern: it gets targets but counts toward
    no weekly pattern.
    """
    known = CATALOG_BY_SLUG.get(exercise)
    if known is not None:
        return ExercisePlan(
            exercise, known.pattern.value, known.equipment.value, known.load_step_kg
        )
    if own is not None:
        return ExercisePlan(exercise, own.pattern, own.equipment, own.load_step_kg)
    return ExercisePlan(exercise, None, Equipment.MACHINE, DEFAULT_LOAD_STEP_KG[Equipment.MACHINE])


@dataclass(frozen=True)
class DatedPlan:
    """An exercise's plan in one assignment, in force from the assignment's start."""

    start: date
    plan: ExercisePlan


def plan_on(
    day: date, exercise: str, dated: Sequence[DatedPlan], own: KnownExercise | None = None
) -> ExercisePlan:
    """The plan of `exercise` in force on `day`.

    `dated` holds the member's plans of this exercise, oldest start first. A day before
    every start takes the first plan (a member may train before the official start);
    an exercise no program mentions takes the catalog's defaults (`own` for a chain's own).
    """
    started = [d.plan for d in dated if d.start <= day]
    if started:
        return started[-1]
    if dated:
        return dated[0].plan
    return catalog_plan(exercise, own)


def needs_catalog(exercise: str, dated: Sequence[DatedPlan]) -> bool:
    """Whether only the chain's own catalog can say what `exercise` is: no plan of the
    member's names it, and the default catalog does not have it."""
    return not dated and exercise not in CATALOG_BY_SLUG


def first_prescriptions(plans: Sequence[ExercisePlan]) -> list[ExercisePlan]:
    """One plan per exercise of an assignment: the first prescription wins, as in the
    program service."""
    return list({p.exercise: p for p in reversed(plans)}.values())
