"""The outbox on real PostgreSQL (and a real Redis broker): stored with the state, relayed once."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import redis
from sqlalchemy import func, insert, select

from devstack.embedded import EmbeddedRedis
from myokine.celery_app import PUBLISH_RETRY_POLICY, create_celery
from myokine.events import MemberErased, SessionFinished, TargetsUpdated, task_name
from myokine.outbox import OutboxRelay, add_event
from myokine.settings import ServiceSettings

CHAIN = uuid.uuid4()
MEMBER = uuid.uuid4()


def targets(reps: int) -> TargetsUpdated:
    """An event told apart from others by its `reps`."""
    return TargetsUpdated(
        chain_id=CHAIN,
        member_id=MEMBER,
        exercise="bench-press",
        load_kg=Decimal(60),
        reps=reps,
        sets=3,
    )


class Recorder:
    """A publish function that records the messages it sent, and fails while told to."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict[str, Any]]] = []
        self.down = False
        self.lock = threading.Lock()

    def __call__(self, task: str, queue: str, body: dict[str, Any]) -> None:
        with self.lock:
            if self.down:
                raise ConnectionError("broker down")
            self.sent.append((task, queue, body))

    @property
    def events(self) -> list[dict[str, Any]]:
        """The events sent, batches unpacked, in order."""
        return [e for task, _, body in self.sent for e in body.get("events", [body])]

    @property
    def reps(self) -> list[int]:
        return [event["reps"] for event in self.events]


def finished_session() -> SessionFinished:
    """An event with two consumers (progression and program)."""
    return SessionFinished(
        chain_id=CHAIN,
        member_id=MEMBER,
        seq=1,
        session_id=uuid.uuid4(),
        gym_id=uuid.uuid4(),
        local_date=date(2026, 11, 25),
        set_count=3,
    )


def store(db: Any, *events: TargetsUpdated) -> None:
    """Each event in its own transaction, with a state change beside it."""
    for event in events:
        with db.sessions() as session, session.begin():
            session.execute(insert(db.things).values(name=f"thing {event.reps}"))
            add_event(session, db.tables.outbox, event)


def unsent(db: Any) -> int:
    o = db.tables.outbox
    with db.engine.connect() as conn:
        return int(
            conn.execute(select(func.count()).where(o.c.published_at.is_(None))).scalar_one()
        )


def test_the_event_exists_if_and_only_if_the_state_change_does(db: Any) -> None:
    with pytest.raises(RuntimeError), db.sessions() as session, session.begin():
        session.execute(insert(db.things).values(name="rolled back"))
        add_event(session, db.tables.outbox, targets(1))
        raise RuntimeError("the use case fails after writing")
    store(db, targets(2))

    with db.engine.connect() as conn:
        assert conn.execute(select(db.things.c.name)).scalars().all() == ["thing 2"]
        rows = conn.execute(select(db.tables.outbox)).mappings().all()
    assert len(rows) == 1
    assert rows[0]["event_type"] == "TargetsUpdated"
    assert rows[0]["body"]["reps"] == 2
    assert rows[0]["published_at"] is None


def test_the_relay_publishes_in_insertion_order_and_marks_rows_sent(db: Any) -> None:
    store(db, *(targets(n) for n in range(1, 8)))
    sent = Recorder()
    relay = OutboxRelay(db.sessions, db.tables.outbox, sent, batch_size=5)

    first = relay.publish_pending()
    second = relay.publish_pending()
    third = relay.publish_pending()

    assert (first.published, first.full, first.blocked) == (5, True, False)
    assert (second.published, second.full) == (2, False)
    assert third.published == 0
    assert sent.reps == [1, 2, 3, 4, 5, 6, 7]
    assert [(task, queue) for task, queue, _ in sent.sent] == [
        ("gateway.events", "gateway"),
        ("gateway.events", "gateway"),
    ], "one message a pass: a batch of the pass's events"
    assert unsent(db) == 0


def test_a_pass_with_one_event_for_a_consumer_sends_it_as_its_own_task(db: Any) -> None:
    store(db, targets(1))
    sent = Recorder()

    OutboxRelay(db.sessions, db.tables.outbox, sent).publish_pending()

    assert [(task, queue) for task, queue, _ in sent.sent] == [
        ("gateway.TargetsUpdated", "gateway")
    ]
    assert sent.reps == [1]


def test_an_event_with_several_consumers_goes_to_each_queue(db: Any) -> None:
    event = finished_session()
    with db.sessions() as session, session.begin():
        add_event(session, db.tables.outbox, event)
    published: list[tuple[str, str]] = []
    relay = OutboxRelay(db.sessions, db.tables.outbox, lambda t, q, b: published.append((t, q)))

    relay.publish_pending()

    assert published == [
        (task_name("progression", "SessionFinished"), "progression"),
        (task_name("program", "SessionFinished"), "program"),
        (task_name("gateway", "SessionFinished"), "gateway"),
    ]


def test_an_erasure_leaves_the_outbox_once_published_and_others_stay_marked_sent(
    db: Any,
) -> None:
    erased = MemberErased(chain_id=CHAIN, member_id=MEMBER)
    with db.sessions() as session, session.begin():
        add_event(session, db.tables.outbox, targets(1))
        add_event(session, db.tables.outbox, erased)
    published: list[tuple[str, str]] = []
    relay = OutboxRelay(db.sessions, db.tables.outbox, lambda t, q, b: published.append((t, q)))

    assert relay.publish_pending().published == 2

    assert published == [
        ("gateway.TargetsUpdated", "gateway"),
        ("program.MemberErased", "program"),
        ("logging.MemberErased", "logging"),
        ("progression.MemberErased", "progression"),
    ]
    o = db.tables.outbox
    with db.engine.connect() as conn:
        rows = conn.execute(select(o.c.event_type, o.c.published_at.is_not(None))).all()
    assert [tuple(r) for r in rows] == [("TargetsUpdated", True)]


def test_an_erasure_the_broker_refused_stays_until_it_goes_out(db: Any) -> None:
    with db.sessions() as session, session.begin():
        add_event(session, db.tables.outbox, MemberErased(chain_id=CHAIN, member_id=MEMBER))

    def refuse(task: str, queue: str, body: dict[str, Any]) -> None:
        raise ConnectionError("broker down")

    assert OutboxRelay(db.sessions, db.tables.outbox, refuse).publish_pending().blocked
    assert unsent(db) == 1
    assert OutboxRelay(db.sessions, db.tables.outbox, lambda *_: None).publish_pending().published
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(db.tables.outbox)).scalar() == 0


def test_while_the_broker_is_down_rows_wait_and_later_go_out_once_in_order(db: Any) -> None:
    store(db, *(targets(n) for n in range(1, 6)))
    sent = Recorder()
    relay = OutboxRelay(db.sessions, db.tables.outbox, sent)

    sent.down = True
    blocked = relay.publish_pending()
    again = relay.publish_pending()

    assert blocked.blocked and blocked.published == 0
    assert again.blocked and again.published == 0
    assert unsent(db) == 5
    o = db.tables.outbox
    with db.engine.connect() as conn:
        failed = (
            conn.execute(select(o).where(o.c.published_at.is_(None)).order_by(o.c.id))
            .mappings()
            .all()
        )
    assert failed[0]["attempts"] == 2 and "broker down" in failed[0]["last_error"]
    assert [r["attempts"] for r in failed[1:]] == [0, 0, 0, 0]

    sent.down = False  # the broker is back
    relay.publish_pending()

    assert sent.reps == [1, 2, 3, 4, 5]
    assert unsent(db) == 0


def test_a_consumer_whose_message_went_before_the_broker_refused_gets_it_again(
    db: Any,
) -> None:
    with db.sessions() as session, session.begin():
        add_event(session, db.tables.outbox, MemberErased(chain_id=CHAIN, member_id=MEMBER))
    published: list[str] = []

    def refuse_the_second(task: str, queue: str, body: dict[str, Any]) -> None:
        if len(published) == 1:
            raise ConnectionError("broker down")
        published.append(queue)

    relay = OutboxRelay(db.sessions, db.tables.outbox, refuse_the_second)
    assert relay.publish_pending().blocked
    published.append("(retry)")
    relay = OutboxRelay(db.sessions, db.tables.outbox, lambda t, q, b: published.append(q))
    assert relay.publish_pending().published == 1

    assert published == ["program", "(retry)", "program", "logging", "progression"]


def test_two_relays_side_by_side_send_every_row_exactly_once(db: Any) -> None:
    store(db, *(targets(n) for n in range(1, 301)))
    sent = Recorder()
    relays = [OutboxRelay(db.sessions, db.tables.outbox, sent, batch_size=20) for _ in range(2)]
    start = threading.Barrier(len(relays))

    def drain(relay: OutboxRelay) -> None:
        start.wait()
        while relay.publish_pending().published:
            pass

    threads = [threading.Thread(target=drain, args=(relay,)) for relay in relays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(sent.reps) == list(range(1, 301))
    assert unsent(db) == 0


def test_rows_another_relay_holds_are_skipped_not_waited_for(db: Any) -> None:
    store(db, *(targets(n) for n in range(1, 5)))
    o = db.tables.outbox
    sent = Recorder()
    with db.sessions() as holder, holder.begin():
        # Another relay is in the middle of publishing the first two rows.
        holder.execute(select(o.c.id).order_by(o.c.id).limit(2).with_for_update())

        result = OutboxRelay(db.sessions, db.tables.outbox, sent).publish_pending()

    assert result.published == 2
    assert sent.reps == [3, 4]


def test_run_forever_relays_until_told_to_stop(db: Any) -> None:
    store(db, targets(1), targets(2))
    sent = Recorder()
    relay = OutboxRelay(db.sessions, db.tables.outbox, sent)

    relay.run_forever(poll_interval=0.01, should_stop=lambda: len(sent.events) >= 2)

    assert sent.reps == [1, 2]


def test_with_a_real_broker_a_set_stored_while_redis_is_down_is_queued_once_it_is_back(
    db: Any, redis_up: EmbeddedRedis
) -> None:
    celery = create_celery(
        ServiceSettings(service_name="logging", redis_url=redis_up.url), queue="logging"
    )

    def publish(task: str, queue: str, body: dict[str, Any]) -> None:
        celery.send_task(
            task, args=[body], queue=queue, retry=True, retry_policy=PUBLISH_RETRY_POLICY
        )

    relay = OutboxRelay(db.sessions, db.tables.outbox, publish)
    client = redis.Redis.from_url(redis_up.url)
    try:
        redis_up.stop()
        store(db, targets(1), targets(2))
        assert relay.publish_pending().blocked
        assert unsent(db) == 2

        redis_up.start()
        assert relay.publish_pending().published == 2
        assert relay.publish_pending().published == 0

        assert client.llen("gateway") == 1, "one message: the batch of both"
    finally:
        client.close()
        celery.close()
    assert unsent(db) == 0


def test_rows_gather_while_the_consumer_is_busy_then_go_as_one_message(db: Any) -> None:
    waiting = {"gateway": 0}
    sent = Recorder()
    relay = OutboxRelay(
        db.sessions, db.tables.outbox, sent, backlog=lambda q: waiting[q], max_hold=0.5
    )
    store(db, targets(1))
    assert relay.publish_pending().published == 1

    waiting["gateway"] = 1  # its workers are busy: the next rows wait and gather
    store(db, targets(2))
    assert relay.publish_pending().published == 0
    store(db, targets(3))
    assert relay.publish_pending().published == 0
    waiting["gateway"] = 0  # a worker took the waiting message
    assert relay.publish_pending().published == 2

    assert [task for task, _, _ in sent.sent] == ["gateway.TargetsUpdated", "gateway.events"]
    assert sent.reps == [1, 2, 3]


def test_a_consumer_that_stays_busy_holds_rows_back_only_for_a_while(db: Any) -> None:
    sent = Recorder()
    relay = OutboxRelay(db.sessions, db.tables.outbox, sent, backlog=lambda q: 5, max_hold=0.2)
    store(db, targets(1))
    assert relay.publish_pending().published == 1, "nothing was sent yet: no hold"
    store(db, targets(2))
    assert relay.publish_pending().published == 0

    time.sleep(0.25)

    assert relay.publish_pending().published == 1
    assert sent.reps == [1, 2]


def test_rows_for_a_consumer_that_is_idle_are_not_held_back(db: Any) -> None:
    # progression is busy, program and the gateway are not
    waiting = {"progression": 7, "program": 0, "gateway": 0}
    sent = Recorder()
    relay = OutboxRelay(db.sessions, db.tables.outbox, sent, backlog=lambda q: waiting[q])
    store(db, targets(1))
    relay.publish_pending()
    finished = finished_session()
    with db.sessions() as session, session.begin():
        add_event(session, db.tables.outbox, finished)

    assert relay.publish_pending().published == 1
