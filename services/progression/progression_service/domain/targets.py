"""Today's target for one exercise: the next load, adjusted for time away (docs/protocol.md §2)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from progression_service.domain.plan import ExercisePlan
from progression_service.domain.progression import Progression

NORMAL_GAP_DAYS = 10
HOLD_GAP_DAYS = 21
SHORT_BREAK_DAYS = 42
SHORT_BREAK_CUT = Decimal("0.10")
LONG_BREAK_CUT = Decimal("0.20")


@dataclass(frozen=True)
class Target:
    """What the kiosk shows for one exercise today."""

    load_kg: Decimal
    reps: int
    sets: int
    rep_min: int
    rep_max: int
    calibrate: bool
    days_since_last: int | None


def next_target(state: Progression, plan: ExercisePlan) -> Target:
    """The target after the last exposure, ignoring time away.

    Before the first exposure it is the trainer's starting load, or the lightest makeable
    load flagged "calibrate": the reps are the range's top, and the kiosk asks for a weight
    the member could lift about that many times.
    """
    ladder = plan.ladder
    sets = plan.sets + state.extra_sets
    if state.target_load_kg is None:
        if plan.starting_load_kg is not None:
            return Target(
                ladder.nearest(plan.starting_load_kg),
                plan.rep_min,
                sets,
                plan.rep_min,
                plan.rep_max,
                False,
                None,
            )
        return Target(ladder.lightest, plan.rep_max, sets, plan.rep_min, plan.rep_max, True, None)
    reps = state.target_reps if state.target_reps is not None else plan.rep_min
    reps = max(plan.rep_min, min(reps, state.ceiling(plan)))
    return Target(
        ladder.nearest(state.target_load_kg), reps, sets, plan.rep_min, plan.rep_max, False, None
    )


def target_on(state: Progression, plan: ExercisePlan, today: date) -> Target:
    """Today's target: the next target, held or cut after a long time away.

    ≤ 10 days: as planned; 11-21: no increase; 22-42: 10% below the last load;
    more than 42: 20% below and "calibrate".
    """
    target = next_target(state, plan)
    if state.last_trained is None or state.working_load_kg is None:
        return target
    days = (today - state.last_trained).days
    target = dataclasses.replace(target, days_since_last=days)
    if days <= NORMAL_GAP_DAYS:
        return target
    ladder = plan.ladder
    held = min(target.load_kg, ladder.nearest(state.working_load_kg))
    if days <= HOLD_GAP_DAYS:
        reps = target.reps if held == target.load_kg else state.ceiling(plan)
        return dataclasses.replace(target, load_kg=held, reps=reps)
    if days <= SHORT_BREAK_DAYS:
        return dataclasses.replace(
            target, load_kg=ladder.reduce(held, SHORT_BREAK_CUT), reps=plan.rep_min
        )
    return dataclasses.replace(
        target, load_kg=ladder.reduce(held, LONG_BREAK_CUT), reps=plan.rep_min, calibrate=True
    )
