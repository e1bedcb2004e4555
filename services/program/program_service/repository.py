"""The program service's tables and queries, on its own database."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

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
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, insert
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from myokine.messaging_tables import define_messaging_tables
from myokine.patterns import Pattern
from program_service.domain.plans import Plan, Slot, TrainingDay


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """The program service's tables (its outbox, inbox and dead letters are added by main)."""


class Chain(Base):
    """A chain this service has seen; its catalog and ready-made programs exist once it does."""

    __tablename__ = "chains"

    chain_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seeded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Exercise(Base):
    """An exercise of one chain's catalog; its slug never changes."""

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
    # Built-in exercises keep the shared catalog's order; a chain's own follow by age.
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


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
    # [{"name", "exercises": [{"exercise", "sets", "rep_min", "rep_max", "rest_seconds",
    # "notes"}]}]: a snapshot, read and written whole.
    days: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    conforms: Mapped[bool] = mapped_column(Boolean)
    violations: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    exception_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


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


class IdempotencyRecord(Base):
    """A write's Idempotency-Key, what it asked, and the answer it got."""

    __tablename__ = "idempotency_keys"

    chain_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


# --- queries ---------------------------------------------------------------------------


def claim_chain(session: Session, chain_id: uuid.UUID) -> bool:
    """Record the chain; True only for the one transaction that first did.

    A concurrent first call waits on the row lock and then sees it taken, so a chain is
    seeded exactly once.
    """
    result = session.execute(
        insert(Chain)
        .values(chain_id=chain_id, seeded_at=_now())
        .on_conflict_do_nothing(index_elements=["chain_id"])
        .returning(Chain.chain_id)
    )
    return result.first() is not None


def next_member_seq(session: Session, member_id: uuid.UUID) -> int:
    """The next sequence number of an event about `member_id`.

    The upsert locks the member's row until the transaction ends, which also serializes
    concurrent changes to one member's assignments.
    """
    result = session.execute(
        insert(MemberSequence)
        .values(member_id=member_id, last_seq=1)
        .on_conflict_do_update(
            index_elements=["member_id"], set_={"last_seq": MemberSequence.last_seq + 1}
        )
        .returning(MemberSequence.last_seq)
    )
    return int(result.scalar_one())


def catalog(session: Session, chain_id: uuid.UUID) -> list[Exercise]:
    """The chain's exercises: the built-in ones in catalog order, then the chain's own by name."""
    return list(
        session.scalars(
            select(Exercise)
            .where(Exercise.chain_id == chain_id)
            .order_by(Exercise.builtin.desc(), Exercise.position, Exercise.created_at)
        )
    )


def exercises_by_slug(
    session: Session, chain_id: uuid.UUID, slugs: set[str]
) -> dict[str, Exercise]:
    """The chain's exercises with these slugs, by slug (missing ones are absent)."""
    rows = session.scalars(
        select(Exercise).where(Exercise.chain_id == chain_id, Exercise.slug.in_(slugs))
    )
    return {row.slug: row for row in rows}


def insert_exercise(
    session: Session,
    *,
    chain_id: uuid.UUID,
    slug: str,
    name: str,
    pattern: str,
    equipment: str,
    load_step_kg: Decimal,
    bodyweight: bool,
    created_by: str,
) -> Exercise | None:
    """Add a chain's own exercise; None when the slug is taken (also by a concurrent add)."""
    return session.scalars(
        insert(Exercise)
        .values(
            chain_id=chain_id,
            slug=slug,
            name=name,
            pattern=pattern,
            equipment=equipment,
            load_step_kg=load_step_kg,
            bodyweight=bodyweight,
            builtin=False,
            created_by=created_by,
        )
        .on_conflict_do_nothing(constraint="exercises_chain_slug")
        .returning(Exercise)
    ).first()


def exercise_names(session: Session, chain_id: uuid.UUID) -> dict[str, str]:
    """The name of every exercise of the chain's catalog, by slug."""
    rows = session.execute(
        select(Exercise.slug, Exercise.name).where(Exercise.chain_id == chain_id)
    )
    return {slug: name for slug, name in rows}


def find_program(
    session: Session, chain_id: uuid.UUID, program_id: uuid.UUID, *, for_update: bool = False
) -> Program | None:
    """One program of the chain."""
    query = select(Program).where(Program.id == program_id, Program.chain_id == chain_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def find_version(session: Session, program_id: uuid.UUID, version: int) -> ProgramVersion | None:
    """One version of a program."""
    return session.get(ProgramVersion, (program_id, version))


def versions_of(session: Session, program_id: uuid.UUID) -> list[ProgramVersion]:
    """Every version of a program, newest first."""
    return list(
        session.scalars(
            select(ProgramVersion)
            .where(ProgramVersion.program_id == program_id)
            .order_by(ProgramVersion.version.desc())
        )
    )


def programs_with_current_version(
    session: Session, chain_id: uuid.UUID
) -> list[tuple[Program, ProgramVersion]]:
    """The chain's programs, each with its current version, ready-made first, then by name."""
    rows = session.execute(
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


def version_was_assigned(session: Session, program_id: uuid.UUID, version: int) -> bool:
    """Whether any assignment, active or ended, refers to this version."""
    query = select(Assignment.id).where(
        Assignment.program_id == program_id, Assignment.program_version == version
    )
    return session.scalars(query.limit(1)).first() is not None


def active_assignment(
    session: Session, chain_id: uuid.UUID | None, member_id: uuid.UUID, *, for_update: bool = False
) -> Assignment | None:
    """The member's active assignment (within the chain, when one is given)."""
    query = select(Assignment).where(
        Assignment.member_id == member_id, Assignment.ended_at.is_(None)
    )
    if chain_id is not None:
        query = query.where(Assignment.chain_id == chain_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def find_assignment(
    session: Session, assignment_id: uuid.UUID, *, for_update: bool = False
) -> Assignment | None:
    """One assignment by id."""
    query = select(Assignment).where(Assignment.id == assignment_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def assignment_history(
    session: Session, chain_id: uuid.UUID, member_id: uuid.UUID
) -> list[tuple[Assignment, ProgramVersion]]:
    """The member's assignments with the version each refers to, newest first."""
    rows = session.execute(
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


# --- a program version's days, as stored ------------------------------------------------


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


def plan_of(version: ProgramVersion) -> Plan:
    """The plan a stored version holds."""
    return Plan(
        name=version.name,
        sessions_per_week=version.sessions_per_week,
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
            for day in version.days
        ),
    )


TABLES = define_messaging_tables(Base.metadata)
"""The outbox, inbox, dead letters and Idempotency-Key replies of this service."""
