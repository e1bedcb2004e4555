"""The unit of work: state, Idempotency-Key answer and outbox events commit together or not at all.

Each behaviour runs on the real `SqlUnitOfWork` (PostgreSQL) and on the in-memory twin the
handler tests use, so the twin cannot drift from the real thing.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from myokine.events import TargetsUpdated
from myokine.idempotency import IdempotentRequest
from myokine.memory_unit_of_work import MemoryUnitOfWork
from myokine.problems import Conflict
from myokine.unit_of_work import Reply, SqlUnitOfWork, UnitOfWork, idempotent_write


class SqlThings:
    """A repository of the scratch schema's `things`."""

    def __init__(self, session: Session, db: Any) -> None:
        self.session, self.db = session, db

    def add(self, name: str) -> None:
        self.session.execute(insert(self.db.things).values(name=name))

    def names(self) -> list[str]:
        return list(self.session.execute(select(self.db.things.c.name)).scalars())


class MemoryThings:
    """The same repository in memory (its changes are kept only on commit by the test)."""

    def __init__(self) -> None:
        self.rows: list[str] = []

    def add(self, name: str) -> None:
        self.rows.append(name)

    def names(self) -> list[str]:
        return list(self.rows)


class World:
    """A unit of work and the ways to look at what it stored."""

    def __init__(self, uow: UnitOfWork[Any], outbox: Callable[[], int], things: Callable[[], int]):
        self.uow, self.outbox, self.things = uow, outbox, things


@pytest.fixture(params=["sql", "memory"])
def world(request: pytest.FixtureRequest) -> World:
    if request.param == "memory":
        memory = MemoryUnitOfWork(MemoryThings())
        return World(memory, lambda: len(memory.outbox), lambda: len(memory.repo.rows))
    db = request.getfixturevalue("db")

    def count(table: Any) -> int:
        with db.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

    sql: SqlUnitOfWork[SqlThings] = SqlUnitOfWork(
        db.sessions, db.tables, lambda session: SqlThings(session, db)
    )
    return World(sql, lambda: count(db.tables.outbox), lambda: count(db.things))


def an_event() -> TargetsUpdated:
    return TargetsUpdated(
        chain_id=uuid.uuid4(),
        member_id=uuid.uuid4(),
        exercise="deadlift",
        load_kg=Decimal("100.0"),
        reps=6,
        sets=3,
    )


def write(world: World, name: str, request: IdempotentRequest | None) -> Reply:
    """A use case: one row of state and one event, answered 201."""
    uow = world.uow

    def work() -> Reply:
        uow.repo.add(name)
        uow.add_event(an_event())
        return Reply(201, f'{{"name": "{name}"}}')

    return idempotent_write(uow, "chain-1", request, work)


def test_commit_stores_state_and_events_together(world: World) -> None:
    assert write(world, "a", None) == Reply(201, '{"name": "a"}')
    assert (world.things(), world.outbox()) == (1, 1)


def test_leaving_without_commit_stores_nothing(world: World) -> None:
    with world.uow as uow:
        uow.repo.add("a")
        uow.add_event(an_event())
    if isinstance(world.uow, MemoryUnitOfWork):
        assert world.uow.rollbacks == 1
    else:
        assert world.things() == 0
    assert world.outbox() == 0


def test_a_failing_use_case_stores_nothing_and_frees_its_key(world: World) -> None:
    request = IdempotentRequest("key-1", "fp-1")

    def fail() -> Reply:
        world.uow.add_event(an_event())
        raise ValueError("refused")

    with pytest.raises(ValueError):
        idempotent_write(world.uow, "chain-1", request, fail)
    assert world.outbox() == 0
    # The corrected retry with the same key is judged afresh.
    assert write(world, "a", request).status == 201
    assert world.outbox() == 1


def test_a_retry_gets_the_first_answer_and_does_nothing(world: World) -> None:
    request = IdempotentRequest("key-1", "fp-1")
    first = write(world, "a", request)
    again = write(world, "b", request)
    assert again == first
    assert (world.things(), world.outbox()) == (1, 1)


def test_the_same_key_with_another_request_is_a_conflict(world: World) -> None:
    write(world, "a", IdempotentRequest("key-1", "fp-1"))
    with pytest.raises(Conflict):
        write(world, "b", IdempotentRequest("key-1", "fp-2"))
    assert world.outbox() == 1


def test_keys_are_unique_only_within_their_scope(world: World) -> None:
    request = IdempotentRequest("key-1", "fp-1")
    write(world, "a", request)
    with world.uow as uow:
        assert uow.claim("chain-2", request) is None
        uow.repo.add("b")
        uow.commit(Reply(200, "{}"))
    assert world.things() == 2


def test_an_event_is_applied_once(world: World) -> None:
    event = an_event()
    applied = 0
    for _ in range(3):
        with world.uow as uow:
            if uow.first_delivery(event):
                uow.repo.add("effect")
                applied += 1
            uow.commit()
    assert applied == 1
    assert world.things() == 1


def test_forgetting_a_member_drops_the_messages_that_name_them_and_only_those(
    world: World,
) -> None:
    erased, other = an_event(), an_event()
    for event in (erased, other):
        with world.uow as uow:
            uow.add_event(event)
            uow.claim("chain-1", IdempotentRequest(f"key-{event.member_id}", "fp"))
            uow.commit(Reply(201, f'{{"member_id": "{event.member_id}"}}'))
    with world.uow as uow:
        uow.claim(f"chain-1:{erased.member_id}", IdempotentRequest("key-own", "fp"))
        uow.commit(Reply(200, "{}"))

    with world.uow as uow:
        # The erasure's own event is written at commit: it stays.
        uow.add_event(an_event().model_copy(update={"member_id": erased.member_id}))
        assert uow.forget_messages_about(erased.member_id) == 3
        uow.commit()

    assert world.outbox() == 2
    with world.uow as uow:
        assert uow.claim("chain-1", IdempotentRequest(f"key-{other.member_id}", "fp")) is not None
        assert uow.claim("chain-1", IdempotentRequest(f"key-{erased.member_id}", "fp")) is None
        assert uow.claim(f"chain-1:{erased.member_id}", IdempotentRequest("key-own", "fp")) is None


def test_concurrent_copies_of_one_request_do_the_work_once(db: Any) -> None:
    """Two requests with one key at once: the second waits for the first, then replays it."""
    request = IdempotentRequest("key-1", "fp-1")
    started = threading.Barrier(2)
    answers: list[Reply] = []

    def one() -> None:
        uow: SqlUnitOfWork[SqlThings] = SqlUnitOfWork(
            db.sessions, db.tables, lambda session: SqlThings(session, db)
        )

        def work() -> Reply:
            uow.repo.add("a")
            return Reply(201, "{}")

        started.wait()
        answers.append(idempotent_write(uow, "chain-1", request, work))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [Reply(201, "{}"), Reply(201, "{}")]
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(db.things)).scalar_one() == 1
