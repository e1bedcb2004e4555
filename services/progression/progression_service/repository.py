"""The progression service's tables, and its repository: all of its SQL.

Facts come in from events (assignments, sets, finished sessions); everything else is
derived from them and kept current incrementally: one exposure row per member, exercise
and day (with the exercise's state before it, so a day can be folded again), the
current state per member and exercise, records, weekly pattern counts and milestones.

`ProgressionRepository` says what the handlers and queries read and write, in the
domain's plain values; `SqlProgressionRepository` does it with these tables.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol, cast

from pydantic import TypeAdapter
from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Uuid,
    bindparam,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from myokine import events as ev
from myokine.erasure import define_erased_members, record_erasure, was_erased
from myokine.inventory import Inventory
from myokine.messaging_tables import define_messaging_tables
from progression_service.domain.adherence import CountedWeek
from progression_service.domain.exercise import (
    ExerciseStanding,
    ExerciseState,
    ExposureOutcome,
    StoredExposure,
    StoredSet,
)
from progression_service.domain.milestones import (
    Milestone,
    MilestoneChanges,
    MilestoneFacts,
    Reached,
)
from progression_service.domain.plan import DatedPlan, ExercisePlan, KnownExercise
from progression_service.domain.progression import Decision
from progression_service.domain.records import PersonalRecord, RecordKind
from progression_service.domain.sets import LiftedSet
from progression_service.domain.targets import Target


class Base(DeclarativeBase):
    """The progression service's tables (`TABLES` adds its outbox, inbox, dead letters and
    Idempotency-Key replies)."""


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
    gym_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # none_as_null: no target is SQL NULL, not the JSON value null.
    target: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    """The target this exposure led to, with its rule (the history of decisions)."""


class ExerciseStateRow(Base):
    """A member's current state on one exercise (after every exposure so far)."""

    __tablename__ = "exercise_states"

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    exercise: Mapped[str] = mapped_column(String(100), primary_key=True)
    chain_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    pattern: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[dict[str, Any]] = mapped_column(JSONB)
    stalled: Mapped[bool] = mapped_column(default=False)
    gym_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    """The gym of the last exposure: its equipment makes the next target's loads."""


class GymInventory(Base):
    """A gym's equipment, as the gateway's `InventoryChanged` told it (the latest version)."""

    __tablename__ = "gym_inventories"

    gym_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    chain_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    version: Mapped[int] = mapped_column(Integer)
    inventory: Mapped[dict[str, Any]] = mapped_column(JSONB)


class CatalogExercise(Base):
    """A chain's own exercise, as program's catalog events told it (the latest version)."""

    __tablename__ = "catalog_exercises"

    chain_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    pattern: Mapped[str] = mapped_column(String(16))
    equipment: Mapped[str] = mapped_column(String(16))
    load_step_kg: Mapped[Decimal] = mapped_column(Numeric)
    version: Mapped[int] = mapped_column(Integer)


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


# --- the statements of every event, built once --------------------------------------------
# Each SetLogged runs these. Built on the tables (not the mapped classes) with bound
# parameters, they skip the ORM's bulk-write machinery and are not built again per event.

_streams, _members, _sets = (cast(Table, m.__table__) for m in (Stream, Member, LoggedSet))

# An INSERT takes its values from the parameters it runs with, named after the columns.
_LOCK_STREAM = (  # locks the row (creating it on first sight) until the transaction ends
    insert(_streams)
    .on_conflict_do_update(
        index_elements=["member_id", "producer"], set_={"last_seq": _streams.c.last_seq}
    )
    .returning(_streams.c.last_seq)
)
_SET_LAST_SEQ = (
    update(_streams)
    .where(
        _streams.c.member_id == bindparam("b_member_id"),
        _streams.c.producer == bindparam("b_producer"),
    )
    .values(last_seq=bindparam("b_seq"))
)
_touch = insert(_members)
_TOUCH_MEMBER = _touch.on_conflict_do_update(
    index_elements=["member_id"],
    set_={"gym_id": func.coalesce(_touch.excluded.gym_id, _members.c.gym_id)},
)
_SET_COLUMNS = (
    "chain_id",
    "member_id",
    "session_id",
    "gym_id",
    "exercise",
    "pattern",
    "local_date",
    "performed_at",
    "load_kg",
    "load_value",
    "unit",
    "reps",
    "rpe",
    "warmup",
)
_save = insert(_sets)
_SAVE_SET = _save.on_conflict_do_update(
    index_elements=["set_id"], set_={c: _save.excluded[c] for c in _SET_COLUMNS}
)

# --- the statements of a fold, built once -------------------------------------------------
# Each set folds its exercise's days again: these reads and writes run for every set, and
# building them anew each time (and their cache keys) was a fifth of the worker's CPU.
# Their values are bound parameters named after what they stand for.

_PLANS = (
    select(Assignment.start_date, PlannedExercise)
    .join(Assignment, Assignment.assignment_id == PlannedExercise.assignment_id)
    .where(Assignment.member_id == bindparam("member_id"))
    .order_by(Assignment.start_date, Assignment.seq)
)
_PLANS_OF_EXERCISE = _PLANS.where(PlannedExercise.exercise == bindparam("exercise"))
_SESSION_FINISHED = select(FinishedSession.session_id).where(
    FinishedSession.session_id == bindparam("session_id")
)
_SETS_FROM = (
    select(
        LoggedSet.local_date,
        LoggedSet.set_id,
        LoggedSet.load_kg,
        LoggedSet.reps,
        LoggedSet.rpe,
        LoggedSet.warmup,
        LoggedSet.gym_id,
        FinishedSession.session_id.is_not(None).label("finished"),
    )
    .outerjoin(FinishedSession, FinishedSession.session_id == LoggedSet.session_id)
    .where(
        LoggedSet.member_id == bindparam("member_id"),
        LoggedSet.exercise == bindparam("exercise"),
        LoggedSet.local_date >= bindparam("day"),
    )
    .order_by(LoggedSet.local_date, LoggedSet.performed_at, LoggedSet.set_id)
)
_PATTERN_DAYS = (
    select(LoggedSet.pattern, func.count(LoggedSet.local_date.distinct()))
    .where(
        LoggedSet.member_id == bindparam("member_id"),
        LoggedSet.local_date.between(bindparam("first"), bindparam("last")),
        LoggedSet.pattern.is_not(None),
        LoggedSet.warmup.is_(False),
        LoggedSet.reps > 0,
    )
    .group_by(LoggedSet.pattern)
)
_STANDING = (
    select(
        ExerciseStateRow.state,
        ExerciseStateRow.gym_id,
        ExerciseStateRow.pattern,
        ExerciseStateRow.stalled,
    )
    .where(
        ExerciseStateRow.member_id == bindparam("member_id"),
        ExerciseStateRow.exercise == bindparam("exercise"),
    )
    .with_for_update()
)
_EXPOSURES_FROM = (
    select(Exposure.local_date, Exposure.state_before, Exposure.decision)
    .where(
        Exposure.member_id == bindparam("member_id"),
        Exposure.exercise == bindparam("exercise"),
        Exposure.local_date >= bindparam("day"),
    )
    .order_by(Exposure.local_date)
)
# Every read of a member's targets (each kiosk read of today) runs these too.
_MEMBER_CHAIN = select(Member.chain_id).where(Member.member_id == bindparam("member_id"))
_STANDINGS = (
    select(
        ExerciseStateRow.exercise,
        ExerciseStateRow.state,
        ExerciseStateRow.gym_id,
        ExerciseStateRow.pattern,
    )
    .where(
        ExerciseStateRow.member_id == bindparam("member_id"),
        ExerciseStateRow.chain_id == bindparam("chain_id"),
    )
    .order_by(ExerciseStateRow.exercise)
)
_STANDINGS_OF = _STANDINGS.where(
    ExerciseStateRow.exercise.in_(bindparam("exercises", expanding=True))
)
_exposures, _records, _weeks = (cast(Table, m.__table__) for m in (Exposure, RecordRow, Week))
_EXPOSURE_COLUMNS = (
    *("chain_id", "finished", "state_before", "decision", "best_e1rm_kg", "working_sets"),
    *("gym_id", "target"),
)
_save_exposure = insert(_exposures)
_SAVE_EXPOSURES = _save_exposure.on_conflict_do_update(  # values: the parameters, per row
    index_elements=["member_id", "exercise", "local_date"],
    set_={c: _save_exposure.excluded[c] for c in _EXPOSURE_COLUMNS},
)
_RECORD_KEYS_FROM = select(RecordRow.kind, RecordRow.set_id).where(
    RecordRow.member_id == bindparam("member_id"),
    RecordRow.exercise == bindparam("exercise"),
    RecordRow.local_date >= bindparam("day"),
)
_DELETE_RECORDS_FROM = delete(_records).where(
    _records.c.member_id == bindparam("b_member_id"),
    _records.c.exercise == bindparam("b_exercise"),
    _records.c.local_date >= bindparam("b_day"),
)
_ADD_RECORDS = insert(_records)  # values: the parameters, per row
_INVENTORIES = select(GymInventory.gym_id, GymInventory.inventory).where(
    GymInventory.gym_id.in_(bindparam("gym_ids", expanding=True))
)
_WEEK_ON_PROTOCOL = select(Week.on_protocol).where(
    Week.member_id == bindparam("member_id"), Week.week_start == bindparam("monday")
)
_WEEK_DAYS = select(Week.days).where(
    Week.member_id == bindparam("member_id"), Week.week_start == bindparam("monday")
)
_save_week = insert(_weeks)
_SAVE_WEEK = _save_week.on_conflict_do_update(  # values: the parameters it runs with
    index_elements=["member_id", "week_start"],
    set_={c: _save_week.excluded[c] for c in ("chain_id", "days", "on_protocol")},
)


# --- state snapshots ----------------------------------------------------------------------

_STATE = TypeAdapter(ExerciseState)
_TARGET = TypeAdapter(Target)


def _dump_state(state: ExerciseState) -> dict[str, Any]:
    """An exercise state as JSON for a JSONB column."""
    dumped: dict[str, Any] = _STATE.dump_python(state, mode="json")
    return dumped


def _load_state(data: dict[str, Any] | None) -> ExerciseState:
    """An exercise state from its JSON (the zero state when there is none)."""
    return ExerciseState() if not data else _STATE.validate_python(data)


# --- the repository -----------------------------------------------------------------------


class ProgressionRepository(MilestoneFacts, Protocol):
    """What the progression service's handlers and queries read and write, as plain values.

    `SqlProgressionRepository` keeps it in PostgreSQL; the handler tests use one in memory.
    `last_seq`, `lock_member` and `exercise_standing` lock the row they read until the
    transaction ends, so a member's events apply one at a time. The reads that settling
    milestones needs are those of `MilestoneFacts`.
    """

    # --- a member's event streams

    def last_seq(self, member_id: uuid.UUID, producer: str) -> int:
        """The last applied number of a producer's events about a member (0 before the
        first), its row locked until the transaction ends."""
        ...

    def set_last_seq(self, member_id: uuid.UUID, producer: str, seq: int) -> None:
        """Record that a producer's event `seq` about a member was applied."""
        ...

    # --- members

    def touch_member(
        self, chain_id: uuid.UUID, member_id: uuid.UUID, gym_id: uuid.UUID | None = None
    ) -> None:
        """Create the member on first sight; remember the gym they last trained at."""
        ...

    def lock_member(
        self, chain_id: uuid.UUID, member_id: uuid.UUID, gym_id: uuid.UUID | None = None
    ) -> date | None:
        """`touch_member`, then lock the member's row; the day of their first session."""
        ...

    def set_first_session(self, member_id: uuid.UUID, day: date | None) -> None:
        """Store the day of the member's first session."""
        ...

    def member_chain(self, member_id: uuid.UUID) -> uuid.UUID | None:
        """The chain of a member progression knows (None for one it has not seen)."""
        ...

    def gym_members(self, chain_id: uuid.UUID, gym_id: uuid.UUID) -> list[uuid.UUID]:
        """The chain's members who last trained at a gym, by id."""
        ...

    # --- assignments and plans

    def add_assignment(self, assigned: ev.ProgramAssigned, plans: Sequence[ExercisePlan]) -> None:
        """Store an assignment and its plan, one per exercise."""
        ...

    def end_assignment(self, assignment_id: uuid.UUID) -> None:
        """Mark an assignment ended (nothing when it is unknown)."""
        ...

    def plans(self, member_id: uuid.UUID, exercise: str) -> list[DatedPlan]:
        """The member's plans of one exercise, oldest assignment first."""
        ...

    def plans_by_exercise(self, member_id: uuid.UUID) -> dict[str, list[DatedPlan]]:
        """The member's plans per exercise, oldest assignment first."""
        ...

    # --- sets and sessions

    def save_set(
        self,
        chain_id: uuid.UUID,
        member_id: uuid.UUID,
        logged: ev.LoggedSet,
        pattern: str | None,
    ) -> None:
        """Store a set as logging last described it, counting toward `pattern`."""
        ...

    def remove_set(self, set_id: uuid.UUID) -> None:
        """Forget a set (nothing when it is unknown)."""
        ...

    def add_finished_session(
        self, chain_id: uuid.UUID, member_id: uuid.UUID, session_id: uuid.UUID, day: date
    ) -> None:
        """Record that a session was finished (once)."""
        ...

    def session_finished(self, session_id: uuid.UUID) -> bool:
        """Whether a session was finished."""
        ...

    def session_exercise_days(self, session_id: uuid.UUID) -> list[tuple[str, date]]:
        """The distinct (exercise, day) of a session's sets."""
        ...

    def sets_from(self, member_id: uuid.UUID, exercise: str, day: date) -> list[StoredSet]:
        """A member's sets of an exercise on or after `day`, in the order they were lifted."""
        ...

    def first_days(self, member_id: uuid.UUID) -> dict[str, date]:
        """Per exercise the member ever lifted (in name order), the first day of its sets."""
        ...

    def training_days(self, member_id: uuid.UUID) -> set[date]:
        """The days the member has sets on."""
        ...

    def pattern_days(self, member_id: uuid.UUID, first: date, last: date) -> dict[str, int]:
        """Days with at least one working set per pattern between two dates (inclusive)."""
        ...

    # --- exposures, standings and records

    def exercise_standing(self, member_id: uuid.UUID, exercise: str) -> ExerciseStanding | None:
        """A member's standing on an exercise, locked for the update that follows."""
        ...

    def save_standing(
        self,
        chain_id: uuid.UUID,
        member_id: uuid.UUID,
        exercise: str,
        standing: ExerciseStanding,
    ) -> None:
        """Store a member's standing on an exercise."""
        ...

    def standings(
        self,
        member_id: uuid.UUID,
        chain_id: uuid.UUID,
        exercises: Collection[str] | None = None,
    ) -> dict[str, ExerciseStanding]:
        """A member's standings in the chain (on `exercises`, if given), by exercise name."""
        ...

    def stalled_exercises(self, member_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
        """Per member among `member_ids`, the exercises stalled now, by name."""
        ...

    def stall_dates(self, member_ids: Collection[uuid.UUID]) -> dict[tuple[uuid.UUID, str], date]:
        """For each exercise a member is stalled on, the day of the exposure that found it."""
        ...

    def trained_days(
        self, member_ids: Collection[uuid.UUID], since: date
    ) -> dict[uuid.UUID, set[date]]:
        """The days from `since` on that each member trained (an exposure of any exercise)."""
        ...

    def records_since(
        self, member_ids: Collection[uuid.UUID], since: date
    ) -> dict[uuid.UUID, list[tuple[str, str, date]]]:
        """Each member's records from `since` on: (exercise, kind, day), oldest first."""
        ...

    def trained_since(self, member_id: uuid.UUID, exercise: str, day: date) -> bool:
        """Whether the member has an exposure to the exercise on or after `day`."""
        ...

    def exposures_from(
        self, member_id: uuid.UUID, exercise: str, day: date
    ) -> list[StoredExposure]:
        """A member's exposures to an exercise on or after `day`, oldest first."""
        ...

    def save_exposures(
        self,
        chain_id: uuid.UUID,
        member_id: uuid.UUID,
        exercise: str,
        folded: Sequence[ExposureOutcome],
        gone: Collection[date],
    ) -> None:
        """Store the exposures a fold made, and forget those of the days in `gone`."""
        ...

    def e1rm_series(self, member_id: uuid.UUID) -> dict[str, list[tuple[date, Decimal]]]:
        """Per exercise, the best e1RM of each day that has one, oldest first."""
        ...

    def record_keys_from(
        self, member_id: uuid.UUID, exercise: str, day: date
    ) -> set[tuple[str, uuid.UUID]]:
        """The (kind, set id) of the records of an exercise set on or after `day`."""
        ...

    def replace_records(
        self,
        chain_id: uuid.UUID,
        member_id: uuid.UUID,
        exercise: str,
        day: date,
        records: Sequence[PersonalRecord],
    ) -> None:
        """Swap the records of an exercise set on or after `day` for `records`."""
        ...

    def records(self, member_id: uuid.UUID) -> dict[str, list[PersonalRecord]]:
        """Per exercise, the member's records in the order they were set."""
        ...

    def decisions(self, member_id: uuid.UUID) -> dict[str, list[tuple[date, Target]]]:
        """Per exercise, each evaluated exposure's day and the target it led to, oldest
        first: the history of decisions a trainer reads."""
        ...

    # --- reference data: gyms' equipment and chains' own exercises

    def save_inventory(self, changed: ev.InventoryChanged) -> None:
        """Keep a gym's equipment, unless a version at least as new is kept already."""
        ...

    def inventories(self, gym_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Inventory]:
        """The equipment of the gyms among `gym_ids` progression was told about."""
        ...

    def save_own_exercise(self, added: ev.ExerciseAdded) -> None:
        """Keep a chain's own exercise, unless a version at least as new is kept already."""
        ...

    def own_exercise(self, chain_id: uuid.UUID, slug: str) -> KnownExercise | None:
        """A chain's own exercise progression was told about (None for any other slug)."""
        ...

    # --- weeks and milestones

    def week_on_protocol(self, member_id: uuid.UUID, monday: date) -> bool | None:
        """Whether a member's counted week is on protocol (None when it is not counted)."""
        ...

    def save_week(self, chain_id: uuid.UUID, member_id: uuid.UUID, week: CountedWeek) -> None:
        """Store a member's counted week."""
        ...

    def week_days(self, member_id: uuid.UUID, monday: date) -> dict[str, int]:
        """A member's days per pattern in the week starting `monday` (empty if not counted)."""
        ...

    def weeks(self, member_id: uuid.UUID) -> list[CountedWeek]:
        """A member's counted weeks, oldest first."""
        ...

    def weeks_of(
        self, member_ids: Collection[uuid.UUID], monday: date
    ) -> dict[uuid.UUID, dict[str, int]]:
        """Per member among `member_ids` with the week counted, its days per pattern."""
        ...

    def milestones(self, member_id: uuid.UUID) -> dict[Milestone, Reached]:
        """A member's milestones, in the order they were reached."""
        ...

    def save_milestones(
        self, chain_id: uuid.UUID, member_id: uuid.UUID, changes: MilestoneChanges
    ) -> None:
        """Store what settling the member's milestones changed."""
        ...

    # --- erasure

    def erased(self, member_id: uuid.UUID) -> bool:
        """Whether the member was erased here."""
        ...

    def erase_member(self, member_id: uuid.UUID) -> int:
        """Delete every row of the member (streams, assignments and plans, sets, finished
        sessions, exposures, standings, records, weeks, milestones) and remember that they
        were erased; how many rows went. Lock their streams (`last_seq`) first."""
        ...


class SqlProgressionRepository(ProgressionRepository):
    """The progression repository on PostgreSQL, in one session (its unit of work's).

    Each method is one statement unless it says otherwise; the protocol documents them.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        # The standing rows as read (locked) in this transaction: saving one unchanged
        # writes nothing, as the ORM's change tracking did.
        self._standings_read: dict[tuple[uuid.UUID, str], dict[str, Any]] = {}

    # --- a member's event streams

    def last_seq(self, member_id: uuid.UUID, producer: str) -> int:
        seq = self.session.execute(
            _LOCK_STREAM, {"member_id": member_id, "producer": producer, "last_seq": 0}
        ).scalar_one()
        return int(seq)

    def set_last_seq(self, member_id: uuid.UUID, producer: str, seq: int) -> None:
        self.session.execute(
            _SET_LAST_SEQ, {"b_member_id": member_id, "b_producer": producer, "b_seq": seq}
        )

    # --- members

    def touch_member(
        self, chain_id: uuid.UUID, member_id: uuid.UUID, gym_id: uuid.UUID | None = None
    ) -> None:
        self.session.execute(
            _TOUCH_MEMBER, {"member_id": member_id, "chain_id": chain_id, "gym_id": gym_id}
        )

    def lock_member(
        self, chain_id: uuid.UUID, member_id: uuid.UUID, gym_id: uuid.UUID | None = None
    ) -> date | None:
        """Two statements: the upsert, then the read that locks the row."""
        self.touch_member(chain_id, member_id, gym_id)
        first: date | None = self.session.execute(
            select(Member.first_session).where(Member.member_id == member_id).with_for_update()
        ).scalar_one()
        return first

    def set_first_session(self, member_id: uuid.UUID, day: date | None) -> None:
        self.session.execute(
            update(Member).where(Member.member_id == member_id).values(first_session=day)
        )

    def member_chain(self, member_id: uuid.UUID) -> uuid.UUID | None:
        chain: uuid.UUID | None = self.session.execute(
            _MEMBER_CHAIN, {"member_id": member_id}
        ).scalar_one_or_none()
        return chain

    def gym_members(self, chain_id: uuid.UUID, gym_id: uuid.UUID) -> list[uuid.UUID]:
        return list(
            self.session.execute(
                select(Member.member_id)
                .where(Member.chain_id == chain_id, Member.gym_id == gym_id)
                .order_by(Member.member_id)
            ).scalars()
        )

    # --- assignments and plans

    def add_assignment(self, assigned: ev.ProgramAssigned, plans: Sequence[ExercisePlan]) -> None:
        """Store an assignment and its plan (two statements)."""
        self.session.add(
            Assignment(
                assignment_id=assigned.assignment_id,
                chain_id=assigned.chain_id,
                member_id=assigned.member_id,
                program_id=assigned.program_id,
                program_version=assigned.program_version,
                start_date=assigned.start_date,
                seq=assigned.seq,
            )
        )
        self.session.add_all(
            PlannedExercise(
                assignment_id=assigned.assignment_id,
                exercise=p.exercise,
                pattern=p.pattern,
                equipment=p.equipment,
                load_step_kg=p.load_step_kg,
                sets=p.sets,
                rep_min=p.rep_min,
                rep_max=p.rep_max,
                starting_load_kg=p.starting_load_kg,
            )
            for p in plans
        )
        self.session.flush()

    def end_assignment(self, assignment_id: uuid.UUID) -> None:
        self.session.execute(
            update(Assignment).where(Assignment.assignment_id == assignment_id).values(ended=True)
        )

    def plans(self, member_id: uuid.UUID, exercise: str) -> list[DatedPlan]:
        return self._plans(member_id, exercise).get(exercise, [])

    def plans_by_exercise(self, member_id: uuid.UUID) -> dict[str, list[DatedPlan]]:
        return self._plans(member_id, None)

    def _plans(self, member_id: uuid.UUID, exercise: str | None) -> dict[str, list[DatedPlan]]:
        rows = (
            self.session.execute(_PLANS, {"member_id": member_id})
            if exercise is None
            else self.session.execute(
                _PLANS_OF_EXERCISE, {"member_id": member_id, "exercise": exercise}
            )
        )
        plans: dict[str, list[DatedPlan]] = defaultdict(list)
        for start, row in rows:
            plans[row.exercise].append(DatedPlan(start, _plan(row)))
        return dict(plans)

    # --- sets and sessions

    def save_set(
        self,
        chain_id: uuid.UUID,
        member_id: uuid.UUID,
        logged: ev.LoggedSet,
        pattern: str | None,
    ) -> None:
        self.session.execute(
            _SAVE_SET,
            {
                "set_id": logged.set_id,
                "chain_id": chain_id,
                "member_id": member_id,
                "session_id": logged.session_id,
                "gym_id": logged.gym_id,
                "exercise": logged.exercise,
                "pattern": pattern,
                "local_date": logged.local_date,
                "performed_at": logged.performed_at,
                "load_kg": logged.load_kg,
                "load_value": logged.load_value,
                "unit": logged.unit,
                "reps": logged.reps,
                "rpe": logged.rpe,
                "warmup": logged.warmup,
            },
        )

    def remove_set(self, set_id: uuid.UUID) -> None:
        self.session.execute(delete(LoggedSet).where(LoggedSet.set_id == set_id))

    def add_finished_session(
        self, chain_id: uuid.UUID, member_id: uuid.UUID, session_id: uuid.UUID, day: date
    ) -> None:
        self.session.execute(
            insert(FinishedSession)
            .values(session_id=session_id, chain_id=chain_id, member_id=member_id, local_date=day)
            .on_conflict_do_nothing(index_elements=["session_id"])
        )

    def session_finished(self, session_id: uuid.UUID) -> bool:
        found = self.session.execute(_SESSION_FINISHED, {"session_id": session_id}).first()
        return found is not None

    def session_exercise_days(self, session_id: uuid.UUID) -> list[tuple[str, date]]:
        rows = self.session.execute(
            select(LoggedSet.exercise, LoggedSet.local_date)
            .where(LoggedSet.session_id == session_id)
            .distinct()
        )
        return [(exercise, day) for exercise, day in rows]

    def sets_from(self, member_id: uuid.UUID, exercise: str, day: date) -> list[StoredSet]:
        rows = self.session.execute(
            _SETS_FROM, {"member_id": member_id, "exercise": exercise, "day": day}
        )
        return [
            StoredSet(
                day=s.local_date,
                lifted=LiftedSet(s.set_id, s.load_kg, s.reps, s.rpe, s.warmup),
                gym_id=s.gym_id,
                finished=bool(s.finished),
            )
            for s in rows
        ]

    def first_days(self, member_id: uuid.UUID) -> dict[str, date]:
        rows = self.session.execute(
            select(LoggedSet.exercise, func.min(LoggedSet.local_date))
            .where(LoggedSet.member_id == member_id)
            .group_by(LoggedSet.exercise)
            .order_by(LoggedSet.exercise)
        )
        return {exercise: first for exercise, first in rows}

    def training_days(self, member_id: uuid.UUID) -> set[date]:
        return set(
            self.session.execute(
                select(LoggedSet.local_date).where(LoggedSet.member_id == member_id).distinct()
            ).scalars()
        )

    def pattern_days(self, member_id: uuid.UUID, first: date, last: date) -> dict[str, int]:
        rows = self.session.execute(
            _PATTERN_DAYS, {"member_id": member_id, "first": first, "last": last}
        ).all()
        return {str(pattern): int(count) for pattern, count in rows}

    # --- exposures, standings and records

    def exercise_standing(self, member_id: uuid.UUID, exercise: str) -> ExerciseStanding | None:
        row = self.session.execute(
            _STANDING, {"member_id": member_id, "exercise": exercise}
        ).one_or_none()
        if row is None:
            return None
        self._standings_read[(member_id, exercise)] = {
            "pattern": row.pattern,
            "gym_id": row.gym_id,
            "state": row.state,
            "stalled": row.stalled,
        }
        return _standing(row.state, row.gym_id, row.pattern)

    def save_standing(
        self,
        chain_id: uuid.UUID,
        member_id: uuid.UUID,
        exercise: str,
        standing: ExerciseStanding,
    ) -> None:
        """Upsert the row (nothing when it is as `exercise_standing` read it)."""
        values: dict[str, Any] = {
            "pattern": standing.pattern,
            "gym_id": standing.gym_id,
            "state": _dump_state(standing.state),
            "stalled": standing.state.progression.stalled,
        }
        if self._standings_read.get((member_id, exercise)) == values:
            return
        self._standings_read[(member_id, exercise)] = values
        # The chain is the one the member was first seen in; it is not written again.
        self.session.execute(
            insert(ExerciseStateRow)
            .values(member_id=member_id, exercise=exercise, chain_id=chain_id, **values)
            .on_conflict_do_update(index_elements=["member_id", "exercise"], set_=values)
        )

    def standings(
        self,
        member_id: uuid.UUID,
        chain_id: uuid.UUID,
        exercises: Collection[str] | None = None,
    ) -> dict[str, ExerciseStanding]:
        rows = (
            self.session.execute(_STANDINGS, {"member_id": member_id, "chain_id": chain_id})
            if exercises is None
            else self.session.execute(
                _STANDINGS_OF,
                {"member_id": member_id, "chain_id": chain_id, "exercises": list(exercises)},
            )
        )
        return {row.exercise: _standing(row.state, row.gym_id, row.pattern) for row in rows}

    def stalled_exercises(self, member_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
        stalled: dict[uuid.UUID, list[str]] = defaultdict(list)
        for member_id, exercise in self.session.execute(
            select(ExerciseStateRow.member_id, ExerciseStateRow.exercise)
            .where(
                ExerciseStateRow.member_id.in_(member_ids),
                ExerciseStateRow.stalled.is_(True),
            )
            .order_by(ExerciseStateRow.exercise)
        ):
            stalled[member_id].append(exercise)
        return dict(stalled)

    def stall_dates(self, member_ids: Collection[uuid.UUID]) -> dict[tuple[uuid.UUID, str], date]:
        if not member_ids:
            return {}
        rows = self.session.execute(
            select(Exposure.member_id, Exposure.exercise, func.max(Exposure.local_date))
            .join(
                ExerciseStateRow,
                (ExerciseStateRow.member_id == Exposure.member_id)
                & (ExerciseStateRow.exercise == Exposure.exercise),
            )
            .where(
                Exposure.member_id.in_(member_ids),
                Exposure.decision == Decision.STALL.value,
                ExerciseStateRow.stalled.is_(True),
            )
            .group_by(Exposure.member_id, Exposure.exercise)
        )
        return {(member, exercise): day for member, exercise, day in rows}

    def trained_days(
        self, member_ids: Collection[uuid.UUID], since: date
    ) -> dict[uuid.UUID, set[date]]:
        days: dict[uuid.UUID, set[date]] = defaultdict(set)
        if member_ids:
            for member, day in self.session.execute(
                select(Exposure.member_id, Exposure.local_date)
                .where(Exposure.member_id.in_(member_ids), Exposure.local_date >= since)
                .distinct()
            ):
                days[member].add(day)
        return dict(days)

    def records_since(
        self, member_ids: Collection[uuid.UUID], since: date
    ) -> dict[uuid.UUID, list[tuple[str, str, date]]]:
        found: dict[uuid.UUID, list[tuple[str, str, date]]] = defaultdict(list)
        if member_ids:
            for member, exercise, kind, day in self.session.execute(
                select(
                    RecordRow.member_id, RecordRow.exercise, RecordRow.kind, RecordRow.local_date
                )
                .where(RecordRow.member_id.in_(member_ids), RecordRow.local_date >= since)
                .order_by(RecordRow.local_date, RecordRow.id)
            ):
                found[member].append((exercise, kind, day))
        return dict(found)

    def trained_since(self, member_id: uuid.UUID, exercise: str, day: date) -> bool:
        found = self.session.execute(
            select(Exposure.local_date)
            .where(
                Exposure.member_id == member_id,
                Exposure.exercise == exercise,
                Exposure.local_date >= day,
            )
            .limit(1)
        ).first()
        return found is not None

    def exposures_from(
        self, member_id: uuid.UUID, exercise: str, day: date
    ) -> list[StoredExposure]:
        rows = self.session.execute(
            _EXPOSURES_FROM, {"member_id": member_id, "exercise": exercise, "day": day}
        )
        return [
            StoredExposure(
                day=row.local_date,
                state_before=_load_state(row.state_before),
                decision=Decision(row.decision) if row.decision else None,
            )
            for row in rows
        ]

    def save_exposures(
        self,
        chain_id: uuid.UUID,
        member_id: uuid.UUID,
        exercise: str,
        folded: Sequence[ExposureOutcome],
        gone: Collection[date],
    ) -> None:
        """Forget the days in `gone` (one statement, if any), upsert the exposures (one
        statement, run for each)."""
        if gone:
            self.session.execute(
                delete(Exposure).where(
                    Exposure.member_id == member_id,
                    Exposure.exercise == exercise,
                    Exposure.local_date.in_(gone),
                )
            )
        if not folded:
            return
        self.session.execute(
            _SAVE_EXPOSURES,
            [
                {
                    "member_id": member_id,
                    "exercise": exercise,
                    "local_date": outcome.day,
                    "chain_id": chain_id,
                    "finished": outcome.finished,
                    "state_before": _dump_state(outcome.state_before),
                    "decision": outcome.decision.value if outcome.decision else None,
                    "best_e1rm_kg": outcome.best_e1rm_kg,
                    "working_sets": outcome.working_sets,
                    "gym_id": outcome.gym_id,
                    "target": _TARGET.dump_python(outcome.target, mode="json")
                    if outcome.target
                    else None,
                }
                for outcome in folded
            ],
        )

    def e1rm_series(self, member_id: uuid.UUID) -> dict[str, list[tuple[date, Decimal]]]:
        series: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)
        for exercise, day, best in self.session.execute(
            select(Exposure.exercise, Exposure.local_date, Exposure.best_e1rm_kg)
            .where(Exposure.member_id == member_id, Exposure.best_e1rm_kg.is_not(None))
            .order_by(Exposure.local_date)
        ):
            if best is not None:
                series[exercise].append((day, best))
        return dict(series)

    def record_keys_from(
        self, member_id: uuid.UUID, exercise: str, day: date
    ) -> set[tuple[str, uuid.UUID]]:
        rows = self.session.execute(
            _RECORD_KEYS_FROM, {"member_id": member_id, "exercise": exercise, "day": day}
        )
        return {(kind, set_id) for kind, set_id in rows}

    def replace_records(
        self,
        chain_id: uuid.UUID,
        member_id: uuid.UUID,
        exercise: str,
        day: date,
        records: Sequence[PersonalRecord],
    ) -> None:
        """Delete the records from `day` on, insert `records` in order (two statements)."""
        self.session.execute(
            _DELETE_RECORDS_FROM, {"b_member_id": member_id, "b_exercise": exercise, "b_day": day}
        )
        if not records:
            return
        # In order, so that the ids (the progress view's order within a day) follow it.
        self.session.execute(
            _ADD_RECORDS,
            [
                {
                    "chain_id": chain_id,
                    "member_id": member_id,
                    "exercise": exercise,
                    "kind": r.kind.value,
                    "value": r.value,
                    "set_id": r.set_id,
                    "local_date": r.day,
                    "load_kg": r.load_kg,
                    "reps": r.reps,
                }
                for r in records
            ],
        )

    def records(self, member_id: uuid.UUID) -> dict[str, list[PersonalRecord]]:
        records: dict[str, list[PersonalRecord]] = defaultdict(list)
        for r in self.session.execute(
            select(RecordRow)
            .where(RecordRow.member_id == member_id)
            .order_by(RecordRow.local_date, RecordRow.id)
        ).scalars():
            records[r.exercise].append(
                PersonalRecord(
                    RecordKind(r.kind), r.value, r.set_id, r.local_date, r.load_kg, r.reps
                )
            )
        return dict(records)

    def decisions(self, member_id: uuid.UUID) -> dict[str, list[tuple[date, Target]]]:
        history: dict[str, list[tuple[date, Target]]] = defaultdict(list)
        for exercise, day, target in self.session.execute(
            select(Exposure.exercise, Exposure.local_date, Exposure.target)
            .where(Exposure.member_id == member_id, Exposure.target.is_not(None))
            .order_by(Exposure.local_date)
        ):
            history[exercise].append((day, _TARGET.validate_python(target)))
        return dict(history)

    # --- reference data

    def save_inventory(self, changed: ev.InventoryChanged) -> None:
        values = {
            "chain_id": changed.chain_id,
            "version": changed.version,
            "inventory": changed.inventory.model_dump(mode="json"),
        }
        upsert = insert(GymInventory).values(gym_id=changed.gym_id, **values)
        self.session.execute(
            upsert.on_conflict_do_update(
                index_elements=["gym_id"],
                set_=values,
                where=GymInventory.version < upsert.excluded.version,
            )
        )

    def inventories(self, gym_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Inventory]:
        if not gym_ids:
            return {}
        rows = self.session.execute(_INVENTORIES, {"gym_ids": list(gym_ids)})
        return {gym_id: Inventory.model_validate(body) for gym_id, body in rows}

    def save_own_exercise(self, added: ev.ExerciseAdded) -> None:
        values = {
            "pattern": added.pattern,
            "equipment": added.equipment,
            "load_step_kg": added.load_step_kg,
            "version": added.version,
        }
        upsert = insert(CatalogExercise).values(chain_id=added.chain_id, slug=added.slug, **values)
        self.session.execute(
            upsert.on_conflict_do_update(
                index_elements=["chain_id", "slug"],
                set_=values,
                where=CatalogExercise.version < upsert.excluded.version,
            )
        )

    def own_exercise(self, chain_id: uuid.UUID, slug: str) -> KnownExercise | None:
        row = self.session.execute(
            select(CatalogExercise).where(
                CatalogExercise.chain_id == chain_id, CatalogExercise.slug == slug
            )
        ).scalar_one_or_none()
        if row is None:
            return None
        return KnownExercise(row.slug, row.pattern, row.equipment, row.load_step_kg)

    # --- weeks

    def week_on_protocol(self, member_id: uuid.UUID, monday: date) -> bool | None:
        flag: bool | None = self.session.execute(
            _WEEK_ON_PROTOCOL, {"member_id": member_id, "monday": monday}
        ).scalar_one_or_none()
        return flag

    def save_week(self, chain_id: uuid.UUID, member_id: uuid.UUID, week: CountedWeek) -> None:
        self.session.execute(
            _SAVE_WEEK,
            {
                "member_id": member_id,
                "week_start": week.start,
                "chain_id": chain_id,
                "days": week.days,
                "on_protocol": week.on_protocol,
            },
        )

    def week_days(self, member_id: uuid.UUID, monday: date) -> dict[str, int]:
        days: dict[str, int] | None = self.session.execute(
            _WEEK_DAYS, {"member_id": member_id, "monday": monday}
        ).scalar_one_or_none()
        return dict(days) if days else {}

    def weeks(self, member_id: uuid.UUID) -> list[CountedWeek]:
        return [
            CountedWeek(w.week_start, dict(w.days), w.on_protocol)
            for w in self.session.execute(
                select(Week).where(Week.member_id == member_id).order_by(Week.week_start)
            ).scalars()
        ]

    def weeks_of(
        self, member_ids: Collection[uuid.UUID], monday: date
    ) -> dict[uuid.UUID, dict[str, int]]:
        rows = self.session.execute(
            select(Week.member_id, Week.days).where(
                Week.member_id.in_(member_ids), Week.week_start == monday
            )
        )
        return {member_id: dict(days) for member_id, days in rows}

    # --- milestones

    def protocol_weeks(self, member_id: uuid.UUID, since: date) -> list[date]:
        return list(
            self.session.execute(
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
        self, member_id: uuid.UUID, monday: date
    ) -> tuple[dict[date, set[str]], set[date]]:
        rows = self.session.execute(
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

    def first_finished_day(self, member_id: uuid.UUID, on_or_after: date = date.min) -> date | None:
        has_sets = select(LoggedSet.set_id).where(
            LoggedSet.session_id == FinishedSession.session_id
        )
        day: date | None = self.session.execute(
            select(func.min(FinishedSession.local_date)).where(
                FinishedSession.member_id == member_id,
                FinishedSession.local_date >= on_or_after,
                has_sets.exists(),
            )
        ).scalar_one()
        return day

    def best_e1rms(
        self, member_id: uuid.UUID, first: date, last: date
    ) -> dict[str, dict[str, Decimal]]:
        rows = self.session.execute(
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

    def milestones(self, member_id: uuid.UUID) -> dict[Milestone, Reached]:
        rows = self.session.execute(
            select(MilestoneRow.milestone, MilestoneRow.reached_on, MilestoneRow.detail)
            .where(MilestoneRow.member_id == member_id)
            .order_by(MilestoneRow.reached_on, MilestoneRow.created_at)
        )
        return {Milestone(row.milestone): Reached(row.reached_on, dict(row.detail)) for row in rows}

    def save_milestones(
        self, chain_id: uuid.UUID, member_id: uuid.UUID, changes: MilestoneChanges
    ) -> None:
        """Delete the lost (one statement, if any), update the moved (one each), insert the
        reached (one)."""
        if changes.lost:
            self.session.execute(
                delete(MilestoneRow).where(
                    MilestoneRow.member_id == member_id,
                    MilestoneRow.milestone.in_([m.value for m in changes.lost]),
                )
            )
        for milestone, reached in changes.moved.items():
            self.session.execute(
                update(MilestoneRow)
                .where(
                    MilestoneRow.member_id == member_id,
                    MilestoneRow.milestone == milestone.value,
                )
                .values(reached_on=reached.on, detail=reached.detail)
            )
        self.session.add_all(
            MilestoneRow(
                member_id=member_id,
                milestone=milestone.value,
                chain_id=chain_id,
                reached_on=reached.on,
                detail=reached.detail,
            )
            for milestone, reached in changes.reached.items()
        )

    # --- erasure

    def erased(self, member_id: uuid.UUID) -> bool:
        return was_erased(self.session, ERASED, member_id)

    def erase_member(self, member_id: uuid.UUID) -> int:
        """One delete per table (plans before their assignments), then the digest."""
        assignments = select(Assignment.assignment_id).where(Assignment.member_id == member_id)
        statements = [
            delete(PlannedExercise).where(PlannedExercise.assignment_id.in_(assignments)),
            *(
                delete(table).where(table.member_id == member_id)
                for table in (
                    Assignment,
                    LoggedSet,
                    FinishedSession,
                    Exposure,
                    ExerciseStateRow,
                    RecordRow,
                    Week,
                    MilestoneRow,
                    Stream,
                    Member,
                )
            ),
        ]
        deleted = 0
        for statement in statements:
            deleted += int(self.session.execute(statement).rowcount)  # type: ignore[attr-defined]
        record_erasure(self.session, ERASED, member_id)
        return deleted


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


def _standing(
    state: dict[str, Any], gym_id: uuid.UUID | None, pattern: str | None
) -> ExerciseStanding:
    return ExerciseStanding(_load_state(state), gym_id, pattern)


TABLES = define_messaging_tables(Base.metadata)
"""The outbox, inbox, dead letters and Idempotency-Key replies of this service."""

ERASED = define_erased_members(Base.metadata)
"""The digests of the members erased here (`myokine.erasure`)."""
