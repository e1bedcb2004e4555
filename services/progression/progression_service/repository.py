"""The progression service's tables and queries, on its own database.

Facts come in from events (assignments, sets, finished sessions); everything else is
derived from them and kept current incrementally: one exposure row per member, exercise
and day (with the exercise's state before it, so a day can be folded again), the
current state per member and exercise, records, weekly pattern counts and milestones.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Index,
    Integer,
    Numeric,
    String,
    Uuid,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from myokine.messaging_tables import define_messaging_tables
from progression_service.domain.exercise import ExerciseState
from progression_service.domain.plan import DatedPlan, ExercisePlan


class Base(DeclarativeBase):
    """The progression service's tables (its outbox, inbox and dead letters are added by main)."""


class Stream(Base):
    """The last event applied per member and producer (each producer numbers its own)."""

    __tablename__ = "streams"

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    producer: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)


class Member(Base):
    """A member as progression knows them: where they train, when they started."""

    __tablename__ = "members"

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    chain_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    gym_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    first_session: Mapped[date | None] = mapped_column(Date)


class Assignment(Base):
    """A program assigned to a member; the plan in force on a day is the latest started."""

    __tablename__ = "assignments"

    assignment_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    chain_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    program_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    program_version: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    seq: Mapped[int] = mapped_column(Integer)
    ended: Mapped[bool] = mapped_column(default=False)


class PlannedExercise(Base):
    """One exercise of an assignment, with its rep range, sets and equipment."""

    __tablename__ = "planned_exercises"

    assignment_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    exercise: Mapped[str] = mapped_column(String(100), primary_key=True)
    pattern: Mapped[str] = mapped_column(String(16))
    equipment: Mapped[str] = mapped_column(String(16))
    load_step_kg: Mapped[Decimal] = mapped_column(Numeric)
    sets: Mapped[int] = mapped_column(Integer)
    rep_min: Mapped[int] = mapped_column(Integer)
    rep_max: Mapped[int] = mapped_column(Integer)
    starting_load_kg: Mapped[Decimal | None] = mapped_column(Numeric)


class LoggedSet(Base):
    """A set as logging last described it (voided sets are deleted)."""

    __tablename__ = "sets"
    __table_args__ = (
        Index("sets_member_exercise_day", "member_id", "exercise", "local_date"),
        Index("sets_member_day", "member_id", "local_date"),
    )

    set_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    chain_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    session_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    gym_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    exercise: Mapped[str] = mapped_column(String(100))
    pattern: Mapped[str | None] = mapped_column(String(16))
    local_date: Mapped[date] = mapped_column(Date)
    performed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    load_kg: Mapped[Decimal] = mapped_column(Numeric)
    load_value: Mapped[Decimal] = mapped_column(Numeric)
    unit: Mapped[str] = mapped_column(String(8))
    reps: Mapped[int] = mapped_column(Integer)
    rpe: Mapped[Decimal | None] = mapped_column(Numeric(3, 1))
    warmup: Mapped[bool] = mapped_column(default=False)


class FinishedSession(Base):
    """A session that was finished; its exposures move the targets."""

    __tablename__ = "finished_sessions"

    session_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    chain_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    local_date: Mapped[date] = mapped_column(Date)


class Exposure(Base):
    """One member's sets of one exercise on one local day, and what they did."""

    __tablename__ = "exposures"

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    exercise: Mapped[str] = mapped_column(String(100), primary_key=True)
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    chain_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    finished: Mapped[bool] = mapped_column(default=False)
    state_before: Mapped[dict[str, Any]] = mapped_column(JSONB)
    decision: Mapped[str | None] = mapped_column(String(16))
    best_e1rm_kg: Mapped[Decimal | None] = mapped_column(Numeric)
    working_sets: Mapped[int] = mapped_column(Integer, default=0)


class ExerciseStateRow(Base):
    """A member's current state on one exercise (after every exposure so far)."""

    __tablename__ = "exercise_states"

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    exercise: Mapped[str] = mapped_column(String(100), primary_key=True)
    chain_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    pattern: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[dict[str, Any]] = mapped_column(JSONB)
    stalled: Mapped[bool] = mapped_column(default=False)
    unit: Mapped[str] = mapped_column(String(8), default="kg", server_default="kg")
    """The unit of the equipment the member last lifted on (targets are made of its loads)."""


class RecordRow(Base):
    """A personal record a set set."""

    __tablename__ = "personal_records"
    __table_args__ = (Index("records_member_exercise_day", "member_id", "exercise", "local_date"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    chain_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    exercise: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[Decimal] = mapped_column(Numeric)
    set_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    local_date: Mapped[date] = mapped_column(Date)
    load_kg: Mapped[Decimal] = mapped_column(Numeric)
    reps: Mapped[int] = mapped_column(Integer)


class Week(Base):
    """A member's days trained per pattern in one ISO week (gym local time)."""

    __tablename__ = "weeks"

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    week_start: Mapped[date] = mapped_column(Date, primary_key=True)
    chain_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    days: Mapped[dict[str, int]] = mapped_column(JSONB)
    on_protocol: Mapped[bool] = mapped_column(default=False)


class MilestoneRow(Base):
    """A milestone a member reached, once."""

    __tablename__ = "milestones"

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    milestone: Mapped[str] = mapped_column(String(32), primary_key=True)
    chain_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    reached_on: Mapped[date] = mapped_column(Date)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


# --- state snapshots ----------------------------------------------------------------------

_STATE = TypeAdapter(ExerciseState)


def dump_state(state: ExerciseState) -> dict[str, Any]:
    """An exercise state as JSON for a JSONB column."""
    dumped: dict[str, Any] = _STATE.dump_python(state, mode="json")
    return dumped


def load_state(data: dict[str, Any] | None) -> ExerciseState:
    """An exercise state from its JSON (the zero state when there is none)."""
    return ExerciseState() if not data else _STATE.validate_python(data)


# --- queries ------------------------------------------------------------------------------


def last_seq(session: Session, member_id: uuid.UUID, producer: str) -> int:
    """The last applied sequence number of a producer's events about a member, locked.

    The upsert locks the row (creating it on first sight) until the transaction ends, so
    a member's events from one producer apply one at a time, in order.
    """
    seq = session.execute(
        insert(Stream)
        .values(member_id=member_id, producer=producer, last_seq=0)
        .on_conflict_do_update(
            index_elements=["member_id", "producer"], set_={"last_seq": Stream.last_seq}
        )
        .returning(Stream.last_seq)
    ).scalar_one()
    return int(seq)


def set_last_seq(session: Session, member_id: uuid.UUID, producer: str, seq: int) -> None:
    """Record that a producer's event `seq` about a member was applied."""
    session.execute(
        update(Stream)
        .where(Stream.member_id == member_id, Stream.producer == producer)
        .values(last_seq=seq)
    )


def touch_member(
    session: Session, chain_id: uuid.UUID, member_id: uuid.UUID, gym_id: uuid.UUID | None = None
) -> None:
    """Create the member's row on first sight; remember the gym they last trained at."""
    upsert = insert(Member).values(member_id=member_id, chain_id=chain_id, gym_id=gym_id)
    session.execute(
        upsert.on_conflict_do_update(
            index_elements=["member_id"],
            set_={"gym_id": func.coalesce(upsert.excluded.gym_id, Member.gym_id)},
        )
    )


def member_for_update(session: Session, chain_id: uuid.UUID, member_id: uuid.UUID) -> Member:
    """The member's row (created on first sight), locked."""
    touch_member(session, chain_id, member_id)
    return session.execute(
        select(Member).where(Member.member_id == member_id).with_for_update()
    ).scalar_one()


def dated_plans(
    session: Session, member_id: uuid.UUID, exercise: str | None = None
) -> list[tuple[date, PlannedExercise]]:
    """The member's planned exercises (of one exercise, if given) with their assignment's
    start, oldest assignment first."""
    query = (
        select(Assignment.start_date, PlannedExercise)
        .join(Assignment, Assignment.assignment_id == PlannedExercise.assignment_id)
        .where(Assignment.member_id == member_id)
        .order_by(Assignment.start_date, Assignment.seq)
    )
    if exercise is not None:
        query = query.where(PlannedExercise.exercise == exercise)
    return [(start, planned) for start, planned in session.execute(query)]


def plans_by_exercise(
    session: Session, member_id: uuid.UUID, exercise: str | None = None
) -> dict[str, list[DatedPlan]]:
    """The member's plans per exercise (of one exercise, if given), oldest first."""
    plans: dict[str, list[DatedPlan]] = defaultdict(list)
    for start, row in dated_plans(session, member_id, exercise):
        plans[row.exercise].append(DatedPlan(start, _plan(row)))
    return plans


def _plan(row: PlannedExercise) -> ExercisePlan:
    return ExercisePlan(
        exercise=row.exercise,
        pattern=row.pattern,
        equipment=row.equipment,
        load_step_kg=row.load_step_kg,
        sets=row.sets,
        rep_min=row.rep_min,
        rep_max=row.rep_max,
        starting_load_kg=row.starting_load_kg,
    )


def state_row(session: Session, member_id: uuid.UUID, exercise: str) -> ExerciseStateRow | None:
    """A member's current state row on an exercise, locked for the update that follows."""
    return session.execute(
        select(ExerciseStateRow)
        .where(ExerciseStateRow.member_id == member_id, ExerciseStateRow.exercise == exercise)
        .with_for_update()
    ).scalar_one_or_none()


def exposures_from(
    session: Session, member_id: uuid.UUID, exercise: str, day: date
) -> list[Exposure]:
    """A member's exposures to an exercise on or after `day`, oldest first."""
    return list(
        session.execute(
            select(Exposure)
            .where(
                Exposure.member_id == member_id,
                Exposure.exercise == exercise,
                Exposure.local_date >= day,
            )
            .order_by(Exposure.local_date)
        ).scalars()
    )


def sets_from(
    session: Session, member_id: uuid.UUID, exercise: str, day: date
) -> list[tuple[LoggedSet, bool]]:
    """A member's sets of an exercise on or after `day`, in the order they were lifted,
    each with whether its session was finished."""
    rows = session.execute(
        select(LoggedSet, FinishedSession.session_id.is_not(None))
        .outerjoin(FinishedSession, FinishedSession.session_id == LoggedSet.session_id)
        .where(
            LoggedSet.member_id == member_id,
            LoggedSet.exercise == exercise,
            LoggedSet.local_date >= day,
        )
        .order_by(LoggedSet.local_date, LoggedSet.performed_at, LoggedSet.set_id)
    )
    return [(row, bool(finished)) for row, finished in rows]


def replace_records(
    session: Session, member_id: uuid.UUID, exercise: str, day: date, rows: list[RecordRow]
) -> list[RecordRow]:
    """Swap the records of an exercise set on or after `day` for `rows`; the old ones."""
    old = list(
        session.execute(
            delete(RecordRow)
            .where(
                RecordRow.member_id == member_id,
                RecordRow.exercise == exercise,
                RecordRow.local_date >= day,
            )
            .returning(RecordRow)
        ).scalars()
    )
    session.add_all(rows)
    return old


def pattern_days(session: Session, member_id: uuid.UUID, first: date, last: date) -> dict[str, int]:
    """Days with at least one working set per pattern between two dates (inclusive)."""
    rows = session.execute(
        select(LoggedSet.pattern, func.count(LoggedSet.local_date.distinct()))
        .where(
            LoggedSet.member_id == member_id,
            LoggedSet.local_date.between(first, last),
            LoggedSet.pattern.is_not(None),
            LoggedSet.warmup.is_(False),
            LoggedSet.reps > 0,
        )
        .group_by(LoggedSet.pattern)
    ).all()
    return {str(pattern): int(count) for pattern, count in rows}


def best_e1rms(
    session: Session, member_id: uuid.UUID, first: date, last: date
) -> dict[str, dict[str, Decimal]]:
    """Per pattern and exercise, the best e1RM of a member between two dates (inclusive)."""
    rows = session.execute(
        select(ExerciseStateRow.pattern, Exposure.exercise, func.max(Exposure.best_e1rm_kg))
        .join(
            ExerciseStateRow,
            (ExerciseStateRow.member_id == Exposure.member_id)
            & (ExerciseStateRow.exercise == Exposure.exercise),
        )
        .where(
            Exposure.member_id == member_id,
            Exposure.local_date.between(first, last),
            Exposure.best_e1rm_kg.is_not(None),
            ExerciseStateRow.pattern.is_not(None),
        )
        .group_by(ExerciseStateRow.pattern, Exposure.exercise)
    ).all()
    result: dict[str, dict[str, Decimal]] = {}
    for pattern, exercise, best in rows:
        if best is not None:
            result.setdefault(str(pattern), {})[exercise] = best
    return result


def first_finished_day(
    session: Session, member_id: uuid.UUID, on_or_after: date = date.min
) -> date | None:
    """The earliest day, on or after `on_or_after`, of a member's finished session with sets."""
    has_sets = select(LoggedSet.set_id).where(LoggedSet.session_id == FinishedSession.session_id)
    day: date | None = session.execute(
        select(func.min(FinishedSession.local_date)).where(
            FinishedSession.member_id == member_id,
            FinishedSession.local_date >= on_or_after,
            has_sets.exists(),
        )
    ).scalar_one()
    return day


def protocol_weeks(session: Session, member_id: uuid.UUID, since: date) -> list[date]:
    """The Mondays of a member's weeks on protocol from `since` on, oldest first."""
    return list(
        session.execute(
            select(Week.week_start)
            .where(
                Week.member_id == member_id,
                Week.on_protocol.is_(True),
                Week.week_start >= since,
            )
            .order_by(Week.week_start)
        ).scalars()
    )


def week_training(
    session: Session, member_id: uuid.UUID, monday: date
) -> tuple[dict[date, set[str]], set[date]]:
    """Per day of the week starting `monday`, the patterns trained (working sets); and the
    days among them with a working set in a finished session."""
    rows = session.execute(
        select(
            LoggedSet.local_date,
            LoggedSet.pattern,
            func.bool_or(FinishedSession.session_id.is_not(None)),
        )
        .outerjoin(FinishedSession, FinishedSession.session_id == LoggedSet.session_id)
        .where(
            LoggedSet.member_id == member_id,
            LoggedSet.local_date.between(monday, monday + timedelta(days=6)),
            LoggedSet.pattern.is_not(None),
            LoggedSet.warmup.is_(False),
            LoggedSet.reps > 0,
        )
        .group_by(LoggedSet.local_date, LoggedSet.pattern)
    ).all()
    patterns: dict[date, set[str]] = defaultdict(set)
    finished: set[date] = set()
    for day, pattern, was_finished in rows:
        patterns[day].add(str(pattern))
        if was_finished:
            finished.add(day)
    return dict(patterns), finished


def milestones(session: Session, member_id: uuid.UUID) -> dict[str, MilestoneRow]:
    """A member's milestone rows by name."""
    rows = session.execute(select(MilestoneRow).where(MilestoneRow.member_id == member_id))
    return {row.milestone: row for row in rows.scalars()}


def week_on_protocol(session: Session, member_id: uuid.UUID, monday: date) -> bool | None:
    """Whether a member's stored week is on protocol (None when it has no row yet)."""
    flag: bool | None = session.execute(
        select(Week.on_protocol).where(Week.member_id == member_id, Week.week_start == monday)
    ).scalar_one_or_none()
    return flag


TABLES = define_messaging_tables(Base.metadata)
"""The outbox, inbox, dead letters and Idempotency-Key replies of this service."""
