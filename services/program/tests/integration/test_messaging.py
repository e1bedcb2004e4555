"""The program service's events over real Redis: the relay publishes its outbox to
progression's queue, and a real worker process applies `SessionFinished` and answers a
`CatchUpRequested` with the chains' own exercises.

Each test starts its own Redis, so no other test run can take these tasks.
"""

from __future__ import annotations

import base64
import json
import subprocess
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import redis as redis_client
from celery import Celery
from fastapi.testclient import TestClient
from sqlalchemy import Table, func, select

from devstack.embedded import EmbeddedRedis
from devstack.testing import own_redis, service_process, wait_until
from myokine.celery_app import create_celery
from myokine.events import ALL_CHAINS, CATALOG, CatchUpRequested, SessionFinished
from myokine.outbox import OutboxRelay
from myokine.service_runtime import ServiceRuntime
from program_service.settings import Settings

Headers = Callable[..., dict[str, str]]


@pytest.fixture
def redis(scratch_dir: Path) -> Iterator[EmbeddedRedis]:
    """A Redis server of this test's own."""
    with own_redis(scratch_dir) as server:
        yield server


@pytest.fixture
def broker(redis: EmbeddedRedis) -> Celery:
    """A Celery app on the test's Redis, to send tasks as another service would."""
    return create_celery(Settings(redis_url=redis.url), queue="logging")


@pytest.fixture
def worker(redis: EmbeddedRedis, db: None) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m program_service worker`, on the test's Redis and the run's database."""
    env = {"REDIS_URL": redis.url, "LOG_LEVEL": "WARNING"}
    with service_process("program", ["worker"], env) as process:
        yield process


def rows(runtime: ServiceRuntime, table: Table) -> int:
    with runtime.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def ready_made_three(client: TestClient, headers: Headers) -> str:
    programs = client.get("/internal/v1/programs", headers=headers()).json()
    return str(next(p["id"] for p in programs if p["sessions_per_week"] == 3))


def assign(client: TestClient, headers: Headers, member: uuid.UUID) -> dict[str, Any]:
    response = client.post(
        f"/internal/v1/members/{member}/assignments",
        headers=headers(),
        json={
            "program_id": ready_made_three(client, headers),
            "start_date": "2026-12-01",
            "weekdays": [1, 3, 5],
        },
    )
    assert response.status_code == 201
    body: dict[str, Any] = response.json()
    return body


def test_the_relay_publishes_assignment_events_to_progression(
    client: TestClient,
    headers: Headers,
    broker: Celery,
    redis: EmbeddedRedis,
    migrated: ServiceRuntime,
) -> None:
    member = uuid.uuid4()
    assign(client, headers, member)
    assign(client, headers, member)

    def publish(task: str, queue: str, body: dict[str, Any]) -> None:
        broker.send_task(task, args=[body], queue=queue)

    relay = OutboxRelay(migrated.sessions, migrated.tables.outbox, publish)
    assert relay.publish_pending().published == 3
    assert relay.publish_pending().published == 0

    queued = redis_client.Redis.from_url(redis.url).lrange("progression", 0, -1)
    [message] = [json.loads(raw) for raw in queued]
    assert message["headers"]["task"] == "progression.events", "one batch of the three"
    (args, _, _) = json.loads(base64.b64decode(message["body"]))
    events = args[0]["events"]
    assert [e["event_type"] for e in events] == [
        "ProgramAssigned",
        "AssignmentEnded",
        "ProgramAssigned",
    ]
    assert (events[0]["member_id"], events[0]["seq"]) == (str(member), 1)


def test_a_worker_moves_the_rotation_once_per_session(
    client: TestClient,
    headers: Headers,
    chain_id: uuid.UUID,
    broker: Celery,
    worker: subprocess.Popen[bytes],
    migrated: ServiceRuntime,
) -> None:
    member = uuid.uuid4()
    assignment = assign(client, headers, member)

    def today() -> str:
        return str(
            client.get(f"/internal/v1/members/{member}/today", headers=headers()).json()["day"]
        )

    event = SessionFinished(
        chain_id=chain_id,
        member_id=member,
        seq=1,
        session_id=uuid.uuid4(),
        gym_id=uuid.uuid4(),
        local_date=date(2026, 12, 1),
        program_day="A",
        assignment_id=uuid.UUID(assignment["id"]),
        set_count=9,
    )
    for _ in range(2):  # delivered twice: applied once
        broker.send_task("program.SessionFinished", args=[event.to_message()], queue="program")
    wait_until(lambda: today() == "B", 30, "the rotation to move")

    assert rows(migrated, migrated.tables.inbox) == 1

    # A message that does not parse goes to the dead letters, not round and round.
    broker.send_task(
        "program.SessionFinished", args=[{"event_type": "SessionFinished"}], queue="program"
    )
    wait_until(lambda: rows(migrated, migrated.tables.dead_letters) == 1, 30, "a dead letter")
    assert worker.poll() is None
    assert today() == "B"


def outbox_events(runtime: ServiceRuntime, event_type: str) -> list[dict[str, Any]]:
    table = runtime.tables.outbox
    with runtime.sessions() as session:
        bodies = session.scalars(
            select(table.c.body).where(table.c.event_type == event_type).order_by(table.c.id)
        )
        return [dict(body) for body in bodies]


def test_a_worker_answers_a_catch_up_with_every_own_exercise_once(
    client: TestClient,
    headers: Headers,
    chain_id: uuid.UUID,
    broker: Celery,
    worker: subprocess.Popen[bytes],
    migrated: ServiceRuntime,
) -> None:
    other = uuid.uuid4()
    admin = headers("chain_admin")
    for who, name in (
        (admin, "Hack squat"),
        (admin, "Sled push"),
        (headers("chain_admin", chain_id=other), "Hack squat"),
    ):
        response = client.post(
            "/internal/v1/exercises",
            headers=who,
            json={"name": name, "pattern": "squat", "equipment": "machine"},
        )
        assert response.status_code == 201, response.text
    changed = client.patch(
        "/internal/v1/exercises/hack-squat", headers=admin, json={"equipment": "assisted"}
    )
    assert changed.status_code == 200, changed.text
    assert len(outbox_events(migrated, "ExerciseChanged")) == 1

    request = CatchUpRequested(chain_id=ALL_CHAINS, consumer="logging", wants=(CATALOG,))
    # Delivered twice, then a request for nothing: the one worker takes them in turn, so
    # once the last is in the inbox the second copy has been seen too.
    last = CatchUpRequested(chain_id=ALL_CHAINS, consumer="logging", wants=())
    for event in (request, request, last):
        broker.send_task("program.CatchUpRequested", args=[event.to_message()], queue="program")
    wait_until(lambda: rows(migrated, migrated.tables.inbox) == 2, 30, "the catch-ups to be done")

    resent = outbox_events(migrated, "ExerciseChanged")[1:]
    expected = [
        (str(chain_id), "hack-squat", 2, "assisted"),
        (str(chain_id), "sled-push", 1, "machine"),
        (str(other), "hack-squat", 1, "machine"),
    ]
    assert sorted((e["chain_id"], e["slug"], e["version"], e["equipment"]) for e in resent) == (
        sorted(expected)
    )
    assert worker.poll() is None
