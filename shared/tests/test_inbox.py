"""The inbox on real PostgreSQL: an event's effect happens once, however often it arrives."""

from __future__ import annotations

import threading
import time
import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from myokine.events import TargetsUpdated
from myokine.inbox import first_delivery


def an_event() -> TargetsUpdated:
    return TargetsUpdated(
        chain_id=uuid.uuid4(),
        member_id=uuid.uuid4(),
        exercise="deadlift",
        load_kg=Decimal("100.0"),
        reps=6,
        sets=3,
    )


def apply(db: Any, event: TargetsUpdated, *, pause: float = 0.0) -> bool:
    """A consumer: record the event, then its effect, in one transaction."""
    with db.sessions() as session, session.begin():
        if not first_delivery(session, db.tables.inbox, event):
            return False
        time.sleep(pause)
        session.execute(insert(db.things).values(name=str(event.event_id)))
        return True


def effects(db: Any) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(db.things)).scalar_one())


def test_a_redelivered_event_is_a_no_op(db: Any) -> None:
    event = an_event()

    assert apply(db, event) is True
    assert apply(db, event) is False
    assert apply(db, event.model_copy()) is False

    assert effects(db) == 1
    with db.engine.connect() as conn:
        row = conn.execute(select(db.tables.inbox)).mappings().one()
    assert row["event_id"] == event.event_id and row["event_type"] == "TargetsUpdated"


def test_when_the_effect_fails_the_event_is_not_recorded_and_a_retry_applies_it(db: Any) -> None:
    event = an_event()
    with pytest.raises(RuntimeError), db.sessions() as session, session.begin():
        assert first_delivery(session, db.tables.inbox, event)
        raise RuntimeError("the handler fails after recording the event")

    assert apply(db, event) is True
    assert effects(db) == 1


def test_concurrent_duplicates_apply_once(db: Any) -> None:
    event = an_event()
    copies = 4
    start = threading.Barrier(copies)
    outcomes: list[bool] = []

    def deliver() -> None:
        start.wait()
        outcomes.append(apply(db, event, pause=0.2))

    threads = [threading.Thread(target=deliver) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(outcomes) == [False, False, False, True]
    assert effects(db) == 1


def test_different_events_each_apply(db: Any) -> None:
    for _ in range(3):
        assert apply(db, an_event())
    assert effects(db) == 3
