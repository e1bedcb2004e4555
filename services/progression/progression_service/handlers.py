"""The progression service's use cases: one function per event, one transaction each.

Every event about a member is applied in its producer's order (logging and program
number their own events per member): the handler records the event in the inbox, locks
the member's stream row, and applies the event only if it is the next one; an event
that came early is retried later. Applying a set touches only the exercise's days from
that set's day on (usually just today), never the member's whole history.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from myokine import events as ev
from myokine.consumers import RetryLater
from myokine.db import transaction
from myokine.inbox import first_delivery
from myokine.outbox import add_event
from myokine.units import Unit
from progression_service import repository as repo
from progression_service.domain.adherence import (
    WEEK,
    on_protocol,
    week_start,
)
from progression_service.domain.exercise import Exposure, ExposureOutcome, replay
from progression_service.domain.milestones import (
    ADAPTATION_WEEKS,
    BASELINE_WINDOW,
    STRENGTH_CHECK_AFTER,
    Milestone,
    protocol_reached_on,
    strength_check,
)
from progression_service.domain.plan import DatedPlan, equipment_unit, plan_on
from progression_service.domain.progression import Decision
from progression_service.domain.sets import LiftedSet
from progression_service.domain.targets import next_target
from progression_service.runtime import runtime

LOGGING, PROGRAM = "logging", "program"


# --- ordering -----------------------------------------------------------------------------


def _next_in_order(session: Session, event: ev.MemberEvent, producer: str) -> bool:
    """Whether to apply `event` now: False for a redelivery; RetryLater when it came early."""
    if not first_delivery(session, runtime.tables.inbox, event):
        return False
    last = repo.last_seq(session, event.member_id, producer)
    if event.seq <= last:
        return False
    if event.seq > last + 1:
        raise RetryLater(
            f"{event.event_type} #{event.seq} of member {event.member_id} waits for #{last + 1}"
        )
    repo.set_last_seq(session, event.member_id, producer, event.seq)
    return True


def _emit(session: Session, event: ev.Event) -> None:
    add_event(session, runtime.tables.outbox, event)


# --- folding an exercise again from a day -------------------------------------------------


def _lifted(row: repo.LoggedSet) -> LiftedSet:
    return LiftedSet(row.set_id, row.load_kg, row.reps, row.rpe, row.warmup)


def _refold(
    session: Session,
    chain_id: uuid.UUID,
    member_id: uuid.UUID,
    exercise: str,
    day: date,
    dated: list[DatedPlan] | None = None,
) -> None:
    """Fold a member's exercise again from `day` on, and emit what changed.

    The state before `day` is taken from the first stored exposure on or after it (or the
    current state when there is none), so only the days from `day` on are read.
    """
    row = repo.state_row(session, member_id, exercise)
    if dated is None:
        dated = repo.plans_by_exercise(session, member_id, exercise)[exercise]
    old_exposures = repo.exposures_from(session, member_id, exercise, day)
    if old_exposures:
        start = repo.load_state(old_exposures[0].state_before)
    else:
        start = repo.load_state(row.state if row else None)
    before = repo.load_state(row.state if row else None)

    by_day: dict[date, list[LiftedSet]] = defaultdict(list)
    finished: set[date] = set()
    units: dict[date, Unit] = {}
    for s, session_finished in repo.sets_from(session, member_id, exercise, day):
        by_day[s.local_date].append(_lifted(s))
        units.setdefault(s.local_date, equipment_unit(s.unit))
        if session_finished:
            finished.add(s.local_date)
    exposures = [Exposure(d, tuple(sets), d in finished) for d, sets in sorted(by_day.items())]
    plans = [plan_on(e.day, exercise, dated).in_unit(units[e.day]) for e in exposures]
    unit = units[max(units)] if units else equipment_unit(row.unit if row else None)
    current_plan = plan_on(date.max, exercise, dated).in_unit(unit)
    after, outcomes = replay(start, plans, exposures)

    old_by_day = {e.local_date: e for e in old_exposures}
    for gone in set(old_by_day) - set(by_day):
        session.delete(old_by_day[gone])
    for outcome, exposure in zip(outcomes, exposures, strict=True):
        _store_exposure(session, chain_id, member_id, exercise, outcome, exposure.finished)

    new_records = [
        repo.RecordRow(
            chain_id=chain_id,
            member_id=member_id,
            exercise=exercise,
            kind=r.kind.value,
            value=r.value,
            set_id=r.set_id,
            local_date=r.day,
            load_kg=r.load_kg,
            reps=r.reps,
        )
        for o in outcomes
        for r in o.records
    ]
    old_records = repo.replace_records(session, member_id, exercise, day, new_records)
    known = {(r.kind, r.set_id) for r in old_records}
    for r in new_records:
        if (r.kind, r.set_id) not in known:
            _emit(
                session,
                ev.PersonalRecord(
                    chain_id=chain_id,
                    member_id=member_id,
                    exercise=exercise,
                    kind=r.kind,
                    value=r.value,
                    set_id=r.set_id,
                ),
            )

    # The state after each exposure (none when the last days of the exercise were voided).
    states_after = [o.state_before for o in outcomes[1:]] + [after] if outcomes else []
    for outcome, state in zip(outcomes, states_after, strict=True):
        was = old_by_day.get(outcome.day)
        if outcome.decision is Decision.STALL and (was is None or was.decision != Decision.STALL):
            stalled_at = state.progression.working_load_kg or Decimal(0)
            _emit(
                session,
                ev.StallDetected(
                    chain_id=chain_id, member_id=member_id, exercise=exercise, load_kg=stalled_at
                ),
            )

    old_target, new_target = (
        next_target(before.progression, current_plan),
        next_target(after.progression, current_plan),
    )
    if (old_target.load_kg, old_target.reps, old_target.sets) != (
        new_target.load_kg,
        new_target.reps,
        new_target.sets,
    ) or (row is None and after.progression.exposures > 0):
        _emit(
            session,
            ev.TargetsUpdated(
                chain_id=chain_id,
                member_id=member_id,
                exercise=exercise,
                load_kg=new_target.load_kg,
                reps=new_target.reps,
                sets=new_target.sets,
            ),
        )

    if row is None:
        row = repo.ExerciseStateRow(member_id=member_id, exercise=exercise, chain_id=chain_id)
        session.add(row)
    row.pattern = current_plan.pattern
    row.unit = unit.value
    row.state = repo.dump_state(after)
    row.stalled = after.progression.stalled


def _store_exposure(
    session: Session,
    chain_id: uuid.UUID,
    member_id: uuid.UUID,
    exercise: str,
    outcome: ExposureOutcome,
    finished: bool,
) -> None:
    values = {
        "chain_id": chain_id,
        "finished": finished,
        "state_before": repo.dump_state(outcome.state_before),
        "decision": outcome.decision.value if outcome.decision else None,
        "best_e1rm_kg": outcome.best_e1rm_kg,
        "working_sets": outcome.working_sets,
    }
    session.execute(
        insert(repo.Exposure)
        .values(member_id=member_id, exercise=exercise, local_date=outcome.day, **values)
        .on_conflict_do_update(index_elements=["member_id", "exercise", "local_date"], set_=values)
    )


def _refresh_week(session: Session, chain_id: uuid.UUID, member_id: uuid.UUID, day: date) -> bool:
    """Count the member's days per pattern in `day`'s ISO week again; whether the week
    went on or off protocol."""
    monday = week_start(day)
    was = repo.week_on_protocol(session, member_id, monday)
    days = repo.pattern_days(session, member_id, monday, monday + timedelta(days=6))
    values = {"chain_id": chain_id, "days": days, "on_protocol": on_protocol(days)}
    session.execute(
        insert(repo.Week)
        .values(member_id=member_id, week_start=monday, **values)
        .on_conflict_do_update(index_elements=["member_id", "week_start"], set_=values)
    )
    return bool(was) != values["on_protocol"]


# --- events from program ------------------------------------------------------------------


def on_program_assigned(event: ev.ProgramAssigned) -> None:
    """Store the assignment's plan; fold again any exercise trained since its start."""
    with transaction(runtime.sessions) as session:
        if not _next_in_order(session, event, PROGRAM):
            return
        session.add(
            repo.Assignment(
                assignment_id=event.assignment_id,
                chain_id=event.chain_id,
                member_id=event.member_id,
                program_id=event.program_id,
                program_version=event.program_version,
                start_date=event.start_date,
                seq=event.seq,
            )
        )
        # One plan per exercise: the first prescription wins, as in the program service.
        planned = {p.exercise: p for p in reversed(event.exercises)}
        session.add_all(
            repo.PlannedExercise(
                assignment_id=event.assignment_id,
                exercise=p.exercise,
                pattern=p.pattern,
                equipment=p.equipment,
                load_step_kg=p.load_step_kg,
                sets=p.sets,
                rep_min=p.rep_min,
                rep_max=p.rep_max,
                starting_load_kg=p.starting_load_kg,
            )
            for p in planned.values()
        )
        repo.touch_member(session, event.chain_id, event.member_id)
        session.flush()
        for p in planned.values():
            if repo.exposures_from(session, event.member_id, p.exercise, event.start_date):
                _refold(session, event.chain_id, event.member_id, p.exercise, event.start_date)


def on_assignment_ended(event: ev.AssignmentEnded) -> None:
    """Mark an assignment ended (its plan still explains the days it was in force)."""
    with transaction(runtime.sessions) as session:
        if not _next_in_order(session, event, PROGRAM):
            return
        assignment = session.get(repo.Assignment, event.assignment_id)
        if assignment is not None:
            assignment.ended = True


# --- events from logging ------------------------------------------------------------------


def _store_set(
    session: Session,
    chain_id: uuid.UUID,
    member_id: uuid.UUID,
    s: ev.LoggedSet,
    dated: list[DatedPlan],
) -> None:
    pattern = plan_on(s.local_date, s.exercise, dated).pattern
    values = {
        "chain_id": chain_id,
        "member_id": member_id,
        "session_id": s.session_id,
        "gym_id": s.gym_id,
        "exercise": s.exercise,
        "pattern": pattern,
        "local_date": s.local_date,
        "performed_at": s.performed_at,
        "load_kg": s.load_kg,
        "load_value": s.load_value,
        "unit": s.unit,
        "reps": s.reps,
        "rpe": s.rpe,
        "warmup": s.warmup,
    }
    session.execute(
        insert(repo.LoggedSet)
        .values(set_id=s.set_id, **values)
        .on_conflict_do_update(index_elements=["set_id"], set_=values)
    )


def on_set_logged(event: ev.SetLogged) -> None:
    """A set was logged: store it, fold its day again (records at once), count its week.

    Milestones wait for the session to finish, unless the set changes a week that counts
    already: one that goes on or off protocol, or a set added to a finished session.
    """
    with transaction(runtime.sessions) as session:
        if not _next_in_order(session, event, LOGGING):
            return
        logged = event.set
        repo.touch_member(session, event.chain_id, event.member_id, logged.gym_id)
        dated = repo.plans_by_exercise(session, event.member_id, logged.exercise)[logged.exercise]
        _store_set(session, event.chain_id, event.member_id, logged, dated)
        _refold(session, event.chain_id, event.member_id, logged.exercise, logged.local_date, dated)
        flipped = _refresh_week(session, event.chain_id, event.member_id, logged.local_date)
        finished = session.get(repo.FinishedSession, logged.session_id) is not None
        if flipped or finished:
            member = repo.member_for_update(session, event.chain_id, event.member_id)
            if finished:
                member.first_session = min(member.first_session or date.max, logged.local_date)
            _settle_milestones(
                session, event.chain_id, event.member_id, member.first_session, logged.local_date
            )


def on_set_corrected(event: ev.SetCorrected) -> None:
    """A set was corrected: fold again from the earliest day it touched, as if logged right."""
    with transaction(runtime.sessions) as session:
        if not _next_in_order(session, event, LOGGING):
            return
        repo.touch_member(session, event.chain_id, event.member_id)
        dated = repo.plans_by_exercise(session, event.member_id, event.set.exercise)[
            event.set.exercise
        ]
        _store_set(session, event.chain_id, event.member_id, event.set, dated)
        _refold_touched(session, event, [event.previous, event.set])


def on_set_voided(event: ev.SetVoided) -> None:
    """A set was voided: forget it and fold its day again."""
    with transaction(runtime.sessions) as session:
        if not _next_in_order(session, event, LOGGING):
            return
        stored = session.get(repo.LoggedSet, event.set.set_id)
        if stored is not None:
            session.delete(stored)
            session.flush()
        _refold_touched(session, event, [event.set])


def _refold_touched(session: Session, event: ev.MemberEvent, touched: list[ev.LoggedSet]) -> None:
    """Fold again the exercises and weeks a changed set touched, then settle milestones
    from its earliest day (the first session too, when that day could have been it)."""
    member = repo.member_for_update(session, event.chain_id, event.member_id)
    first_day: dict[str, date] = {}
    for s in touched:
        first_day[s.exercise] = min(first_day.get(s.exercise, s.local_date), s.local_date)
    for exercise, day in sorted(first_day.items()):
        _refold(session, event.chain_id, event.member_id, exercise, day)
    for day in sorted({s.local_date for s in touched}):
        _refresh_week(session, event.chain_id, event.member_id, day)
    since = min(first_day.values())
    if member.first_session is None or since <= member.first_session:
        member.first_session = repo.first_finished_day(session, event.member_id)
    _settle_milestones(session, event.chain_id, event.member_id, member.first_session, since)


def on_session_finished(event: ev.SessionFinished) -> None:
    """A session was finished: its exposures move the targets; milestones are checked."""
    with transaction(runtime.sessions) as session:
        if not _next_in_order(session, event, LOGGING):
            return
        member = repo.member_for_update(session, event.chain_id, event.member_id)
        member.gym_id = event.gym_id
        session.execute(
            insert(repo.FinishedSession)
            .values(
                session_id=event.session_id,
                chain_id=event.chain_id,
                member_id=event.member_id,
                local_date=event.local_date,
            )
            .on_conflict_do_nothing(index_elements=["session_id"])
        )
        touched = session.execute(
            select(repo.LoggedSet.exercise, repo.LoggedSet.local_date)
            .where(repo.LoggedSet.session_id == event.session_id)
            .distinct()
        ).all()
        first_day: dict[str, date] = {}
        for exercise, day in touched:
            first_day[exercise] = min(first_day.get(exercise, day), day)
        for exercise, day in sorted(first_day.items()):
            _refold(session, event.chain_id, event.member_id, exercise, day)
        if touched:
            days = [day for _, day in touched]
            member.first_session = min(member.first_session or date.max, *days)
            since = min(event.local_date, *days)
            _settle_milestones(
                session, event.chain_id, event.member_id, member.first_session, since
            )


def _settle_milestones(
    session: Session,
    chain_id: uuid.UUID,
    member_id: uuid.UUID,
    first_session: date | None,
    since: date,
) -> None:
    """Make the member's milestones what their facts say now that days from `since` on
    changed (PROTOCOL.md §4).

    Each milestone is a function of the stored facts, so a correction or void leaves the
    milestones a member would have had if the set had been logged right the first time:
    - first session: the day of the first finished session with sets (`first_session`);
    - first protocol week: the first week on protocol that has a finished day by which
      every pattern had its weekly minimum; reached on that day;
    - initial adaptation: the first run of four on-protocol weeks in a row whose last week
      has such a day; reached on that day;
    - strength check: the first finished day twelve weeks or more after the first session,
      with the e1RM change as of that day.
    Nothing before `since` changed, so a milestone reached in an earlier week stays as it
    is, and one still open is looked for only from `since`'s week on (three weeks back for
    a run): the weekly rows and a week's sets, never the member's whole history.

    A new milestone is stored and announced with MilestoneReached; one whose day or detail
    moved is updated without a second event (it was announced already); one the facts no
    longer support is deleted, without a retraction event: the progress view is the truth,
    and a milestone reached again later is announced again.
    """
    stored = repo.milestones(session, member_id)
    monday = week_start(since)

    def kept(milestone: Milestone) -> bool:
        row = stored.get(milestone.value)
        return row is not None and week_start(row.reached_on) < monday

    wanted: dict[Milestone, tuple[date, dict[str, object]]] = {}
    if first_session is not None:
        wanted[Milestone.FIRST_SESSION] = (first_session, {})
        for milestone in (Milestone.FIRST_PROTOCOL_WEEK, Milestone.INITIAL_ADAPTATION):
            row = stored.get(milestone.value)
            if row is not None and kept(milestone):
                wanted[milestone] = (row.reached_on, dict(row.detail))
        if Milestone.INITIAL_ADAPTATION not in wanted:
            weeks = repo.protocol_weeks(session, member_id, monday - WEEK * (ADAPTATION_WEEKS - 1))
            _settle_week_milestones(session, member_id, weeks, monday, wanted)
        check = stored.get(Milestone.STRENGTH_CHECK.value)
        if check is not None and check.reached_on < since:
            wanted[Milestone.STRENGTH_CHECK] = (check.reached_on, dict(check.detail))
        else:
            due = max(first_session + STRENGTH_CHECK_AFTER, since)
            check_day = repo.first_finished_day(session, member_id, due)
            if check_day is not None:
                detail = _strength_detail(session, member_id, first_session, check_day)
                wanted[Milestone.STRENGTH_CHECK] = (check_day, detail)

    for name, row in stored.items():
        if Milestone(name) not in wanted:
            session.delete(row)
    for milestone, (reached_on, detail) in wanted.items():
        row = stored.get(milestone.value)
        if row is not None:
            row.reached_on, row.detail = reached_on, detail
            continue
        session.add(
            repo.MilestoneRow(
                member_id=member_id,
                milestone=milestone.value,
                chain_id=chain_id,
                reached_on=reached_on,
                detail=detail,
            )
        )
        _emit(
            session,
            ev.MilestoneReached(chain_id=chain_id, member_id=member_id, milestone=milestone.value),
        )


def _settle_week_milestones(
    session: Session,
    member_id: uuid.UUID,
    weeks: list[date],
    monday: date,
    wanted: dict[Milestone, tuple[date, dict[str, object]]],
) -> None:
    """Find the first protocol week and the initial adaptation among on-protocol `weeks`
    (from three weeks before `monday` on), each reached on its week's finished day."""
    reached_on: dict[date, date | None] = {}

    def day_in(week: date) -> date | None:
        if week not in reached_on:
            reached_on[week] = protocol_reached_on(*repo.week_training(session, member_id, week))
        return reached_on[week]

    run, previous = 0, None
    for week in weeks:
        run = run + 1 if previous is not None and week - previous == WEEK else 1
        previous = week
        if week < monday:
            continue
        if Milestone.FIRST_PROTOCOL_WEEK not in wanted and (day := day_in(week)) is not None:
            wanted[Milestone.FIRST_PROTOCOL_WEEK] = (day, {})
        if run >= ADAPTATION_WEEKS and (day := day_in(week)) is not None:
            wanted[Milestone.INITIAL_ADAPTATION] = (day, {})
            return


def _strength_detail(
    session: Session, member_id: uuid.UUID, first: date, today: date
) -> dict[str, object]:
    window = BASELINE_WINDOW - timedelta(days=1)
    baseline = repo.best_e1rms(session, member_id, first, first + window)
    current = repo.best_e1rms(session, member_id, today - window, today)
    return {
        pattern: {
            "exercise": change.exercise,
            "baseline_e1rm_kg": str(change.baseline_e1rm_kg),
            "current_e1rm_kg": str(change.current_e1rm_kg),
            "change_kg": str(change.change_kg),
            "change_pct": str(change.change_pct),
        }
        for pattern, change in strength_check(baseline, current).items()
    }


def rebuild_member(chain_id: uuid.UUID, member_id: uuid.UUID) -> None:
    """Derive everything about a member again from the stored facts (sets, finished
    sessions, assignments): every exercise from its first day, every week counted again,
    the first session and the milestones settled from the first week on.

    The incremental path must always leave this same state; this is how to restore it
    after a rule changes. It reads the member's whole history, so it is not for events.
    """
    with transaction(runtime.sessions) as session:
        firsts = list(
            session.execute(
                select(repo.LoggedSet.exercise, func.min(repo.LoggedSet.local_date))
                .where(repo.LoggedSet.member_id == member_id)
                .group_by(repo.LoggedSet.exercise)
                .order_by(repo.LoggedSet.exercise)
            )
        )
        for exercise, first in firsts:
            _refold(session, chain_id, member_id, exercise, first)
        days = session.execute(
            select(repo.LoggedSet.local_date)
            .where(repo.LoggedSet.member_id == member_id)
            .distinct()
        ).scalars()
        mondays = sorted({week_start(d) for d in days})
        for monday in mondays:
            _refresh_week(session, chain_id, member_id, monday)
        member = repo.member_for_update(session, chain_id, member_id)
        member.first_session = repo.first_finished_day(session, member_id)
        if mondays:
            _settle_milestones(session, chain_id, member_id, member.first_session, mondays[0])
