"""The logging service's tables, and the repository that holds all its SQL."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
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
    false,
    func,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.sql.dml import ReturningInsert

from logging_service.domain.pagination import Cursor, PageRequest
from myokine.erasure import define_erased_members, member_digest, record_erasure
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

_sequences, _sets, _sessions = (
    cast(Table, m.__table__) for m in (MemberSequence, LoggedSetRow, WorkoutSession)
)
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


def _member_state() -> Any:
    """Whether the member was erased, and their open session (as a mapped object, whose
    changes the commit writes): one row, from the sequence row `lock_member` holds."""
    erased = select(ERASED.c.member_digest).where(ERASED.c.member_digest == bindparam("digest"))
    return (
        select(WorkoutSession, erased.exists().label("erased"))
        .select_from(_sequences)
        .outerjoin(
            WorkoutSession,
            and_(
                WorkoutSession.member_id == _sequences.c.member_id,
                WorkoutSession.chain_id == bindparam("chain_id"),
                WorkoutSession.finished_at.is_(None),
            ),
        )
        .where(_sequences.c.member_id == bindparam("member_id"))
    )


_MEMBER_STATE = _member_state()

_SESSION_OF_SET = ("chain_id", "member_id", "gym_id", "local_date")
"""Columns a set has the value of its session in (the gym: a set elsewhere opens another)."""


_SET_FIELDS = (
    *_SESSION_OF_SET,
    *("id", "kiosk_id", "exercise", "load_value", "unit", "load_kg", "reps", "rpe", "warmup"),
    *("performed_at", "logged_at", "logged_by"),
)
"""The columns of a new set its row holds (its session and number come from elsewhere)."""


def _add_set() -> ReturningInsert[Any]:
    """The set, numbered after the highest of its exercise in its session; its session,
    inserted when new, else its last set time and missing program day following the set;
    and the member's next sequence number: one statement.

    Parameters are named `b_<column>` (the set's, its session's shared ones) and
    `b_session_<column>` (the session's own): SQLAlchemy keeps column names for itself.
    """
    w, s, q = _sessions.c, _sets.c, _sequences.c
    session_values: dict[str, Any] = {name: bindparam(f"b_{name}") for name in _SESSION_OF_SET} | {
        name: bindparam(f"b_session_{name}")
        for name in ("id", "kiosk_id", "program_day", "timezone", "opened_at")
    }
    new_session = insert(_sessions).values(
        # A nested insert gets no column defaults: every column is named.
        session_values
        | {"last_set_at": bindparam("b_performed_at"), "finished_automatically": false()}
    )
    session = new_session.on_conflict_do_update(
        index_elements=[w.id],
        set_={
            "last_set_at": func.greatest(w.last_set_at, new_session.excluded.last_set_at),
            "program_day": func.coalesce(w.program_day, new_session.excluded.program_day),
        },
    ).cte("session")
    seq = (
        update(_sequences)
        .where(q.member_id == bindparam("b_member_id"))
        .values(last_seq=q.last_seq + 1)
        .returning(q.last_seq)
        .cte("seq")
    )
    # Under the member's lock no other set of the session is being numbered.
    number = (
        select(func.coalesce(func.max(s.set_number), 0) + 1)
        .where(s.session_id == bindparam("b_session_id"), s.exercise == bindparam("b_exercise"))
        .scalar_subquery()
    )
    set_values: dict[str, Any] = {name: bindparam(f"b_{name}") for name in _SET_FIELDS}
    return (
        insert(_sets)
        .values(set_values | {"session_id": bindparam("b_session_id"), "set_number": number})
        .returning(s.set_number, select(seq.c.last_seq).scalar_subquery())
        .add_cte(session)
    )


_ADD_SET = _add_set()

# Every kiosk read of today runs it.
_SETS_OF_DAY = (
    select(LoggedSetRow)
    .where(
        LoggedSetRow.chain_id == bindparam("chain_id"),
        LoggedSetRow.member_id == bindparam("member_id"),
        LoggedSetRow.local_date == bindparam("day"),
        LoggedSetRow.voided_at.is_(None),
    )
    .order_by(LoggedSetRow.performed_at, LoggedSetRow.set_number, LoggedSetRow.id)
)


@dataclass(frozen=True)
class MemberState:
    """What a write of a member reads first, under their lock."""

    erased: bool
    """The member was erased here: the write stores nothing."""
    open_session: WorkoutSession | None


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

    def member_state(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> MemberState:
        """Whether the member was erased, and their open session (call `lock_member` first)."""
        ...

    def get_session(
        self, session_id: uuid.UUID, *, for_update: bool = False
    ) -> WorkoutSession | None:
        """A session by id, or None."""
        ...

    def add_session(self, ws: WorkoutSession) -> None:
        """Store a new session."""
        ...

    def add_set(
        self, row: LoggedSetRow, session: WorkoutSession, *, program_day: str | None
    ) -> int:
        """Store a new set of `session` and number it (`row.set_number`: after the highest of
        its exercise there); store the session too when it is new, else move its last set
        time to the set's (when later) and give it `program_day` when it has none. Returns
        the member's next sequence number, for the set's event (call `lock_member` first).

        The session's row is written here: `session` itself is not changed.
        """
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

    def member_state(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> MemberState:
        open_session, erased = self.session.execute(
            _MEMBER_STATE,
            {"member_id": member_id, "chain_id": chain_id, "digest": member_digest(member_id)},
        ).one()
        return MemberState(erased=erased, open_session=open_session)

    def get_session(
        self, session_id: uuid.UUID, *, for_update: bool = False
    ) -> WorkoutSession | None:
        return self.session.get(WorkoutSession, session_id, with_for_update=for_update)

    def add_session(self, ws: WorkoutSession) -> None:
        """Store a new session (now: the one-open-session index decides at once)."""
        self.session.add(ws)
        self.session.flush()

    def add_set(
        self, row: LoggedSetRow, session: WorkoutSession, *, program_day: str | None
    ) -> int:
        parameters = {f"b_{name}": getattr(row, name) for name in _SET_FIELDS} | {
            "b_session_id": session.id,
            "b_session_kiosk_id": session.kiosk_id,
            "b_session_program_day": program_day,
            "b_session_timezone": session.timezone,
            "b_session_opened_at": session.opened_at,
        }
        stored = self.session.execute(_ADD_SET, parameters).one()
        row.set_number = int(stored[0])
        return int(stored[1])

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
            _SETS_OF_DAY, {"chain_id": chain_id, "member_id": member_id, "day": day}
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
