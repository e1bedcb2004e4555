"""Consumers on a real Celery worker over a real Redis: retries, dead letters, duplicates."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from sqlalchemy import func, insert, select

from devstack.embedded import EmbeddedRedis
from myokine.celery_app import create_celery
from myokine.consumers import (
    ORDER_WAITS,
    RETRY_DELAY_MAX,
    RetryLater,
    order_delay,
    register_batch_consumer,
    register_consumer,
    retry_delay,
)
from myokine.dead_letters import list_dead_letters, record_dead_letter
from myokine.events import (
    Event,
    LoggedSet,
    MemberEvent,
    SessionFinished,
    SetCorrected,
    SetLogged,
    SetVoided,
)
from myokine.inbox import first_delivery
from myokine.settings import ServiceSettings

CONSUMER = "progression"
MAX_RETRIES = 2


def a_set() -> LoggedSet:
    return LoggedSet(
        set_id=uuid.uuid4(),
        session_id=uuid.uuid4(),
        gym_id=uuid.uuid4(),
        exercise="barbell-back-squat",
        load_kg=Decimal("60"),
        load_value=Decimal("60"),
        unit="kg",
        reps=10,
        performed_at=datetime.now(UTC),
        local_date=date.today(),
    )


def event_of(cls: type[MemberEvent], **fields: Any) -> dict[str, Any]:
    """The broker message of an event of `cls`."""
    the_set = a_set()
    extra: dict[str, Any] = {"set": the_set}
    if cls is SetCorrected:
        extra["previous"] = the_set
    event = cls(chain_id=uuid.uuid4(), member_id=uuid.uuid4(), seq=1, **extra, **fields)
    return event.to_message()


class Consumers:
    """A worker's handlers, counting their calls."""

    def __init__(self, scratch: Any) -> None:
        self.db = scratch
        self.calls: Counter[str] = Counter()
        self.retry_later_times = 2
        self.applied: list[str] = []
        self.runs: list[list[str]] = []

    def on_logged(self, event: Event) -> None:
        """Applies the event once, through the inbox."""
        self.calls["SetLogged"] += 1
        with self.db.sessions() as session, session.begin():
            if first_delivery(session, self.db.tables.inbox, event):
                session.execute(insert(self.db.things).values(name=str(event.event_id)))
                self.applied.append(str(event.event_id))

    def on_logged_together(self, events: list[Event]) -> None:
        """Applies a member's run of sets, noting the run."""
        self.runs.append([str(e.event_id) for e in events])
        for event in events:
            self.on_logged(event)

    def on_corrected(self, event: Event) -> None:
        """Always fails."""
        self.calls["SetCorrected"] += 1
        raise ValueError("this handler has a bug")

    def on_voided(self, event: Event) -> None:
        """Cannot apply the event at first (an earlier one is missing), then can."""
        self.calls["SetVoided"] += 1
        if self.calls["SetVoided"] <= self.retry_later_times:
            raise RetryLater("an earlier event of this member is missing")
        self.on_logged(event)


@pytest.fixture(scope="module")
def worker(scratch_db: Any, redis_server: EmbeddedRedis) -> Iterator[tuple[Celery, Consumers]]:
    """A Celery worker (in a thread) consuming a queue on the module's own Redis."""
    app = create_celery(
        ServiceSettings(service_name=CONSUMER, redis_url=redis_server.url), queue=CONSUMER
    )
    consumers = Consumers(scratch_db)

    def dead_letter(task: str, body: dict[str, Any], error: str) -> None:
        record_dead_letter(scratch_db.sessions, scratch_db.tables.dead_letters, task, body, error)

    handlers: dict[str, Callable[[Any], None]] = {}
    for cls, handle in (
        (SetLogged, consumers.on_logged),
        (SetCorrected, consumers.on_corrected),
        (SetVoided, consumers.on_voided),
    ):
        register_consumer(app, CONSUMER, cls, handle, dead_letter, max_retries=MAX_RETRIES)
        handlers[cls.event_type] = handle
    register_batch_consumer(
        app,
        CONSUMER,
        handlers,
        dead_letter,
        max_retries=MAX_RETRIES,
        together={"SetLogged": consumers.on_logged_together},
    )
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        yield app, consumers


@pytest.fixture
def consumers(worker: tuple[Celery, Consumers], db: Any) -> Consumers:
    worker[1].calls.clear()
    worker[1].applied.clear()
    worker[1].runs.clear()
    return worker[1]


@pytest.fixture
def send(worker: tuple[Celery, Consumers]) -> Callable[[str, dict[str, Any]], None]:
    app = worker[0]

    def send(task: str, body: dict[str, Any]) -> None:
        app.send_task(task, args=[body], queue=CONSUMER)

    return send


def wait_for(check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def effects(db: Any) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(db.things)).scalar_one())


def dead(db: Any) -> list[dict[str, Any]]:
    return list_dead_letters(db.sessions, db.tables.dead_letters)


def test_the_backoff_doubles_and_is_capped() -> None:
    assert [retry_delay(n) for n in range(4)] == [0.5, 1.0, 2.0, 4.0]
    assert retry_delay(30) == RETRY_DELAY_MAX


def test_a_retry_waiting_in_its_worker_is_never_handed_out_twice() -> None:
    # A retry waits unacknowledged in the worker that will run it; Redis must not think
    # that worker dead before the wait is over, even at the smallest visibility timeout.
    smallest = ServiceSettings.model_fields["celery_visibility_timeout"].metadata[0].ge
    assert smallest >= RETRY_DELAY_MAX * 2


def test_the_task_of_a_killed_worker_comes_back_within_a_minute() -> None:
    settings = ServiceSettings(service_name="logging")
    options = create_celery(settings, queue="q").conf.broker_transport_options
    look_every = options["unacked_restore_interval"] * options["unacked_restore_throttle"]
    assert options["visibility_timeout"] + look_every <= 60
    assert options["unacked_mutex_expire"] <= 60, "a dead looker blocks the others briefly"


def test_an_early_event_is_looked_at_again_soon_for_minutes() -> None:
    assert [order_delay(n) for n in range(3)] == [0.2, 0.4, 0.6000000000000001]
    assert order_delay(50) == 2.0
    assert 240 <= sum(order_delay(n) for n in range(ORDER_WAITS)) <= 360


def test_a_task_delivered_twice_has_its_effect_once(
    consumers: Consumers, send: Callable[[str, dict[str, Any]], None], db: Any
) -> None:
    body = event_of(SetLogged)
    send("progression.SetLogged", body)
    send("progression.SetLogged", body)

    wait_for(lambda: consumers.calls["SetLogged"] == 2)
    assert effects(db) == 1
    assert dead(db) == []


def test_a_failing_event_is_retried_then_dead_lettered_with_its_error(
    consumers: Consumers, send: Callable[[str, dict[str, Any]], None], db: Any
) -> None:
    body = event_of(SetCorrected)
    send("progression.SetCorrected", body)

    wait_for(lambda: len(dead(db)) == 1)
    [letter] = dead(db)
    assert consumers.calls["SetCorrected"] == MAX_RETRIES + 1
    assert letter["task_name"] == "progression.SetCorrected"
    assert letter["event_id"] == uuid.UUID(body["event_id"])
    assert letter["body"] == body
    assert "this handler has a bug" in letter["error"]


def test_retry_later_waits_for_its_turn_without_a_dead_letter(
    consumers: Consumers, send: Callable[[str, dict[str, Any]], None], db: Any
) -> None:
    send("progression.SetVoided", event_of(SetVoided))

    wait_for(lambda: effects(db) == 1)
    assert consumers.calls["SetVoided"] == consumers.retry_later_times + 1
    assert dead(db) == []


@pytest.mark.parametrize(
    "body",
    [
        {"no": "event type"},
        {"event_type": "SetLogged", "chain_id": "not-a-uuid"},
    ],
    ids=["no-event-type", "invalid-fields"],
)
def test_an_unreadable_message_goes_to_the_dead_letters_at_once(
    consumers: Consumers,
    send: Callable[[str, dict[str, Any]], None],
    db: Any,
    body: dict[str, Any],
) -> None:
    send("progression.SetLogged", body)

    wait_for(lambda: len(dead(db)) == 1)
    [letter] = dead(db)
    assert letter["body"] == body
    assert letter["task_name"] == "progression.SetLogged"
    assert consumers.calls["SetLogged"] == 0, "the handler never sees it"


def of_member(member: str, body: dict[str, Any]) -> dict[str, Any]:
    return {**body, "member_id": member}


def test_a_batch_applies_each_event_once_however_often_it_comes(
    consumers: Consumers, send: Callable[[str, dict[str, Any]], None], db: Any
) -> None:
    batch = {"events": [event_of(SetLogged) for _ in range(3)]}
    send("progression.events", batch)
    send("progression.events", batch)

    wait_for(lambda: consumers.calls["SetLogged"] == 6)
    assert effects(db) == 3
    assert dead(db) == []


def test_in_a_batch_an_early_event_holds_back_its_members_later_ones_only(
    consumers: Consumers, send: Callable[[str, dict[str, Any]], None], db: Any
) -> None:
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    early = of_member(a, event_of(SetVoided))
    after_it = of_member(a, event_of(SetLogged))
    other = of_member(b, event_of(SetLogged))
    send("progression.events", {"events": [early, after_it, other]})

    wait_for(lambda: effects(db) == 3)
    assert consumers.applied == [other["event_id"], early["event_id"], after_it["event_id"]]
    assert dead(db) == []


def test_in_a_batch_a_failing_event_is_dead_lettered_alone_with_its_members_later_ones(
    consumers: Consumers, send: Callable[[str, dict[str, Any]], None], db: Any
) -> None:
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    failing = of_member(a, event_of(SetCorrected))
    after_it = of_member(a, event_of(SetLogged))
    other = of_member(b, event_of(SetLogged))
    send("progression.events", {"events": [failing, after_it, other, {"no": "type"}]})

    wait_for(lambda: len(dead(db)) == 3)
    letters = {letter["task_name"]: letter for letter in dead(db)}
    assert consumers.applied == [other["event_id"]]
    assert consumers.calls["SetCorrected"] == MAX_RETRIES + 1
    assert letters["progression.SetCorrected"]["body"] == failing
    assert letters["progression.SetLogged"]["body"] == after_it, "never applied before it"
    assert letters["progression.None"]["body"] == {"no": "type"}


def test_in_a_batch_a_members_run_of_one_type_is_applied_as_one(
    consumers: Consumers, send: Callable[[str, dict[str, Any]], None], db: Any
) -> None:
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    a1, a2, a3 = (of_member(a, event_of(SetLogged)) for _ in range(3))
    b1 = of_member(b, event_of(SetLogged))
    a_voided = of_member(a, event_of(SetVoided))
    consumers.retry_later_times = 0
    try:
        send("progression.events", {"events": [a1, b1, a2, a_voided, a3]})
        wait_for(lambda: effects(db) == 5)
    finally:
        consumers.retry_later_times = 2

    assert consumers.runs == [[a1["event_id"], a2["event_id"]]], "up to another type"
    assert consumers.applied == [
        a1["event_id"],
        a2["event_id"],
        b1["event_id"],
        a_voided["event_id"],
        a3["event_id"],
    ]


def test_a_batch_that_is_no_list_or_holds_an_event_without_a_consumer_is_dead_lettered(
    consumers: Consumers, send: Callable[[str, dict[str, Any]], None], db: Any
) -> None:
    not_a_list = {"events": "not a list"}
    no_handler_here = SessionFinished(
        chain_id=uuid.uuid4(),
        member_id=uuid.uuid4(),
        seq=1,
        session_id=uuid.uuid4(),
        gym_id=uuid.uuid4(),
        local_date=date.today(),
        set_count=1,
    ).to_message()
    taken = event_of(SetLogged)
    send("progression.events", not_a_list)
    send("progression.events", {"events": [no_handler_here, taken]})

    wait_for(lambda: len(dead(db)) == 2 and effects(db) == 1)
    letters = {letter["task_name"]: letter for letter in dead(db)}
    assert letters["progression.events"]["body"] == not_a_list
    assert "no consumer" in letters["progression.SessionFinished"]["error"]
    assert consumers.applied == [taken["event_id"]]
