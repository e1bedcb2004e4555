"""The logging service's tables, and the repository that holds all its SQL."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    Uuid,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from logging_service.domain.pagination import Cursor, PageRequest
from myokine.erasure import define_erased_members, record_erasure, was_erased
from myokine.messaging_tables import define_messaging_tables

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The logging service's tables (`TABLES` adds the outbox, inbox, dead letters, replies)."""

    metadata = MetaData(naming_convention=NAMING)


class WorkoutSession(Base):
    """One visit's workout: opened by the first set, finished at the kiosk or when idle."""

    __tablename__ = "sessions"
    __table_args__ = (
        # At most one open session per member: the set that opens one serializes on it.
        Index(
            "uq_sessions_open_member",
            "member_id",
            unique=True,
            postgresql_where=text("finished_at IS NULL"),
        ),
        Index("ix_sessions_member_opened", "member_id", "opened_at", "id"),
        Index("ix_sessions_idle", "last_set_at", postgresql_where=text("finished_at IS NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    chain_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    gym_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kiosk_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    program_day: Mapped[str | None] = mapped_column(String(64))
    local_date: Mapped[date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_automatically: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )


class LoggedSetRow(Base):
    """One logged set; a void keeps the row and marks it."""

    __tablename__ = "sets"
    __table_args__ = (
        CheckConstraint("reps BETWEEN 0 AND 100", name="reps_range"),
        CheckConstraint("load_kg BETWEEN -200 AND 1000", name="load_range"),
        CheckConstraint("unit IN ('kg', 'lb')", name="unit_known"),
        CheckConstraint("rpe IS NULL OR rpe BETWEEN 1 AND 10", name="rpe_range"),
        Index("ix_sets_member_performed", "member_id", "performed_at", "id"),
        Index("ix_sets_member_local_date", "member_id", "local_date"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    chain_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sessions.id"), index=True)
    gym_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kiosk_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    exercise: Mapped[str] = mapped_column(String(64))
    load_value: Mapped[Decimal] = mapped_column(Numeric)
    """The load as entered, in `unit`."""
    unit: Mapped[str] = mapped_column(String(2))
    load_kg: Mapped[Decimal] = mapped_column(Numeric)
    """The exact load in kg (NUMERIC without scale: no rounding of pounds)."""
    reps: Mapped[int] = mapped_column(Integer)
    rpe: Mapped[Decimal | None] = mapped_column(Numeric(3, 1))
    warmup: Mapped[bool] = mapped_column(Boolean)
    performed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    local_date: Mapped[date] = mapped_column(Date)
    set_number: Mapped[int] = mapped_column(Integer)
    logged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    logged_by: Mapped[str] = mapped_column(String(128))
    corrected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SetChange(Base):
    """The audit trail: who changed which set when, and what it was before and after."""

    __tablename__ = "set_changes"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    set_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sets.id"), index=True)
    chain_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    action: Mapped[str] = mapped_column(String(16))
    """`corrected` or `voided`."""
    changed_by: Mapped[str] = mapped_column(String(128))
    changed_by_role: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    before: Mapped[dict[str, Any]] = mapped_column(JSONB)
    after: Mapped[dict[str, Any]] = mapped_column(JSONB)
    reason: Mapped[str | None] = mapped_column(Text)


class MemberSequence(Base):
    """The last event sequence number handed out per member; its row lock orders writes."""

    __tablename__ = "member_sequences"

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    chain_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    last_seq: Mapped[int] = mapped_column(BigInteger)


class CatalogExercise(Base):
    """An exercise a chain added to its catalog, at the newest version program told of
    (`ExerciseAdded`, `ExerciseChanged`).

    The default catalog (`myokine.catalog`) is every chain's; this holds the rest.
    """

    __tablename__ = "catalog_exercises"

    chain_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    equipment: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))


TABLES = define_messaging_tables(Base.metadata)
"""The outbox, inbox, dead letters and Idempotency-Key replies of this service."""

ERASED = define_erased_members(Base.metadata)
"""The digests of the members erased here (`myokine.erasure`)."""

# --- the statements of every set, built once ----------------------------------------------
# Built on the tables (not the mapped classes) with bound parameters, they skip the ORM's
# bulk-write machinery and are not built again for each set.

_sequences, _sets = (cast(Table, m.__table__) for m in (MemberSequence, LoggedSetRow))
_LOCK_MEMBER = insert(_sequences).on_conflict_do_update(  # values: the parameters it runs with
    index_elements=["member_id"], set_={"last_seq": _sequences.c.last_seq}
)
_NEXT_SEQ = (
    update(_sequences)
    .where(_sequences.c.member_id == bindparam("b_member_id"))
    .values(last_seq=_sequences.c.last_seq + 1)
    .returning(_sequences.c.last_seq)
)
_HIGHEST_SET_NUMBER = select(func.max(_sets.c.set_number)).where(
    _sets.c.session_id == bindparam("session_id"), _sets.c.exercise == bindparam("exercise")
)


class LoggingRepository(Protocol):
    """What the logging service's handlers and queries read and write.

    `SqlLoggingRepository` is the one on PostgreSQL; the handler tests use an in-memory
    one. Rows come back as the models above; a handler changes them in place and the
    unit of work's commit writes the change.
    """

    def chain_equipment(self, chain_id: uuid.UUID, slug: str) -> str | None:
        """The equipment of an exercise the chain added, or None when it added none so named."""
        ...

    def keep_chain_exercise(
        self, chain_id: uuid.UUID, slug: str, equipment: str, version: int
    ) -> None:
        """Keep an exercise the chain added at `version`, unless the copy kept already is
        of that version or a later one (then nothing changes)."""
        ...

    def lock_member(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> None:
        """Lock the member's sequence row (creating it) until the transaction ends."""
        ...

    def next_seq(self, member_id: uuid.UUID) -> int:
        """The member's next event sequence number (call `lock_member` first)."""
        ...

    def open_session(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> WorkoutSession | None:
        """The member's open session, if any."""
        ...

    def get_session(
        self, session_id: uuid.UUID, *, for_update: bool = False
    ) -> WorkoutSession | None:
        """A session by id, or None."""
        ...

    def add_session(self, ws: WorkoutSession) -> None:
        """Store a new session."""
        ...

    def add_set(self, row: LoggedSetRow) -> None:
        """Store a new set."""
        ...

    def add_change(self, change: SetChange) -> None:
        """Store an entry of a set's audit trail."""
        ...

    def next_set_number(self, session_id: uuid.UUID, exercise: str) -> int:
        """The number of the next set of `exercise` in a session (voided sets keep theirs)."""
        ...

    def count_sets(self, session_id: uuid.UUID) -> int:
        """How many sets of a session count (voided ones do not)."""
        ...

    def get_set(
        self,
        chain_id: uuid.UUID,
        member_id: uuid.UUID,
        set_id: uuid.UUID,
        *,
        for_update: bool = False,
    ) -> LoggedSetRow | None:
        """One set of a member, or None."""
        ...

    def sets_of_day(
        self, chain_id: uuid.UUID, member_id: uuid.UUID, day: date
    ) -> Sequence[LoggedSetRow]:
        """The member's sets of a local day that count, oldest first."""
        ...

    def changes_of_set(self, set_id: uuid.UUID) -> Sequence[SetChange]:
        """A set's audit trail, oldest first."""
        ...

    def changes_of_sets(self, set_ids: Sequence[uuid.UUID]) -> Sequence[SetChange]:
        """The audit trails of several sets in one read, oldest first."""
        ...

    def idle_sessions(self, last_set_by: datetime, *, limit: int) -> Sequence[WorkoutSession]:
        """Open sessions whose last set was at or before `last_set_by`, oldest first."""
        ...

    def page_of_sets(
        self,
        chain_id: uuid.UUID,
        member_id: uuid.UUID,
        page: PageRequest,
        *,
        include_voided: bool,
    ) -> Sequence[LoggedSetRow]:
        """One page of a member's sets, newest first (`limit` + 1 rows tell if more follow)."""
        ...

    def page_of_sessions(
        self,
        chain_id: uuid.UUID,
        member_id: uuid.UUID,
        page: PageRequest,
    ) -> Sequence[WorkoutSession]:
        """One page of a member's sessions, newest first (`limit` + 1 rows tell if more follow).

        With `exercise`, only sessions with a counting set of it.
        """
        ...

    def sets_of_sessions(self, session_ids: Sequence[uuid.UUID]) -> Sequence[LoggedSetRow]:
        """The counting sets of some sessions, oldest first."""
        ...

    def all_sessions(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> Sequence[WorkoutSession]:
        """Every session of a member, oldest first (for the export)."""
        ...

    def all_sets(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> Sequence[LoggedSetRow]:
        """Every set of a member, voided ones included, oldest first (for the export)."""
        ...

    def forget_replies(self, *, before: datetime) -> int:
        """Drop the Idempotency-Key answers stored before `before`; how many were dropped."""
        ...

    def changes_of_member(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> Sequence[SetChange]:
        """Every entry of the audit trails of a member's sets, oldest first (for the export)."""
        ...

    def erased(self, member_id: uuid.UUID) -> bool:
        """Whether the member was erased here."""
        ...

    def erase_member(self, member_id: uuid.UUID) -> int:
        """Delete every row of the member (sets, their audit trail, sessions, sequence) and
        remember that they were erased; how many rows went. Take `lock_member` first."""
        ...


def _before(at: Any, id_: Any, cursor: Cursor | None) -> Any:
    """Rows strictly older than the cursor, in (time, id) descending order."""
    if cursor is None:
        return true()
    return or_(at < cursor.at, and_(at == cursor.at, id_ < cursor.id))


class SqlLoggingRepository(LoggingRepository):
    """The logging service's rows in its PostgreSQL database, within one session.

    Each method does what `LoggingRepository` says of it. The session flushes pending
    changes before each query, so a query sees what the transaction changed before it.
    """

    def __init__(self, session: Session) -> None:
        self.session = session

    def chain_equipment(self, chain_id: uuid.UUID, slug: str) -> str | None:
        found = self.session.get(CatalogExercise, (chain_id, slug))
        return found.equipment if found else None

    def keep_chain_exercise(
        self, chain_id: uuid.UUID, slug: str, equipment: str, version: int
    ) -> None:
        # One statement, so two versions applied at once cannot both win: the row lock of
        # the conflict makes the second compare with what the first wrote.
        stmt = insert(CatalogExercise).values(
            chain_id=chain_id, slug=slug, equipment=equipment, version=version
        )
        self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["chain_id", "slug"],
                set_={"equipment": stmt.excluded.equipment, "version": stmt.excluded.version},
                where=CatalogExercise.version < stmt.excluded.version,
            )
        )

    def lock_member(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> None:
        """Lock the member's sequence row (creating it) until the transaction ends.

        Every write of a member takes this lock first, so a member's writes run one at a
        time: their sequence numbers, set numbers and outbox rows come out in one order.
        """
        self.session.execute(
            _LOCK_MEMBER, {"member_id": member_id, "chain_id": chain_id, "last_seq": 0}
        )

    def next_seq(self, member_id: uuid.UUID) -> int:
        seq: int = self.session.execute(_NEXT_SEQ, {"b_member_id": member_id}).scalar_one()
        return seq

    def open_session(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> WorkoutSession | None:
        return self.session.scalars(
            select(WorkoutSession).where(
                WorkoutSession.chain_id == chain_id,
                WorkoutSession.member_id == member_id,
                WorkoutSession.finished_at.is_(None),
            )
        ).one_or_none()

    def get_session(
        self, session_id: uuid.UUID, *, for_update: bool = False
    ) -> WorkoutSession | None:
        return self.session.get(WorkoutSession, session_id, with_for_update=for_update)

    def add_session(self, ws: WorkoutSession) -> None:
        """Store a new session (now: the one-open-session index decides at once)."""
        self.session.add(ws)
        self.session.flush()

    def add_set(self, row: LoggedSetRow) -> None:
        self.session.add(row)
        self.session.flush()

    def add_change(self, change: SetChange) -> None:
        self.session.add(change)

    def next_set_number(self, session_id: uuid.UUID, exercise: str) -> int:
        highest = self.session.scalar(
            _HIGHEST_SET_NUMBER, {"session_id": session_id, "exercise": exercise}
        )
        return (highest or 0) + 1

    def count_sets(self, session_id: uuid.UUID) -> int:
        return (
            self.session.scalar(
                select(func.count())
                .select_from(LoggedSetRow)
                .where(LoggedSetRow.session_id == session_id, LoggedSetRow.voided_at.is_(None))
            )
            or 0
        )

    def get_set(
        self,
        chain_id: uuid.UUID,
        member_id: uuid.UUID,
        set_id: uuid.UUID,
        *,
        for_update: bool = False,
    ) -> LoggedSetRow | None:
        stmt = select(LoggedSetRow).where(
            LoggedSetRow.id == set_id,
            LoggedSetRow.chain_id == chain_id,
            LoggedSetRow.member_id == member_id,
        )
        if for_update:
            stmt = stmt.with_for_update()
        return self.session.scalars(stmt).one_or_none()

    def sets_of_day(
        self, chain_id: uuid.UUID, member_id: uuid.UUID, day: date
    ) -> Sequence[LoggedSetRow]:
        return self.session.scalars(
            select(LoggedSetRow)
            .where(
                LoggedSetRow.chain_id == chain_id,
                LoggedSetRow.member_id == member_id,
                LoggedSetRow.local_date == day,
                LoggedSetRow.voided_at.is_(None),
            )
            .order_by(LoggedSetRow.performed_at, LoggedSetRow.set_number, LoggedSetRow.id)
        ).all()

    def changes_of_set(self, set_id: uuid.UUID) -> Sequence[SetChange]:
        return self.session.scalars(
            select(SetChange).where(SetChange.set_id == set_id).order_by(SetChange.id)
        ).all()

    def changes_of_sets(self, set_ids: Sequence[uuid.UUID]) -> Sequence[SetChange]:
        if not set_ids:
            return []
        return self.session.scalars(
            select(SetChange).where(SetChange.set_id.in_(list(set_ids))).order_by(SetChange.id)
        ).all()

    def idle_sessions(self, last_set_by: datetime, *, limit: int) -> Sequence[WorkoutSession]:
        return self.session.scalars(
            select(WorkoutSession)
            .where(WorkoutSession.finished_at.is_(None), WorkoutSession.last_set_at <= last_set_by)
            .order_by(WorkoutSession.last_set_at)
            .limit(limit)
        ).all()

    def page_of_sets(
        self,
        chain_id: uuid.UUID,
        member_id: uuid.UUID,
        page: PageRequest,
        *,
        include_voided: bool,
    ) -> Sequence[LoggedSetRow]:
        s = LoggedSetRow
        stmt = select(s).where(s.chain_id == chain_id, s.member_id == member_id)
        if page.exercise is not None:
            stmt = stmt.where(s.exercise == page.exercise)
        if page.date_from is not None:
            stmt = stmt.where(s.local_date >= page.date_from)
        if page.date_to is not None:
            stmt = stmt.where(s.local_date <= page.date_to)
        if not include_voided:
            stmt = stmt.where(s.voided_at.is_(None))
        stmt = stmt.where(_before(s.performed_at, s.id, page.cursor))
        return self.session.scalars(
            stmt.order_by(s.performed_at.desc(), s.id.desc()).limit(page.limit + 1)
        ).all()

    def page_of_sessions(
        self,
        chain_id: uuid.UUID,
        member_id: uuid.UUID,
        page: PageRequest,
    ) -> Sequence[WorkoutSession]:
        w = WorkoutSession
        stmt = select(w).where(w.chain_id == chain_id, w.member_id == member_id)
        if page.exercise is not None:
            stmt = stmt.where(
                select(LoggedSetRow.id)
                .where(
                    LoggedSetRow.session_id == w.id,
                    LoggedSetRow.exercise == page.exercise,
                    LoggedSetRow.voided_at.is_(None),
                )
                .exists()
            )
        if page.date_from is not None:
            stmt = stmt.where(w.local_date >= page.date_from)
        if page.date_to is not None:
            stmt = stmt.where(w.local_date <= page.date_to)
        stmt = stmt.where(_before(w.opened_at, w.id, page.cursor))
        return self.session.scalars(
            stmt.order_by(w.opened_at.desc(), w.id.desc()).limit(page.limit + 1)
        ).all()

    def sets_of_sessions(self, session_ids: Sequence[uuid.UUID]) -> Sequence[LoggedSetRow]:
        if not session_ids:
            return []
        return self.session.scalars(
            select(LoggedSetRow)
            .where(LoggedSetRow.session_id.in_(session_ids), LoggedSetRow.voided_at.is_(None))
            .order_by(LoggedSetRow.performed_at, LoggedSetRow.set_number, LoggedSetRow.id)
        ).all()

    def all_sessions(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> Sequence[WorkoutSession]:
        return self.session.scalars(
            select(WorkoutSession)
            .where(WorkoutSession.chain_id == chain_id, WorkoutSession.member_id == member_id)
            .order_by(WorkoutSession.opened_at, WorkoutSession.id)
        ).all()

    def all_sets(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> Sequence[LoggedSetRow]:
        return self.session.scalars(
            select(LoggedSetRow)
            .where(LoggedSetRow.chain_id == chain_id, LoggedSetRow.member_id == member_id)
            .order_by(LoggedSetRow.performed_at, LoggedSetRow.set_number, LoggedSetRow.id)
        ).all()

    def forget_replies(self, *, before: datetime) -> int:
        replies = TABLES.idempotency
        result = self.session.execute(delete(replies).where(replies.c.created_at < before))
        return int(result.rowcount)  # type: ignore[attr-defined]

    def changes_of_member(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> Sequence[SetChange]:
        return self.session.scalars(
            select(SetChange)
            .where(SetChange.chain_id == chain_id, SetChange.member_id == member_id)
            .order_by(SetChange.id)
        ).all()

    def erased(self, member_id: uuid.UUID) -> bool:
        return was_erased(self.session, ERASED, member_id)

    def erase_member(self, member_id: uuid.UUID) -> int:
        """Five statements, the audit trail before the sets it refers to (by their index)."""
        of_member = select(LoggedSetRow.id).where(LoggedSetRow.member_id == member_id)
        deleted = 0
        for statement in (
            delete(SetChange).where(SetChange.set_id.in_(of_member)),
            delete(LoggedSetRow).where(LoggedSetRow.member_id == member_id),
            delete(WorkoutSession).where(WorkoutSession.member_id == member_id),
            delete(MemberSequence).where(MemberSequence.member_id == member_id),
        ):
            deleted += int(self.session.execute(statement).rowcount)  # type: ignore[attr-defined]
        record_erasure(self.session, ERASED, member_id)
        return deleted
