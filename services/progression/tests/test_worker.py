"""A real progression worker on a Redis of this test's own: events arrive out of order
and twice, and are applied once each, in order."""

from __future__ import annotations

import random
import subprocess
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from sqlalchemy import func, select

from devstack.embedded import EmbeddedRedis
from devstack.testing import own_redis, service_process, truncate_all, wait_until
from myokine.celery_app import create_celery
from myokine.events import Event, task_name
from myokine.service_runtime import ServiceRuntime
from progression_service import repository as repo
from progression_service.settings import Settings

MON = date(2026, 1, 5)


@pytest.fixture
def redis(scratch_dir: Path) -> Iterator[EmbeddedRedis]:
    """A Redis server of this test's own."""
    with own_redis(scratch_dir) as server:
        yield server


@pytest.fixture
def broker(redis: EmbeddedRedis) -> Celery:
    """A Celery app on the test's Redis, to send tasks as the producers' relays would."""
    return create_celery(Settings(redis_url=redis.url), queue="logging")


@pytest.fixture
def worker(redis: EmbeddedRedis, db: None) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m progression_service worker`, on the test's Redis and the run's database."""
    env = {"REDIS_URL": redis.url, "LOG_LEVEL": "WARNING"}
    with service_process("progression", ["worker"], env) as process:
        yield process


def send(broker: Celery, event: Event) -> None:
    broker.send_task(
        task_name("progression", event.event_type), args=[event.to_message()], queue="progression"
    )


def test_the_worker_applies_events_in_order_exactly_once(
    member, plan, broker, worker, runtime: ServiceRuntime
) -> None:
    assigned = member.assign(plan("barbell-back-squat", "squat", "barbell", "2.5"))
    first, second, third = (member.log("barbell-back-squat", "60", 12, MON) for _ in range(3))
    finished = member.finish(MON)
    for event in (finished, third, second, first, first, assigned, second):
        send(broker, event)

    def target_moved() -> bool:
        with runtime.sessions() as session:
            row = session.get(repo.ExerciseStateRow, (member.member_id, "barbell-back-squat"))
            return row is not None and row.state["progression"]["target_load_kg"] == "62.5"

    wait_until(target_moved, 60, "the target to move")
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(repo.LoggedSet)) == 3
        outbox = runtime.tables.outbox
        types = list(session.execute(select(outbox.c.event_type)).scalars())
        assert types.count("TargetsUpdated") == 1
        assert types.count("MilestoneReached") == 1


def _snapshot(runtime: ServiceRuntime) -> tuple[list[Any], Counter[str]]:
    """Every member's standing per exercise, and how many events of each kind it caused."""
    with runtime.sessions() as session:
        standings = list(
            session.execute(
                select(
                    repo.ExerciseStateRow.member_id,
                    repo.ExerciseStateRow.exercise,
                    repo.ExerciseStateRow.state,
                ).order_by(repo.ExerciseStateRow.member_id, repo.ExerciseStateRow.exercise)
            ).all()
        )
        outbox = runtime.tables.outbox
        sent = Counter(
            session.execute(
                # A worker's start asks to catch up; the events' effects are what count here.
                select(outbox.c.event_type).where(outbox.c.event_type != "CatchUpRequested")
            ).scalars()
        )
    return standings, sent


@pytest.fixture
def two_workers(redis: EmbeddedRedis, db: None) -> Iterator[None]:
    """Two worker processes on the one progression queue, each running two tasks at once."""
    env = {"REDIS_URL": redis.url, "LOG_LEVEL": "WARNING", "WORKER_CONCURRENCY": "2"}
    with (
        service_process("progression", ["worker"], env),
        service_process("progression", ["worker"], env),
    ):
        yield


def test_several_workers_on_one_queue_keep_each_members_order(
    new_member, plan, broker, two_workers, runtime: ServiceRuntime, deliver
) -> None:
    members = [new_member() for _ in range(3)]
    events: list[Event] = []
    for m in members:
        events.append(m.assign(plan("barbell-back-squat", "squat", "barbell", "2.5")))
        for week in range(3):
            day = MON + timedelta(days=2 * week)
            events += m.workout(day, *[("barbell-back-squat", str(60 + 2.5 * week), 12)] * 3)
    shuffled = events + events[::3]  # some twice
    random.Random(7).shuffle(shuffled)
    for event in shuffled:
        send(broker, event)

    def all_applied() -> bool:
        with runtime.sessions() as session:
            done = session.scalar(select(func.count()).select_from(runtime.tables.inbox))
        return done == len(events)

    wait_until(all_applied, 120, "every event to be applied")
    concurrent = _snapshot(runtime)

    # The same events, once each and in order, in this process.
    truncate_all(runtime, repo.Base.metadata)
    deliver(*events)
    assert concurrent == _snapshot(runtime)
