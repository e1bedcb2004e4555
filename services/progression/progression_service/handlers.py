"""The progression service's use cases: one function per event, one transaction each.

Every event about a member is applied in its producer's order (logging and program
number their own events per member): the handler records the event in the inbox, locks
the member's stream row, and applies the event only if it is the next one; an event
that came early is retried later. Applying a set touches only the exercise's days from
that set's day on (usually just today), never the member's whole history.

Each handler takes the unit of work first: it reads through `uow.repo`, lets the domain
decide (`domain.exercise.refold`, `domain.milestones.settle_milestones`), writes the
result back through `uow.repo` and adds the events the domain announced.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, TypeVar

from myokine import events as ev
from myokine.consumers import RetryLater, ask_to_catch_up
from progression_service.domain.adherence import CountedWeek, on_protocol, week_start
from progression_service.domain.exercise import earliest_days, refold
from progression_service.domain.milestones import (
    first_session_may_move,
    first_session_with,
    settle_milestones,
)
from progression_service.domain.ordering import Turn, turn_of
from progression_service.domain.plan import (
    DatedPlan,
    ExercisePlan,
    KnownExercise,
    first_prescriptions,
    needs_catalog,
    plan_on,
)

if TYPE_CHECKING:
    from myokine.unit_of_work import UnitOfWork
    from progression_service.repository import ProgressionRepository

LOGGING, PROGRAM = "logging", "program"

log = logging.getLogger(__name__)

M = TypeVar("M", bound=ev.MemberEvent)


# --- reference data: the chains' own exercises, the gyms' equipment ------------------------


def on_exercise_added(uow: UnitOfWork[ProgressionRepository], event: ev.ExerciseAdded) -> None:
    """Keep a chain's own exercise (`ExerciseChanged` too): its pattern and equipment, for
    members whose program does not name it. The highest version wins, so a late or
    repeated copy changes nothing."""
    with uow:
        if not uow.first_delivery(event):
            return
        uow.repo.save_own_exercise(event)
        uow.commit()


def on_inventory_changed(
    uow: UnitOfWork[ProgressionRepository], event: ev.InventoryChanged
) -> None:
    """Keep a gym's equipment (the highest version wins): the loads targets are made of
    for members who train there."""
    with uow:
        if not uow.first_delivery(event):
            return
        uow.repo.save_inventory(event)
        uow.commit()


def request_catch_up(uow: UnitOfWork[ProgressionRepository]) -> None:
    """Ask program and the gateway to send every chain's own exercises and every gym's
    equipment again (the worker does this on start, in case it missed events)."""
    ask_to_catch_up(uow, "progression", (ev.CATALOG, ev.INVENTORY))


# --- events from program ------------------------------------------------------------------


def on_program_assigned(uow: UnitOfWork[ProgressionRepository], event: ev.ProgramAssigned) -> None:
    """Store the assignment's plan; fold again any exercise trained since its start."""
    with uow:
        if not _in_turn(uow, event, PROGRAM):
            return
        plans = first_prescriptions([_plan(p) for p in event.exercises])
        uow.repo.add_assignment(event, plans)
        uow.repo.touch_member(event.chain_id, event.member_id)
        for plan in plans:
            if uow.repo.trained_since(event.member_id, plan.exercise, event.start_date):
                _refold(uow, event.chain_id, event.member_id, plan.exercise, event.start_date)
        uow.commit()


def on_assignment_ended(uow: UnitOfWork[ProgressionRepository], event: ev.AssignmentEnded) -> None:
    """Mark an assignment ended (its plan still explains the days it was in force)."""
    with uow:
        if not _in_turn(uow, event, PROGRAM):
            return
        uow.repo.end_assignment(event.assignment_id)
        uow.commit()


# --- events from logging ------------------------------------------------------------------


def on_set_logged(uow: UnitOfWork[ProgressionRepository], event: ev.SetLogged) -> None:
    """A set was logged: store it, fold its day again (records at once), count its week.

    Milestones wait for the session to finish, unless the set changes a week that counts
    already: one that goes on or off protocol, or a set added to a finished session.
    """
    on_sets_logged(uow, [event])


def on_sets_logged(uow: UnitOfWork[ProgressionRepository], events: Sequence[ev.SetLogged]) -> None:
    """Several sets of one member, in their order, in one transaction: as `on_set_logged`
    one after another, with each exercise folded and each week counted once.

    The worker calls it with a member's sets that came in one batch, which under load is
    most of them. The state it leaves is the one the sets leave one by one (the fold is
    the same from the earliest day); what it announces is the difference from before the
    first set to after the last, so a record beaten again within the batch is announced
    once, at its best.
    """
    with uow:
        applied = _in_turn_all(uow, events, LOGGING)
        if not applied:
            return
        chain_id, member_id = applied[0].chain_id, applied[0].member_id
        uow.repo.touch_member(chain_id, member_id, applied[-1].set.gym_id)
        dated: dict[str, list[DatedPlan]] = {}
        for event in applied:
            logged = event.set
            if logged.exercise not in dated:
                dated[logged.exercise] = uow.repo.plans(member_id, logged.exercise)
            plans = dated[logged.exercise]
            _store_set(uow, chain_id, member_id, logged, plans, _own(uow, chain_id, logged, plans))
        sets = [event.set for event in applied]
        for exercise, day in earliest_days((s.exercise, s.local_date) for s in sets).items():
            _refold(uow, chain_id, member_id, exercise, day, dated[exercise])
        mondays = sorted({week_start(s.local_date) for s in sets})
        flipped = [_count_week(uow, chain_id, member_id, monday) for monday in mondays]
        sessions = {s.session_id: s.local_date for s in sets}
        finished = [day for sid, day in sessions.items() if uow.repo.session_finished(sid)]
        if any(flipped) or finished:
            first = uow.repo.lock_member(chain_id, member_id)
            if finished:
                first = _store_first_session(
                    uow, member_id, first, first_session_with(first, finished)
                )
            _settle_milestones(uow, chain_id, member_id, first, min(s.local_date for s in sets))
        uow.commit()


def on_set_corrected(uow: UnitOfWork[ProgressionRepository], event: ev.SetCorrected) -> None:
    """A set was corrected: fold again from the earliest day it touched, as if logged right."""
    with uow:
        if not _in_turn(uow, event, LOGGING):
            return
        uow.repo.touch_member(event.chain_id, event.member_id)
        dated = uow.repo.plans(event.member_id, event.set.exercise)
        own = _own(uow, event.chain_id, event.set, dated)
        _store_set(uow, event.chain_id, event.member_id, event.set, dated, own)
        _refold_touched(uow, event, [event.previous, event.set])
        uow.commit()


def on_set_voided(uow: UnitOfWork[ProgressionRepository], event: ev.SetVoided) -> None:
    """A set was voided: forget it and fold its day again."""
    with uow:
        if not _in_turn(uow, event, LOGGING):
            return
        uow.repo.remove_set(event.set.set_id)
        _refold_touched(uow, event, [event.set])
        uow.commit()


def on_session_finished(uow: UnitOfWork[ProgressionRepository], event: ev.SessionFinished) -> None:
    """A session was finished: its exposures move the targets; milestones are checked."""
    with uow:
        if not _in_turn(uow, event, LOGGING):
            return
        chain_id, member_id = event.chain_id, event.member_id
        first = uow.repo.lock_member(chain_id, member_id, event.gym_id)
        uow.repo.add_finished_session(chain_id, member_id, event.session_id, event.local_date)
        touched = uow.repo.session_exercise_days(event.session_id)
        for exercise, day in earliest_days(touched).items():
            _refold(uow, chain_id, member_id, exercise, day)
        if touched:
            days = [day for _, day in touched]
            first = _store_first_session(uow, member_id, first, first_session_with(first, days))
            _settle_milestones(uow, chain_id, member_id, first, min(event.local_date, *days))
        uow.commit()


# --- erasing a member (from the gateway) --------------------------------------------------


def on_member_erased(uow: UnitOfWork[ProgressionRepository], event: ev.MemberErased) -> None:
    """Erase a member (GDPR): every row of theirs, and the events and stored answers that
    name them; only a digest of their id stays, so an event of theirs still on its way is
    dropped (`_in_turn`) instead of bringing their data back.

    Both of their stream rows are locked first, as each of their events locks one, so no
    event is applied halfway through the erasure: one in progress finishes before, and is
    erased with the rest.
    """
    with uow:
        if not uow.first_delivery(event):
            return
        for producer in (LOGGING, PROGRAM):
            uow.repo.last_seq(event.member_id, producer)
        rows = uow.repo.erase_member(event.member_id)
        messages = uow.forget_messages_about(event.member_id)
        uow.commit()
    log.info(
        "member erased",
        extra={"member_id": str(event.member_id), "rows": rows, "messages": messages},
    )


# --- restoring a member -------------------------------------------------------------------


def rebuild_member(
    uow: UnitOfWork[ProgressionRepository], chain_id: uuid.UUID, member_id: uuid.UUID
) -> None:
    """Derive everything about a member again from the stored facts (sets, finished
    sessions, assignments): every exercise from its first day, every week counted again,
    the first session and the milestones settled from the first week on.

    The incremental path must always leave this same state; this is how to restore it
    after a rule changes. It reads the member's whole history, so it is not for events.
    """
    with uow:
        for exercise, first_day in uow.repo.first_days(member_id).items():
            _refold(uow, chain_id, member_id, exercise, first_day)
        mondays = sorted({week_start(day) for day in uow.repo.training_days(member_id)})
        for monday in mondays:
            _count_week(uow, chain_id, member_id, monday)
        was = uow.repo.lock_member(chain_id, member_id)
        first = _store_first_session(uow, member_id, was, uow.repo.first_finished_day(member_id))
        if mondays:
            _settle_milestones(uow, chain_id, member_id, first, mondays[0])
        uow.commit()


# --- the steps the handlers share ---------------------------------------------------------


def _in_turn(uow: UnitOfWork[ProgressionRepository], event: ev.MemberEvent, producer: str) -> bool:
    """Whether to apply `event` now (see `_in_turn_all`)."""
    return bool(_in_turn_all(uow, [event], producer))


def _in_turn_all(
    uow: UnitOfWork[ProgressionRepository], events: Sequence[M], producer: str
) -> list[M]:
    """Which of one member's events, in their order, to apply now: none that was delivered
    or applied before, and none of an erased member (nothing is written then); RetryLater
    when one came before an earlier one.

    The member's stream is read and written once for all of them: a batch of sets asked for
    it once a set, four statements each, where one inbox row a set and three statements in
    all do.
    """
    fresh = [event for event in events if uow.first_delivery(event)]
    if not fresh:
        return []
    member_id = fresh[0].member_id
    last = uow.repo.last_seq(member_id, producer)
    # Asked under the stream's lock, which the erasure takes too: an event of an erased
    # member is dropped, and the handler leaves without committing, so nothing stays.
    if uow.repo.erased(member_id):
        return []
    applied = []
    for event in fresh:
        turn = turn_of(event.seq, last)
        if turn is Turn.EARLY:
            raise RetryLater(
                f"{event.event_type} #{event.seq} of member {member_id} waits for #{last + 1}"
            )
        if turn is Turn.NEXT:
            applied.append(event)
            last = event.seq
    if applied:
        uow.repo.set_last_seq(member_id, producer, last)
    return applied


def _plan(planned: ev.PlannedExercise) -> ExercisePlan:
    return ExercisePlan(
        exercise=planned.exercise,
        pattern=planned.pattern,
        equipment=planned.equipment,
        load_step_kg=planned.load_step_kg,
        sets=planned.sets,
        rep_min=planned.rep_min,
        rep_max=planned.rep_max,
        starting_load_kg=planned.starting_load_kg,
    )


def _own(
    uow: UnitOfWork[ProgressionRepository],
    chain_id: uuid.UUID,
    logged: ev.LoggedSet,
    dated: list[DatedPlan],
) -> KnownExercise | None:
    """The chain's own exercise of a set no plan of the member's explains.

    Logging takes a set only of an exercise in the chain's catalog, so one progression
    has not heard of yet has its `ExerciseAdded` still on the way: the set waits for it.
    """
    if not needs_catalog(logged.exercise, dated):
        return None
    own = uow.repo.own_exercise(chain_id, logged.exercise)
    if own is None:
        raise RetryLater(f"the chain's exercise {logged.exercise!r} is not known here yet")
    return own


def _store_set(
    uow: UnitOfWork[ProgressionRepository],
    chain_id: uuid.UUID,
    member_id: uuid.UUID,
    logged: ev.LoggedSet,
    dated: list[DatedPlan],
    own: KnownExercise | None,
) -> None:
    """Store a set, counting toward the pattern of the plan in force on its day (or of
    the catalog's exercise)."""
    pattern = plan_on(logged.local_date, logged.exercise, dated, own).pattern
    uow.repo.save_set(chain_id, member_id, logged, pattern)


def _refold(
    uow: UnitOfWork[ProgressionRepository],
    chain_id: uuid.UUID,
    member_id: uuid.UUID,
    exercise: str,
    day: date,
    dated: list[DatedPlan] | None = None,
) -> None:
    """Fold a member's exercise again from `day` on, store it, and announce what changed.

    Only the days from `day` on are read: the state before it is stored with them.
    """
    current = uow.repo.exercise_standing(member_id, exercise)
    if dated is None:
        dated = uow.repo.plans(member_id, exercise)
    sets = uow.repo.sets_from(member_id, exercise, day)
    gyms = {s.gym_id for s in sets} | {current.gym_id if current else None}
    own = uow.repo.own_exercise(chain_id, exercise) if needs_catalog(exercise, dated) else None
    folded = refold(
        chain_id,
        member_id,
        exercise,
        current,
        dated,
        uow.repo.exposures_from(member_id, exercise, day),
        sets,
        uow.repo.record_keys_from(member_id, exercise, day),
        uow.repo.inventories({g for g in gyms if g is not None}),
        own,
    )
    uow.repo.save_exposures(chain_id, member_id, exercise, folded.exposures, folded.gone)
    uow.repo.replace_records(chain_id, member_id, exercise, day, folded.records)
    uow.repo.save_standing(chain_id, member_id, exercise, folded.standing)
    for announced in folded.events:
        uow.add_event(announced)


def _count_week(
    uow: UnitOfWork[ProgressionRepository], chain_id: uuid.UUID, member_id: uuid.UUID, day: date
) -> bool:
    """Count the member's days per pattern in `day`'s ISO week again; whether the week
    went on or off protocol (a week not counted before was off)."""
    monday = week_start(day)
    was = uow.repo.week_on_protocol(member_id, monday)
    days = uow.repo.pattern_days(member_id, monday, monday + timedelta(days=6))
    week = CountedWeek(monday, days, on_protocol(days))
    uow.repo.save_week(chain_id, member_id, week)
    return bool(was) != week.on_protocol


def _refold_touched(
    uow: UnitOfWork[ProgressionRepository], event: ev.MemberEvent, touched: list[ev.LoggedSet]
) -> None:
    """Fold again the exercises and weeks a changed set touched, then settle milestones
    from its earliest day (the first session too, when that day could have been it)."""
    chain_id, member_id = event.chain_id, event.member_id
    first = uow.repo.lock_member(chain_id, member_id)
    first_days = earliest_days((s.exercise, s.local_date) for s in touched)
    for exercise, day in first_days.items():
        _refold(uow, chain_id, member_id, exercise, day)
    for day in sorted({s.local_date for s in touched}):
        _count_week(uow, chain_id, member_id, day)
    since = min(first_days.values())
    if first_session_may_move(first, since):
        first = _store_first_session(uow, member_id, first, uow.repo.first_finished_day(member_id))
    _settle_milestones(uow, chain_id, member_id, first, since)


def _store_first_session(
    uow: UnitOfWork[ProgressionRepository],
    member_id: uuid.UUID,
    was: date | None,
    now: date | None,
) -> date | None:
    """Store the member's first session when it moved; the day it is now."""
    if now != was:
        uow.repo.set_first_session(member_id, now)
    return now


def _settle_milestones(
    uow: UnitOfWork[ProgressionRepository],
    chain_id: uuid.UUID,
    member_id: uuid.UUID,
    first_session: date | None,
    since: date,
) -> None:
    """Settle the member's milestones from `since` on; announce the ones newly reached."""
    stored = uow.repo.milestones(member_id)
    changes = settle_milestones(uow.repo, chain_id, member_id, stored, first_session, since)
    uow.repo.save_milestones(chain_id, member_id, changes)
    for announced in changes.events:
        uow.add_event(announced)
