"""One member's history on one exercise, folded one exposure (training day) at a time.

The state after any exposure depends only on the state before it and that exposure's
sets, so a correction of an old set is applied by folding again from the state stored
before that day: the result is the same as if the set had been logged right at first.
`refold` does that from a day on, and says what changed: the records, stalls and
targets to announce.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from myokine import events as ev
from myokine.inventory import Inventory
from progression_service.domain.plan import (
    DatedPlan,
    ExercisePlan,
    KnownExercise,
    gym_equipment,
    plan_on,
)
from progression_service.domain.progression import Decision, Progression, evaluate
from progression_service.domain.records import PersonalRecord, Records, record_set
from progression_service.domain.sets import LiftedSet
from progression_service.domain.strength import e1rm
from progression_service.domain.targets import Target, next_target


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
    finished: bool
    """The exposure's session was finished (so it moved the progression)."""
    gym_id: uuid.UUID | None = None
    """The gym it was lifted in (whose equipment made its loads)."""
    target: Target | None = None
    """The target it led to, with the rule that made it (None until it is evaluated)."""


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
        finished=exposure.finished,
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


# --- folding again from a day, over what is stored ----------------------------------------


@dataclass(frozen=True)
class ExerciseStanding:
    """Where a member stands on one exercise now, as kept between events."""

    state: ExerciseState
    gym_id: uuid.UUID | None
    """The gym of the last exposure: its equipment makes the next target's loads."""
    pattern: str | None
    """The pattern the exercise counts toward under the latest plan."""


@dataclass(frozen=True)
class StoredExposure:
    """An exposure as an earlier fold left it."""

    day: date
    state_before: ExerciseState
    decision: Decision | None


@dataclass(frozen=True)
class StoredSet:
    """A logged set of the exercise, with what folding needs to know about its day."""

    day: date
    lifted: LiftedSet
    gym_id: uuid.UUID | None
    """The gym the set was lifted in (its equipment makes the day's loads)."""
    finished: bool
    """The set's session was finished."""


@dataclass(frozen=True)
class Refolded:
    """An exercise folded again from a day on: what to store, and what to announce."""

    standing: ExerciseStanding
    exposures: tuple[ExposureOutcome, ...]
    """One per day with sets from the day on, oldest first."""
    gone: tuple[date, ...]
    """Days from the day on that had an exposure and have no sets any more."""
    records: tuple[PersonalRecord, ...]
    """Every record set from the day on (they replace the ones stored)."""
    events: tuple[ev.Event, ...]
    """New records, new stalls, then the target when it moved."""


def refold(
    chain_id: uuid.UUID,
    member_id: uuid.UUID,
    exercise: str,
    current: ExerciseStanding | None,
    dated: Sequence[DatedPlan],
    stored: Sequence[StoredExposure],
    sets: Sequence[StoredSet],
    known_records: Collection[tuple[str, uuid.UUID]],
    inventories: Mapping[uuid.UUID, Inventory] | None = None,
    own: KnownExercise | None = None,
) -> Refolded:
    """Fold a member's exercise again from a day on.

    Each day's loads are those the equipment of the day's gym makes (`inventories`, by
    gym; a gym missing there has the protocol's kg defaults); `own` is the chain's own
    exercise of that slug, for an exercise no program of the member's mentions.

    `stored` holds the exposures an earlier fold left from that day on, `sets` the sets
    stored from that day on (in the order they were lifted), `known_records` the (kind,
    set id) of the records stored from that day on, and `current` the standing after
    every exposure (None before the first). The state before the day is the one stored
    before the first of `stored`, or `current` when there is none, so only the days from
    the day on are needed.

    A record or a stall is announced once: a record not known yet, a stall on a day that
    did not stall before. The target is announced when it moved, or when the exercise is
    first trained.
    """
    before = current.state if current else ExerciseState()
    start = stored[0].state_before if stored else before

    gear = inventories or {}
    by_day: dict[date, list[LiftedSet]] = defaultdict(list)
    finished: set[date] = set()
    gyms: dict[date, uuid.UUID | None] = {}
    for s in sets:
        by_day[s.day].append(s.lifted)
        gyms.setdefault(s.day, s.gym_id)
        if s.finished:
            finished.add(s.day)
    exposures = [Exposure(d, tuple(lifted), d in finished) for d, lifted in sorted(by_day.items())]
    plans = [
        plan_on(e.day, exercise, dated, own).at(gym_equipment(gear, gyms[e.day])) for e in exposures
    ]
    gym_id = gyms[max(gyms)] if gyms else (current.gym_id if current else None)
    current_plan = plan_on(date.max, exercise, dated, own).at(gym_equipment(gear, gym_id))
    after, outcomes = replay(start, plans, exposures)

    records = tuple(r for o in outcomes for r in o.records)
    events: list[ev.Event] = [
        ev.PersonalRecord(
            chain_id=chain_id,
            member_id=member_id,
            exercise=exercise,
            kind=r.kind.value,
            value=r.value,
            set_id=r.set_id,
        )
        for r in records
        if (r.kind.value, r.set_id) not in known_records
    ]

    # The state after each exposure (none when the last days of the exercise were voided).
    states_after = [o.state_before for o in outcomes[1:]] + [after] if outcomes else []
    # Each exposure keeps the target it led to, so a trainer can read the decisions.
    outcomes = [
        dataclasses.replace(
            o,
            gym_id=gyms[o.day],
            target=next_target(state.progression, plan) if o.decision else None,
        )
        for o, state, plan in zip(outcomes, states_after, plans, strict=True)
    ]
    decided_before = {e.day: e.decision for e in stored}
    for outcome, state in zip(outcomes, states_after, strict=True):
        if outcome.decision is Decision.STALL and decided_before.get(outcome.day) is not (
            Decision.STALL
        ):
            events.append(
                ev.StallDetected(
                    chain_id=chain_id,
                    member_id=member_id,
                    exercise=exercise,
                    load_kg=state.progression.working_load_kg or Decimal(0),
                )
            )

    old_target = next_target(before.progression, current_plan)
    new_target = next_target(after.progression, current_plan)
    moved = (old_target.load_kg, old_target.reps, old_target.sets) != (
        new_target.load_kg,
        new_target.reps,
        new_target.sets,
    )
    if moved or (current is None and after.progression.exposures > 0):
        events.append(
            ev.TargetsUpdated(
                chain_id=chain_id,
                member_id=member_id,
                exercise=exercise,
                load_kg=new_target.load_kg,
                reps=new_target.reps,
                sets=new_target.sets,
            )
        )

    return Refolded(
        standing=ExerciseStanding(after, gym_id, current_plan.pattern),
        exposures=tuple(outcomes),
        gone=tuple(sorted(set(decided_before) - set(by_day))),
        records=records,
        events=tuple(events),
    )


def earliest_days(touched: Iterable[tuple[str, date]]) -> dict[str, date]:
    """Per exercise (in name order), its earliest day among the (exercise, day) pairs
    `touched`: the day to fold it again from."""
    first: dict[str, date] = {}
    for exercise, day in touched:
        first[exercise] = min(first.get(exercise, day), day)
    return dict(sorted(first.items()))
