"""Today's target for one exercise: the next load, adjusted for time away (docs/protocol.md §2)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from progression_service.domain.plan import ExercisePlan
from progression_service.domain.progression import Decision, Progression

NORMAL_GAP_DAYS = 10
HOLD_GAP_DAYS = 21
SHORT_BREAK_DAYS = 42
SHORT_BREAK_CUT = Decimal("0.10")
LONG_BREAK_CUT = Decimal("0.20")


class Rule(StrEnum):
    """The rule of docs/protocol.md §2 that made a target."""

    CALIBRATE = "calibrate"
    START = "start"
    UP = "up"
    BRIDGE = "bridge"
    HOLD = "hold"
    DELOAD_MISS = "deload_miss"
    DELOAD_STALL = "deload_stall"
    GAP_HOLD = "gap_hold"
    GAP_REDUCE = "gap_reduce"
    ADD_SET = "add_set"
    EQUIPMENT_CEILING = "equipment_ceiling"
    ROAM = "roam"


RULE_OF: dict[Decision, Rule] = {
    Decision.UP: Rule.UP,
    Decision.BRIDGE: Rule.BRIDGE,
    Decision.EXTRA_SET: Rule.ADD_SET,
    Decision.CEILING: Rule.EQUIPMENT_CEILING,
    Decision.MISS: Rule.HOLD,
    Decision.MISS_DELOAD: Rule.DELOAD_MISS,
    Decision.STALL: Rule.DELOAD_STALL,
    Decision.HOLD: Rule.HOLD,
}


@dataclass(frozen=True)
class Target:
    """What the kiosk shows for one exercise today, and the facts behind it."""

    load_kg: Decimal
    reps: int
    sets: int
    rep_min: int
    rep_max: int
    calibrate: bool
    days_since_last: int | None
    rule: Rule
    previous_load_kg: Decimal | None = None
    """The load of the last exposure (what the rule moved from)."""
    ceiling: int | None = None
    """The reps that earned (or will earn) the next load."""
    intended_load_kg: Decimal | None = None
    """At another gym (`roam`): the load the member's own progression intends."""


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
                Rule.START,
            )
        return Target(
            ladder.lightest,
            plan.rep_max,
            sets,
            plan.rep_min,
            plan.rep_max,
            True,
            None,
            Rule.CALIBRATE,
        )
    reps = state.target_reps if state.target_reps is not None else plan.rep_min
    reps = max(plan.rep_min, min(reps, state.ceiling(plan)))
    return Target(
        ladder.nearest(state.target_load_kg),
        reps,
        sets,
        plan.rep_min,
        plan.rep_max,
        False,
        None,
        RULE_OF[state.decision] if state.decision else Rule.HOLD,
        state.working_load_kg,
        state.ceiling(plan),
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
        return dataclasses.replace(target, load_kg=held, reps=reps, rule=Rule.GAP_HOLD)
    if days <= SHORT_BREAK_DAYS:
        cut = ladder.reduce(held, SHORT_BREAK_CUT)
        # A pending deload and a gap do not add up: the lower target applies, and its rule.
        rule = Rule.GAP_REDUCE if cut < target.load_kg else target.rule
        return dataclasses.replace(target, load_kg=cut, reps=plan.rep_min, rule=rule)
    return dataclasses.replace(
        target,
        load_kg=ladder.reduce(held, LONG_BREAK_CUT),
        reps=plan.rep_min,
        calibrate=True,
        rule=Rule.CALIBRATE,
    )


def roam_to(target: Target, here: ExercisePlan) -> Target:
    """Today's target at a gym other than the one the target was made for: the nearest
    load this gym makes that is not more than 2.5% heavier, else the next lighter one,
    with rule `roam`. The member's progression is not changed by the visit; a load this
    gym makes as it is keeps its own rule."""
    load = here.ladder.roam(target.load_kg)
    if load == target.load_kg:
        return target
    return dataclasses.replace(
        target, load_kg=load, rule=Rule.ROAM, intended_load_kg=target.load_kg
    )
