"""One member's history on one exercise, folded one exposure (training day) at a time.

The state after any exposure depends only on the state before it and that exposure's
sets, so a correction of an old set is applied by folding again from the state stored
before that day: the result is the same as if the set had been logged right at first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from progression_service.domain.plan import ExercisePlan
from progression_service.domain.progression import Decision, Progression, evaluate
from progression_service.domain.records import PersonalRecord, Records, record_set
from progression_service.domain.sets import LiftedSet
from progression_service.domain.strength import e1rm


@dataclass(frozen=True)
class ExerciseState:
    """Where a member stands on one exercise: load progression and records."""

    progression: Progression = field(default_factory=Progression)
    records: Records = field(default_factory=Records)


@dataclass(frozen=True)
class Exposure:
    """All sets of one exercise on one local day, in the order they were lifted."""

    day: date
    sets: tuple[LiftedSet, ...]
    finished: bool
    """A session of that day was finished, so the exposure moves the targets."""


@dataclass(frozen=True)
class ExposureOutcome:
    """What folding one exposure did."""

    day: date
    state_before: ExerciseState
    records: tuple[PersonalRecord, ...]
    decision: Decision | None
    best_e1rm_kg: Decimal | None
    working_sets: int


def apply_exposure(
    state: ExerciseState, plan: ExercisePlan, exposure: Exposure
) -> tuple[ExerciseState, ExposureOutcome]:
    """Fold one exposure: its sets into the records, then (once finished) the progression."""
    records = state.records
    found: list[PersonalRecord] = []
    for lifted in exposure.sets:
        records, new = record_set(records, exposure.day, lifted, bodyweight=plan.bodyweight)
        found.extend(new)
    progression, decision = state.progression, None
    if exposure.finished:
        progression, decision = evaluate(progression, plan, exposure.day, exposure.sets)
    estimates = [
        e
        for s in exposure.sets
        if s.working
        and (e := e1rm(s.load_kg, s.reps, s.rpe, bodyweight=plan.bodyweight)) is not None
    ]
    outcome = ExposureOutcome(
        day=exposure.day,
        state_before=state,
        records=tuple(found),
        decision=decision,
        best_e1rm_kg=max(estimates) if estimates else None,
        working_sets=sum(1 for s in exposure.sets if s.working),
    )
    return ExerciseState(progression, records), outcome


def replay(
    state: ExerciseState, plans: Sequence[ExercisePlan], exposures: Sequence[Exposure]
) -> tuple[ExerciseState, list[ExposureOutcome]]:
    """Fold exposures in day order, each with the plan in force that day (`plans[i]`)."""
    outcomes = []
    for plan, exposure in zip(plans, exposures, strict=True):
        state, outcome = apply_exposure(state, plan, exposure)
        outcomes.append(outcome)
    return state, outcomes
