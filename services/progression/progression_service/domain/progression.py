"""Double progression (docs/protocol.md §2): where the load goes after each exposure.

An exposure is the working sets (reps ≥ 1, no warm-ups) of one exercise on one local
day; its load is the load most of them used (a tie: the lighter). A failed attempt (0
reps) is no part of it, and counts as a miss only at or below that load. When the
session is finished the exposure is evaluated against the member's current load:

1. **Up** when enough sets reached the ceiling (and none was harder than RPE 9): the next
   makeable load, reps back to the range's bottom. At the heaviest load: one more set.
2. **Bridge** when that next load is more than 16.7% heavier: stay, raise the ceiling to 15.
3. **Miss** (a set below the range's bottom) twice in a row: deload 10%.
4. **Stall**: three full exposures in a row at one load without beating its best total
   reps: deload 10% and tell the trainer.
5. Otherwise hold the load and aim for one more rep per set, after a first miss too.
6. A deload goes at least one makeable rung down; where none is lighter it drops a set.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from progression_service.domain.loads import Ladder
from progression_service.domain.plan import ExercisePlan
from progression_service.domain.sets import LiftedSet

BRIDGE_CEILING = 15
BRIDGE_JUMP = Decimal("0.167")
DELOAD = Decimal("0.10")
MISSES_BEFORE_DELOAD = 2
FLAT_EXPOSURES_BEFORE_STALL = 3
MAX_HARD_RPE = Decimal(9)
# At the top of the ladder a set is added instead of load, up to this many sets in all.
MAX_SETS = 6


class Decision(StrEnum):
    """What an exposure did to the load."""

    UP = "up"
    BRIDGE = "bridge"
    EXTRA_SET = "extra_set"
    CEILING = "equipment_ceiling"
    """At the heaviest load with the most sets: the trainer should change the exercise."""
    MISS = "miss"
    MISS_DELOAD = "miss_deload"
    STALL = "stall"
    HOLD = "hold"


@dataclass(frozen=True)
class Progression:
    """Where one member stands on one exercise. The zero value is "never trained"."""

    target_load_kg: Decimal | None = None
    """The next load; None before the first exposure (the plan's start load applies)."""
    target_reps: int | None = None
    working_load_kg: Decimal | None = None
    """The load of the last exposure."""
    bridging: bool = False
    extra_sets: int = 0
    """Sets added at the top of the ladder, or taken away (negative) by a deload at its bottom."""
    miss_streak: int = 0
    stall_load_kg: Decimal | None = None
    best_total_reps: int = 0
    flat_exposures: int = 0
    stalled: bool = False
    """A stall deloaded this exercise and the member has not moved up since."""
    exposures: int = 0
    last_trained: date | None = None
    decision: Decision | None = None
    """What the last evaluated exposure decided: the reason behind the next target."""

    def ceiling(self, plan: ExercisePlan) -> int:
        """The rep count that earns the next load: the range's top, or 15 while bridging."""
        return BRIDGE_CEILING if self.bridging else plan.rep_max


def exposure_load(sets: Sequence[LiftedSet], ladder: Ladder) -> Decimal | None:
    """The load most working sets used, as a rung of `ladder` (a tie: the lighter one).

    A single heavier set does not become the working load. None without working sets.
    """
    loads = Counter(ladder.nearest(s.load_kg) for s in sets if s.working)
    if not loads:
        return None
    most = max(loads.values())
    return min(load for load, count in loads.items() if count == most)


def evaluate(
    state: Progression, plan: ExercisePlan, day: date, sets: Sequence[LiftedSet]
) -> tuple[Progression, Decision | None]:
    """The state after the exposure `sets` on `day`; None as decision when nothing counts.

    The state remembers the decision, so the next target can say why it is what it is.
    """
    after, decision = _decide(state, plan, day, sets)
    if decision is None:
        return after, None
    return dataclasses.replace(after, decision=decision), decision


def _decide(
    state: Progression, plan: ExercisePlan, day: date, sets: Sequence[LiftedSet]
) -> tuple[Progression, Decision | None]:
    ladder = plan.ladder
    working = [s for s in sets if s.working]
    load = exposure_load(working, ladder)
    reference = load if load is not None else state.working_load_kg
    if reference is None:
        return state, None
    failed = any(s.failed and ladder.nearest(s.load_kg) <= reference for s in sets)
    if load is None:
        # Only failed attempts: no exposure, but one at or below the load is a miss.
        return _missed_without_exposure(state, plan, reference) if failed else (state, None)
    at_load = [s for s in working if ladder.nearest(s.load_kg) == load]
    same_load = state.working_load_kg == load
    state = dataclasses.replace(
        state,
        working_load_kg=load,
        exposures=state.exposures + 1,
        last_trained=day,
        bridging=state.bridging and same_load,
        miss_streak=state.miss_streak if same_load else 0,
    )
    ceiling = state.ceiling(plan)
    full = len(at_load) >= plan.sets + state.extra_sets
    missed = failed or any(s.reps < plan.rep_min for s in working)

    if missed:
        state = dataclasses.replace(state, miss_streak=state.miss_streak + 1)
        if state.miss_streak >= MISSES_BEFORE_DELOAD:
            return _deload(state, plan, load), Decision.MISS_DELOAD
    else:
        state = dataclasses.replace(state, miss_streak=0)
        earned = full and all(
            s.reps >= ceiling and (s.rpe is None or s.rpe <= MAX_HARD_RPE) for s in at_load
        )
        if earned:
            return _move_up(state, plan, load, at_load)

    state = _track_stall(state, load, sum(s.reps for s in at_load) if full else None)
    if state.flat_exposures >= FLAT_EXPOSURES_BEFORE_STALL:
        return dataclasses.replace(_deload(state, plan, load), stalled=True), Decision.STALL
    # Hold, also after a first miss (the streak remembers it): one more rep on each set.
    fewest = min(s.reps for s in at_load)
    reps = max(plan.rep_min, min(fewest + 1, ceiling))
    held = dataclasses.replace(state, target_load_kg=load, target_reps=reps)
    return held, Decision.MISS if missed else Decision.HOLD


def _missed_without_exposure(
    state: Progression, plan: ExercisePlan, load: Decimal
) -> tuple[Progression, Decision]:
    """A day of failed attempts only, at or below the working `load`: a miss, load held."""
    state = dataclasses.replace(state, miss_streak=state.miss_streak + 1)
    if state.miss_streak >= MISSES_BEFORE_DELOAD:
        return _deload(state, plan, load), Decision.MISS_DELOAD
    return state, Decision.MISS


def _move_up(
    state: Progression, plan: ExercisePlan, load: Decimal, at_load: Sequence[LiftedSet]
) -> tuple[Progression, Decision]:
    nxt = plan.ladder.next_above(load)
    if nxt is None:
        extra = max(state.extra_sets, min(state.extra_sets + 1, MAX_SETS - plan.sets))
        held = dataclasses.replace(
            state, target_load_kg=load, target_reps=state.ceiling(plan), extra_sets=extra
        )
        return held, Decision.EXTRA_SET if extra > state.extra_sets else Decision.CEILING
    jump_too_big = load > 0 and not plan.bodyweight and nxt > load * (1 + BRIDGE_JUMP)
    if jump_too_big and not state.bridging:
        fewest = min(s.reps for s in at_load)
        return (
            dataclasses.replace(
                state,
                target_load_kg=load,
                target_reps=min(fewest + 1, BRIDGE_CEILING),
                bridging=True,
            ),
            Decision.BRIDGE,
        )
    return (
        dataclasses.replace(
            state,
            target_load_kg=nxt,
            target_reps=plan.rep_min,
            bridging=False,
            extra_sets=0,
            stall_load_kg=None,
            best_total_reps=0,
            flat_exposures=0,
            stalled=False,
        ),
        Decision.UP,
    )


def _deload(state: Progression, plan: ExercisePlan, load: Decimal) -> Progression:
    """Down 10% and at least one rung; where no rung is lighter, one set fewer instead."""
    reset = dataclasses.replace(
        state,
        target_reps=plan.rep_min,
        bridging=False,
        miss_streak=0,
        stall_load_kg=None,
        best_total_reps=0,
        flat_exposures=0,
    )
    lighter = plan.ladder.deload(load, DELOAD)
    if lighter is not None:
        return dataclasses.replace(reset, target_load_kg=lighter, extra_sets=0)
    fewer = state.extra_sets - 1 if plan.sets + state.extra_sets > 1 else state.extra_sets
    return dataclasses.replace(reset, target_load_kg=load, extra_sets=fewer)


def _track_stall(state: Progression, load: Decimal, total: int | None) -> Progression:
    """Count full exposures at one load that did not beat its best total reps."""
    if total is None:
        return state
    if state.stall_load_kg != load:
        return dataclasses.replace(
            state, stall_load_kg=load, best_total_reps=total, flat_exposures=0
        )
    if total > state.best_total_reps:
        return dataclasses.replace(state, best_total_reps=total, flat_exposures=0)
    return dataclasses.replace(state, flat_exposures=state.flat_exposures + 1)
