"""The program service's tables and the repository that holds all of its SQL.

`ProgramRepository` is what the handlers and queries ask of the database;
`SqlProgramRepository` answers it with SQL on the session of one unit of work, and the
handler tests answer it in memory (`tests/unit/fakes.py`). Both hand out the table rows
below, which the use cases read and change in place; the unit of work's commit writes
the changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    delete,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, insert
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from myokine.catalog import CatalogExercise, Equipment
from myokine.erasure import define_erased_members, record_erasure, was_erased
from myokine.messaging_tables import define_messaging_tables
from myokine.patterns import Pattern
from program_service.domain.plans import Plan, Slot, TrainingDay, VersionContent


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """The program service's tables (its outbox, inbox, dead letters and replies: `TABLES`)."""


class Chain(Base):
    """A chain this service has seen; its catalog and ready-made programs exist once it does."""

    __tablename__ = "chains"

    chain_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seeded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Exercise(Base):
    """An exercise of one chain's catalog; its slug never changes, the rest of a chain's own
    may (a new `version` each time)."""

    __tablename__ = "exercises"
    __table_args__ = (UniqueConstraint("chain_id", "slug", name="exercises_chain_slug"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    chain_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("chains.chain_id"))
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120))
    pattern: Mapped[str] = mapped_column(String(16))
    equipment: Mapped[str] = mapped_column(String(16))
    load_step_kg: Mapped[Decimal] = mapped_column(Numeric(8, 3))
    bodyweight: Mapped[bool] = mapped_column(Boolean)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped on every change, and sent with it, so consumers keep the newest copy.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    # Built-in exercises keep the shared catalog's order; a chain's own follow by age.
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    def change(
        self,
        *,
        name: str | None = None,
        pattern: Pattern | None = None,
        equipment: Equipment | None = None,
        load_step_kg: Decimal | None = None,
    ) -> bool:
        """Give the exercise the values given (None: as it is), as its next version.

        Whether anything changed: a change to what it already holds is no new version.
        """
        wanted = {
            "name": name,
            "pattern": None if pattern is None else str(pattern),
            "equipment": None if equipment is None else str(equipment),
            "load_step_kg": load_step_kg,
        }
        changed = {
            field: value
            for field, value in wanted.items()
            if value is not None and value != getattr(self, field)
        }
        for field, value in changed.items():
            setattr(self, field, value)
        if changed:
            self.version += 1
        return bool(changed)


class Program(Base):
    """A program of one chain; its content lives in its versions."""

    __tablename__ = "programs"
    __table_args__ = (Index("programs_chain", "chain_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    chain_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("chains.chain_id"))
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    ready_made: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ProgramVersion(Base):
    """One version of a program. A version that was ever assigned is never changed again."""

    __tablename__ = "program_versions"

    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    sessions_per_week: Mapped[int] = mapped_column(Integer)
    # [{"name", "exercises": [{"exercise", "pattern", "sets", "rep_min", "rep_max",
    # "rest_seconds", "notes"}]}]: a snapshot, read and written whole (`days_snapshot`).
    days: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    conforms: Mapped[bool] = mapped_column(Boolean)
    violations: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    exception_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    def to_plan(self) -> Plan:
        """The plan this version holds."""
        return Plan(
            name=self.name,
            sessions_per_week=self.sessions_per_week,
            days=tuple(
                TrainingDay(
                    name=day["name"],
                    slots=tuple(
                        Slot(
                            exercise=slot["exercise"],
                            pattern=Pattern(slot["pattern"]),
                            sets=slot["sets"],
                            rep_min=slot["rep_min"],
                            rep_max=slot["rep_max"],
                            rest_seconds=slot["rest_seconds"],
                            notes=slot["notes"],
                        )
                        for slot in day["exercises"]
                    ),
                )
                for day in self.days
            ),
        )

    def holds(self, content: VersionContent) -> bool:
        """Whether this version already holds `content` (an edit that would change nothing)."""
        return (self.name, self.sessions_per_week, self.days, self.exception_reason) == (
            content.plan.name,
            content.plan.sessions_per_week,
            days_snapshot(content.plan),
            content.exception_reason,
        )

    def set_content(self, content: VersionContent, *, created_by: str | None) -> None:
        """Make this version hold `content`, written by `created_by`."""
        self.name = content.plan.name
        self.sessions_per_week = content.plan.sessions_per_week
        self.days = days_snapshot(content.plan)
        self.conforms = not content.violations
        self.violations = content.violations
        self.exception_reason = content.exception_reason
        self.created_by = created_by


class Assignment(Base):
    """A program version assigned to a member; at most one per member is active (not ended)."""

    __tablename__ = "assignments"
    __table_args__ = (
        ForeignKeyConstraint(
            ["program_id", "program_version"],
            ["program_versions.program_id", "program_versions.version"],
        ),
        Index(
            "assignments_one_active",
            "member_id",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index("assignments_member", "member_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    chain_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("chains.chain_id"))
    member_id: Mapped[uuid.UUID]
    program_id: Mapped[uuid.UUID]
    program_version: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    weekdays: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    # {slug: kg as a decimal string}
    starting_loads: Mapped[dict[str, str]] = mapped_column(JSONB)
    assigned_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_by: Mapped[str | None] = mapped_column(String(64))
    # Where the member is in the rotation: the last day actually trained, from the latest
    # finished session (by the logging service's per-member sequence number).
    last_day_index: Mapped[int | None] = mapped_column(Integer)
    last_trained_on: Mapped[date | None] = mapped_column(Date)
    last_session_id: Mapped[uuid.UUID | None]
    last_session_seq: Mapped[int | None] = mapped_column(Integer)


class MemberSequence(Base):
    """The last sequence number this service gave an event about a member."""

    __tablename__ = "member_sequences"

    member_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)


# --- the statements of every read of today's plan, built once -----------------------------
# Every kiosk read of today runs these; built with bound parameters, they are not built
# again (nor their cache keys) on each read.

_CHAIN_CLAIMED = select(Chain.chain_id).where(Chain.chain_id == bindparam("chain_id"))
_CLAIM_CHAIN = (
    insert(Chain)
    .values(chain_id=bindparam("chain_id"), seeded_at=bindparam("seeded_at"))
    .on_conflict_do_nothing(index_elements=["chain_id"])
    .returning(Chain.chain_id)
)
_CATALOG = (
    select(Exercise)
    .where(Exercise.chain_id == bindparam("chain_id"))
    .order_by(Exercise.builtin.desc(), Exercise.position, Exercise.created_at)
)
# Every reader of one member's active assignment changes it, or what hangs on it, so it is
# always read locked (today's plan reads it with its version, `_ACTIVE_WITH_VERSION`).
_ACTIVE_ASSIGNMENT_LOCKED = (
    select(Assignment)
    .where(
        Assignment.chain_id == bindparam("chain_id"),
        Assignment.member_id == bindparam("member_id"),
        Assignment.ended_at.is_(None),
    )
    .with_for_update()
)

# Today's plan of a member reads their active assignment with its version in this one
# statement; a list of members (the trainer's pages) reads theirs the same way.
_ACTIVE_WITH_VERSION = (
    select(Assignment, ProgramVersion)
    .join(
        ProgramVersion,
        (ProgramVersion.program_id == Assignment.program_id)
        & (ProgramVersion.version == Assignment.program_version),
    )
    .where(
        Assignment.chain_id == bindparam("chain_id"),
        Assignment.member_id.in_(bindparam("member_ids", expanding=True)),
        Assignment.ended_at.is_(None),
    )
)


class ProgramRepository(Protocol):
    """What the program service's handlers and queries read and write."""

    def claim_chain(self, chain_id: uuid.UUID) -> bool:
        """Record the chain; True only for the one transaction that first did."""
        ...

    def add_catalog(self, chain_id: uuid.UUID, exercises: Sequence[CatalogExercise]) -> None:
        """Give the chain the built-in exercises, in this order."""
        ...

    def catalog(self, chain_id: uuid.UUID) -> list[Exercise]:
        """The chain's exercises: the built-in ones in catalog order, then the chain's own."""
        ...

    def exercises_by_slug(self, chain_id: uuid.UUID, slugs: set[str]) -> dict[str, Exercise]:
        """The chain's exercises with these slugs, by slug (missing ones are absent)."""
        ...

    def exercise_names(self, chain_id: uuid.UUID) -> dict[str, str]:
        """The name of every exercise of the chain's catalog, by slug."""
        ...

    def add_exercise(
        self,
        *,
        chain_id: uuid.UUID,
        slug: str,
        name: str,
        pattern: Pattern,
        equipment: Equipment,
        load_step_kg: Decimal,
        bodyweight: bool,
        created_by: str,
    ) -> Exercise | None:
        """Add a chain's own exercise; None when the slug is taken."""
        ...

    def find_exercise(
        self, chain_id: uuid.UUID, slug: str, *, for_update: bool = False
    ) -> Exercise | None:
        """One exercise of the chain's catalog (locked until the transaction ends, if
        `for_update`)."""
        ...

    def own_exercises(self) -> list[Exercise]:
        """Every chain's own exercises (not the built-in ones), by chain, oldest first."""
        ...

    def add_program(
        self,
        chain_id: uuid.UUID,
        content: VersionContent,
        *,
        ready_made: bool,
        created_by: str | None,
    ) -> tuple[Program, ProgramVersion]:
        """A new program of the chain, with `content` as its version 1."""
        ...

    def add_version(
        self, program_id: uuid.UUID, version: int, content: VersionContent, *, created_by: str
    ) -> ProgramVersion:
        """A new version of a program."""
        ...

    def find_program(
        self, chain_id: uuid.UUID, program_id: uuid.UUID, *, for_update: bool = False
    ) -> Program | None:
        """One program of the chain (locked until the transaction ends, if `for_update`)."""
        ...

    def find_version(self, program_id: uuid.UUID, version: int) -> ProgramVersion | None:
        """One version of a program."""
        ...

    def versions_of(self, program_id: uuid.UUID) -> list[ProgramVersion]:
        """Every version of a program, newest first."""
        ...

    def programs_with_current_version(
        self, chain_id: uuid.UUID
    ) -> list[tuple[Program, ProgramVersion]]:
        """The chain's programs, each with its current version, ready-made first, then by name."""
        ...

    def version_was_assigned(self, program_id: uuid.UUID, version: int) -> bool:
        """Whether any assignment, active or ended, refers to this version."""
        ...

    def next_member_seq(self, member_id: uuid.UUID) -> int:
        """The next sequence number of an event about the member."""
        ...

    def add_assignment(
        self,
        *,
        chain_id: uuid.UUID,
        member_id: uuid.UUID,
        program_id: uuid.UUID,
        program_version: int,
        start_date: date,
        weekdays: list[int],
        starting_loads: dict[str, Decimal],
        assigned_by: str,
    ) -> Assignment:
        """A new active assignment (the member's previous one must have ended)."""
        ...

    def end_assignment(self, assignment: Assignment, *, ended_at: datetime, ended_by: str) -> None:
        """End an assignment, so that another may become the member's active one."""
        ...

    def active_assignment(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> Assignment | None:
        """The member's active assignment within the chain, locked until the transaction
        ends."""
        ...

    def find_assignment(
        self, assignment_id: uuid.UUID, *, for_update: bool = False
    ) -> Assignment | None:
        """One assignment by id."""
        ...

    def assignment_history(
        self, chain_id: uuid.UUID, member_id: uuid.UUID
    ) -> list[tuple[Assignment, ProgramVersion]]:
        """The member's assignments with the version each refers to, newest first."""
        ...

    def active_assignments(
        self, chain_id: uuid.UUID, member_ids: list[uuid.UUID]
    ) -> list[tuple[Assignment, ProgramVersion]]:
        """The active assignments of these members (those without one are absent)."""
        ...

    def erased(self, member_id: uuid.UUID) -> bool:
        """Whether the member was erased here."""
        ...

    def erase_member(self, member_id: uuid.UUID) -> int:
        """Delete the member's assignments and sequence, and remember that they were erased;
        how many rows went. The member's sequence row is locked first, as every write of
        theirs locks it (`next_member_seq`), so a write in progress finishes before."""
        ...


class SqlProgramRepository(ProgramRepository):
    """The program service's rows in its PostgreSQL database, within one session.

    Each method does what `ProgramRepository` says of it. The session flushes pending
    changes before each query, so a query sees what the transaction changed before it.
    """

    def __init__(self, session: Session) -> None:
        self.session = session

    def claim_chain(self, chain_id: uuid.UUID) -> bool:
        """Record the chain; True only for the one transaction that first did.

        A concurrent first call waits on the row lock and then sees it taken, so a chain
        is seeded exactly once. Every read of the chain asks: a chain seeded before is
        found by a read, which costs PostgreSQL less than an insert that conflicts.
        """
        if self.session.execute(_CHAIN_CLAIMED, {"chain_id": chain_id}).first() is not None:
            return False
        result = self.session.execute(_CLAIM_CHAIN, {"chain_id": chain_id, "seeded_at": _now()})
        return result.first() is not None

    def add_catalog(self, chain_id: uuid.UUID, exercises: Sequence[CatalogExercise]) -> None:
        now = _now()
        self.session.add_all(
            Exercise(
                chain_id=chain_id,
                slug=item.slug,
                name=item.name,
                pattern=str(item.pattern),
                equipment=str(item.equipment),
                load_step_kg=item.load_step_kg,
                bodyweight=item.bodyweight,
                builtin=True,
                position=position,
                created_at=now,
            )
            for position, item in enumerate(exercises)
        )

    def catalog(self, chain_id: uuid.UUID) -> list[Exercise]:
        return list(self.session.scalars(_CATALOG, {"chain_id": chain_id}))

    def exercises_by_slug(self, chain_id: uuid.UUID, slugs: set[str]) -> dict[str, Exercise]:
        rows = self.session.scalars(
            select(Exercise).where(Exercise.chain_id == chain_id, Exercise.slug.in_(slugs))
        )
        return {row.slug: row for row in rows}

    def exercise_names(self, chain_id: uuid.UUID) -> dict[str, str]:
        rows = self.session.execute(
            select(Exercise.slug, Exercise.name).where(Exercise.chain_id == chain_id)
        )
        return {slug: name for slug, name in rows}

    def add_exercise(
        self,
        *,
        chain_id: uuid.UUID,
        slug: str,
        name: str,
        pattern: Pattern,
        equipment: Equipment,
        load_step_kg: Decimal,
        bodyweight: bool,
        created_by: str,
    ) -> Exercise | None:
        """Add a chain's own exercise; None when the slug is taken (also by a concurrent add)."""
        return self.session.scalars(
            insert(Exercise)
            .values(
                chain_id=chain_id,
                slug=slug,
                name=name,
                pattern=str(pattern),
                equipment=str(equipment),
                load_step_kg=load_step_kg,
                bodyweight=bodyweight,
                builtin=False,
                created_by=created_by,
            )
            .on_conflict_do_nothing(constraint="exercises_chain_slug")
            .returning(Exercise)
        ).first()

    def find_exercise(
        self, chain_id: uuid.UUID, slug: str, *, for_update: bool = False
    ) -> Exercise | None:
        query = select(Exercise).where(Exercise.chain_id == chain_id, Exercise.slug == slug)
        if for_update:
            query = query.with_for_update()
        return self.session.scalars(query).first()

    def own_exercises(self) -> list[Exercise]:
        return list(
            self.session.scalars(
                select(Exercise)
                .where(Exercise.builtin.is_(False))
                .order_by(Exercise.chain_id, Exercise.created_at, Exercise.slug)
            )
        )

    def add_program(
        self,
        chain_id: uuid.UUID,
        content: VersionContent,
        *,
        ready_made: bool,
        created_by: str | None,
    ) -> tuple[Program, ProgramVersion]:
        program = Program(chain_id=chain_id, current_version=1, ready_made=ready_made)
        self.session.add(program)
        # Flushed for its id (and its timestamps, which the answer shows).
        self.session.flush()
        version = ProgramVersion(program_id=program.id, version=1)
        version.set_content(content, created_by=created_by)
        self.session.add(version)
        return program, version

    def add_version(
        self, program_id: uuid.UUID, version: int, content: VersionContent, *, created_by: str
    ) -> ProgramVersion:
        row = ProgramVersion(program_id=program_id, version=version)
        row.set_content(content, created_by=created_by)
        self.session.add(row)
        return row

    def find_program(
        self, chain_id: uuid.UUID, program_id: uuid.UUID, *, for_update: bool = False
    ) -> Program | None:
        query = select(Program).where(Program.id == program_id, Program.chain_id == chain_id)
        if for_update:
            query = query.with_for_update()
        return self.session.scalars(query).first()

    def find_version(self, program_id: uuid.UUID, version: int) -> ProgramVersion | None:
        return self.session.get(ProgramVersion, (program_id, version))

    def versions_of(self, program_id: uuid.UUID) -> list[ProgramVersion]:
        return list(
            self.session.scalars(
                select(ProgramVersion)
                .where(ProgramVersion.program_id == program_id)
                .order_by(ProgramVersion.version.desc())
            )
        )

    def programs_with_current_version(
        self, chain_id: uuid.UUID
    ) -> list[tuple[Program, ProgramVersion]]:
        rows = self.session.execute(
            select(Program, ProgramVersion)
            .join(
                ProgramVersion,
                (ProgramVersion.program_id == Program.id)
                & (ProgramVersion.version == Program.current_version),
            )
            .where(Program.chain_id == chain_id)
            .order_by(Program.ready_made.desc(), ProgramVersion.name, Program.created_at)
        )
        return [(program, version) for program, version in rows]

    def version_was_assigned(self, program_id: uuid.UUID, version: int) -> bool:
        query = select(Assignment.id).where(
            Assignment.program_id == program_id, Assignment.program_version == version
        )
        return self.session.scalars(query.limit(1)).first() is not None

    def next_member_seq(self, member_id: uuid.UUID) -> int:
        """The next sequence number of an event about the member.

        The upsert locks the member's row until the transaction ends, which also
        serializes concurrent changes to one member's assignments.
        """
        result = self.session.execute(
            insert(MemberSequence)
            .values(member_id=member_id, last_seq=1)
            .on_conflict_do_update(
                index_elements=["member_id"], set_={"last_seq": MemberSequence.last_seq + 1}
            )
            .returning(MemberSequence.last_seq)
        )
        return int(result.scalar_one())

    def add_assignment(
        self,
        *,
        chain_id: uuid.UUID,
        member_id: uuid.UUID,
        program_id: uuid.UUID,
        program_version: int,
        start_date: date,
        weekdays: list[int],
        starting_loads: dict[str, Decimal],
        assigned_by: str,
    ) -> Assignment:
        assignment = Assignment(
            chain_id=chain_id,
            member_id=member_id,
            program_id=program_id,
            program_version=program_version,
            start_date=start_date,
            weekdays=weekdays,
            starting_loads={slug: str(kg) for slug, kg in starting_loads.items()},
            assigned_by=assigned_by,
        )
        self.session.add(assignment)
        # Flushed for its id and creation time, which its event and the answer carry.
        self.session.flush()
        return assignment

    def end_assignment(self, assignment: Assignment, *, ended_at: datetime, ended_by: str) -> None:
        assignment.ended_at = ended_at
        assignment.ended_by = ended_by
        # Flushed now so a new active assignment does not collide with it in the unique index.
        self.session.flush()

    def active_assignment(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> Assignment | None:
        return self.session.scalars(
            _ACTIVE_ASSIGNMENT_LOCKED, {"chain_id": chain_id, "member_id": member_id}
        ).first()

    def find_assignment(
        self, assignment_id: uuid.UUID, *, for_update: bool = False
    ) -> Assignment | None:
        query = select(Assignment).where(Assignment.id == assignment_id)
        if for_update:
            query = query.with_for_update()
        return self.session.scalars(query).first()

    def assignment_history(
        self, chain_id: uuid.UUID, member_id: uuid.UUID
    ) -> list[tuple[Assignment, ProgramVersion]]:
        rows = self.session.execute(
            select(Assignment, ProgramVersion)
            .join(
                ProgramVersion,
                (ProgramVersion.program_id == Assignment.program_id)
                & (ProgramVersion.version == Assignment.program_version),
            )
            .where(Assignment.chain_id == chain_id, Assignment.member_id == member_id)
            .order_by(Assignment.created_at.desc())
        )
        return [(assignment, version) for assignment, version in rows]

    def active_assignments(
        self, chain_id: uuid.UUID, member_ids: list[uuid.UUID]
    ) -> list[tuple[Assignment, ProgramVersion]]:
        if not member_ids:
            return []
        rows = self.session.execute(
            _ACTIVE_WITH_VERSION, {"chain_id": chain_id, "member_ids": member_ids}
        )
        return [(assignment, version) for assignment, version in rows]

    def erased(self, member_id: uuid.UUID) -> bool:
        return was_erased(self.session, ERASED, member_id)

    def erase_member(self, member_id: uuid.UUID) -> int:
        """Four statements: the lock, two deletes, the digest."""
        self.session.execute(
            insert(MemberSequence)
            .values(member_id=member_id, last_seq=0)
            .on_conflict_do_update(
                index_elements=["member_id"], set_={"last_seq": MemberSequence.last_seq}
            )
        )
        deleted = 0
        for statement in (
            delete(Assignment).where(Assignment.member_id == member_id),
            delete(MemberSequence).where(MemberSequence.member_id == member_id),
        ):
            deleted += int(self.session.execute(statement).rowcount)  # type: ignore[attr-defined]
        record_erasure(self.session, ERASED, member_id)
        return deleted


def days_snapshot(plan: Plan) -> list[dict[str, Any]]:
    """A plan's days as a version stores them (the pattern is kept with each exercise)."""
    return [
        {
            "name": day.name,
            "exercises": [
                {
                    "exercise": slot.exercise,
                    "pattern": str(slot.pattern),
                    "sets": slot.sets,
                    "rep_min": slot.rep_min,
                    "rep_max": slot.rep_max,
                    "rest_seconds": slot.rest_seconds,
                    "notes": slot.notes,
                }
                for slot in day.slots
            ],
        }
        for day in plan.days
    ]


TABLES = define_messaging_tables(Base.metadata)
"""The outbox, inbox, dead letters and Idempotency-Key replies of this service."""

ERASED = define_erased_members(Base.metadata)
"""The digests of the members erased here (`myokine.erasure`)."""
