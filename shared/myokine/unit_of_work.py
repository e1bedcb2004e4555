"""One unit of work per use case: one transaction, its Idempotency-Key, its events.

A write use case opens the unit of work, claims its Idempotency-Key (a retry gets the
first answer back and does nothing), changes state through `uow.repo`, adds the events
it causes, and commits with its answer. Commit writes the answer under the key and the
events to the outbox in the same transaction as the state change, so all three exist
together or not at all. Leaving the block without committing rolls everything back: a
refused request stores nothing, and a corrected retry with the same key is judged afresh.

An event consumer does the same with `first_delivery` (the inbox) in place of the key.
Erasing a member, a use case also forgets the messages that name them
(`forget_messages_about`).

`SqlUnitOfWork` is the real one on PostgreSQL; `myokine.memory_unit_of_work` holds the
in-memory one the handler tests use.
"""

from __future__ import annotations

import functools
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Generic, Self, TypeVar

from sqlalchemy import (
    ColumnElement,
    Insert,
    Table,
    Text,
    bindparam,
    cast,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.dml import ReturningInsert

from myokine.events import Event
from myokine.idempotency import IdempotentRequest
from myokine.inbox import first_delivery
from myokine.messaging_tables import MessagingTables
from myokine.metrics import count_produced
from myokine.outbox import event_rows, insert_events
from myokine.problems import Conflict

Repo = TypeVar("Repo")


@dataclass(frozen=True)
class Reply:
    """An answer as it leaves a service: status and the exact JSON text a retry gets again."""

    status: int
    body: str


@dataclass(frozen=True)
class Remembered:
    """The answer a write stores under the Idempotency-Key it claimed."""

    scope: str
    request: IdempotentRequest
    answer: Reply


class UnitOfWork(ABC, Generic[Repo]):
    """One transaction of a use case, with the repository it works through."""

    repo: Repo

    def __init__(self) -> None:
        self._events: list[Event] = []
        self._claimed: tuple[str, IdempotentRequest] | None = None
        self._committed = False

    def __enter__(self) -> Self:
        self._events = []
        self._claimed = None
        self._committed = False
        self._begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._end(committed=self._committed)

    def add_event(self, event: Event) -> None:
        """Collect an event; it is written to the outbox when the unit of work commits."""
        self._events.append(event)

    def claim(self, scope: str, request: IdempotentRequest | None) -> Reply | None:
        """Claim the request's Idempotency-Key within `scope` (e.g. a chain, a member).

        None when this request owns the key (or has none): go on and commit with the
        answer. Otherwise the answer an earlier request with the same key and body got;
        raises Conflict when the key came with another request.
        """
        if request is None:
            return None
        earlier = self._claim(scope, request)
        if earlier is None:
            self._claimed = (scope, request)
        return earlier

    def commit(self, answer: Reply | None = None) -> None:
        """Write the answer under the claimed key and the collected events, then commit."""
        remembered = None
        if self._claimed is not None:
            assert answer is not None, "a claimed Idempotency-Key needs the answer it gets"
            remembered = Remembered(*self._claimed, answer)
        events, self._events = self._events, []
        self._commit(remembered, events)
        self._committed = True
        self._after_commit(events)

    def _after_commit(self, events: list[Event]) -> None:
        """What follows a commit (the database's unit of work counts the events)."""

    @abstractmethod
    def first_delivery(self, event: Event) -> bool:
        """Record a consumed event in the inbox; False when it was applied before."""

    @abstractmethod
    def forget_messages_about(self, member_id: uuid.UUID) -> int:
        """Delete the stored messages that name a member (erasing them); how many went.

        Outbox rows (sent or not) and dead letters whose body names the member, and
        Idempotency-Key answers whose scope or answer does. The events this unit of work
        adds are written at commit, after this, so they stay. Inbox rows hold an event's id
        and type only: nothing there names anyone, and they keep a redelivery harmless.
        """

    @abstractmethod
    def _begin(self) -> None: ...

    @abstractmethod
    def _end(self, *, committed: bool) -> None: ...

    @abstractmethod
    def _claim(self, scope: str, request: IdempotentRequest) -> Reply | None: ...

    @abstractmethod
    def _commit(self, remembered: Remembered | None, events: list[Event]) -> None:
        """Store the answer under its claimed key (if any) and the events, then commit."""


def idempotent_write(
    uow: UnitOfWork[Repo],
    scope: str,
    request: IdempotentRequest | None,
    work: Callable[[], Reply],
) -> Reply:
    """Run `work` once per Idempotency-Key, in one transaction with its answer and events."""
    with uow:
        earlier = uow.claim(scope, request)
        if earlier is not None:
            return earlier
        answer = work()
        uow.commit(answer)
        return answer


class SqlUnitOfWork(UnitOfWork[Repo]):
    """The unit of work on a service's PostgreSQL database."""

    session: Session

    def __init__(
        self,
        sessions: sessionmaker[Session],
        tables: MessagingTables,
        repository: Callable[[Session], Repo],
        *,
        service: str = "",
    ) -> None:
        super().__init__()
        self._service = service
        self._sessions = sessions
        self._tables = tables
        self._repository = repository

    def _begin(self) -> None:
        self.session = self._sessions()
        self.session.begin()
        self.repo = self._repository(self.session)

    def _end(self, *, committed: bool) -> None:
        if not committed:
            self.session.rollback()
        self.session.close()

    def first_delivery(self, event: Event) -> bool:
        """Record a consumed event in the inbox; False when it was applied before."""
        return first_delivery(self.session, self._tables.inbox, event)

    def forget_messages_about(self, member_id: uuid.UUID) -> int:
        """Delete the stored messages that name a member; how many went (see the base class).

        Each table is scanned for the id as text: erasures are rare, and no index on
        every event's body is worth its cost to each write.
        """
        name = str(member_id)

        def names(column: ColumnElement[str]) -> ColumnElement[bool]:
            return func.strpos(func.coalesce(column, ""), name) > 0

        t = self._tables
        replies = t.idempotency.c
        found: list[tuple[Table, ColumnElement[bool]]] = [
            (t.outbox, names(cast(t.outbox.c.body, Text))),
            (t.dead_letters, names(cast(t.dead_letters.c.body, Text))),
            (t.idempotency, or_(names(replies.scope), names(replies.response_body))),
        ]
        forgotten = 0
        for table, naming in found:
            result = self.session.execute(delete(table).where(naming))
            forgotten += int(result.rowcount)  # type: ignore[attr-defined]
        return forgotten

    def _claim(self, scope: str, request: IdempotentRequest) -> Reply | None:
        # A concurrent copy's insert waits on the primary key until the owner commits
        # (then it reads the stored answer) or rolls back (then it owns the key itself).
        table = self._tables.idempotency
        owned = self.session.execute(
            _claim_key(table),
            {"scope": scope, "key": request.key, "fingerprint": request.fingerprint},
        ).first()
        if owned is not None:
            return None
        earlier = self.session.execute(
            select(table.c.fingerprint, table.c.status_code, table.c.response_body).where(
                table.c.scope == scope, table.c.key == request.key
            )
        ).one()
        if earlier.fingerprint != request.fingerprint:
            raise Conflict("This Idempotency-Key was used with another request.")
        # The owner stored its answer in the same transaction that made the key visible.
        assert earlier.status_code is not None and earlier.response_body is not None
        return Reply(status=earlier.status_code, body=earlier.response_body)

    def _commit(self, remembered: Remembered | None, events: list[Event]) -> None:
        if remembered is not None or events:
            answer = _NO_ANSWER
            if remembered is not None:
                answer = {
                    "b_scope": remembered.scope,
                    "b_key": remembered.request.key,
                    "b_status": remembered.answer.status,
                    "b_body": remembered.answer.body,
                }
            self.session.execute(_answer_and_events(self._tables), answer | event_rows(events))
        self.session.commit()

    def _after_commit(self, events: list[Event]) -> None:
        count_produced(self._service, events)


# Built once per service's tables: every write with an Idempotency-Key claims its key, and
# every write with an answer or events stores them in one statement at commit.


@functools.cache
def _claim_key(table: Table) -> ReturningInsert[tuple[str]]:
    # Its values are the parameters it runs with.
    return (
        insert(table).on_conflict_do_nothing(index_elements=["scope", "key"]).returning(table.c.key)
    )


@functools.cache
def _answer_and_events(tables: MessagingTables) -> Insert:
    """The claimed key's answer and the events, in one statement.

    With no key claimed (`_NO_ANSWER`) the answer's update finds no row; with no events
    nothing is inserted. Built once per service: every write runs it at commit.
    """
    replies = tables.idempotency
    answer = (
        update(replies)
        .where(replies.c.scope == bindparam("b_scope"), replies.c.key == bindparam("b_key"))
        .values(status_code=bindparam("b_status"), response_body=bindparam("b_body"))
    )
    return insert_events(tables.outbox).add_cte(answer.cte("answer"))


_NO_ANSWER: dict[str, object] = dict.fromkeys(("b_scope", "b_key", "b_status", "b_body"))
