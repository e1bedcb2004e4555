"""The chain's catalog reaches logging as events: a real worker applies `ExerciseAdded`
and `ExerciseChanged` sent over a real Redis, and from then on the chain's own exercise
can be logged as its newest version says. On start, the worker asks to catch up."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from devstack.embedded import EmbeddedRedis
from devstack.testing import service_process, wait_until
from logging_service.settings import Settings
from myokine.celery_app import create_celery
from myokine.events import CATALOG, ExerciseAdded, ExerciseChanged, task_name
from myokine.service_runtime import ServiceRuntime

from .conftest import Headers, Member

pytestmark = pytest.mark.e2e

HACK_SQUAT = {"exercise": "hack-squat", "load": 80, "unit": "kg", "reps": 10}


def hack_squat(
    member: Member,
    kind: type[ExerciseAdded] = ExerciseAdded,
    equipment: str = "machine",
    version: int = 1,
) -> ExerciseAdded:
    """The member's chain's own hack squat as program tells of it, at `version`."""
    return kind(
        chain_id=member.chain_id,
        slug="hack-squat",
        name="Hack squat",
        pattern="squat",
        equipment=equipment,
        load_step_kg=Decimal(5),
        bodyweight=False,
        version=version,
    )


def program_app(broker: EmbeddedRedis) -> Celery:
    """A Celery app on the test's Redis that sends as program's relay does."""
    return create_celery(Settings(redis_url=broker.url), queue="program")


def send(program: Celery, event: ExerciseAdded) -> None:
    """One task on logging's queue, as program's relay publishes an event."""
    program.send_task(
        task_name("logging", event.event_type), args=[event.to_message()], queue="logging"
    )


def inbox_size(rt: ServiceRuntime) -> int:
    with rt.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(rt.tables.inbox)) or 0)


def outbox_bodies(rt: ServiceRuntime, event_type: str) -> list[dict[str, Any]]:
    outbox = rt.tables.outbox
    with rt.sessions() as session:
        bodies = session.scalars(select(outbox.c.body).where(outbox.c.event_type == event_type))
        return [dict(body) for body in bodies]


def test_an_exercise_the_chain_added_is_logged_once_its_event_arrived(
    client: TestClient, member: Member, headers: Headers, broker: EmbeddedRedis, tmp_path: Path
) -> None:
    refused = client.post(member.sets_path, json=HACK_SQUAT, headers=headers(key="before"))
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["exercise"]

    program = program_app(broker)
    added = hack_squat(member)
    for _ in range(2):  # and once more, redelivered
        send(program, added)

    def logged() -> bool:
        answer = client.post(
            member.sets_path, json=HACK_SQUAT, headers=headers(key=str(uuid.uuid4()))
        )
        return bool(answer.status_code == 201)

    env = {"REDIS_URL": broker.url, "LOG_LEVEL": "WARNING"}
    with service_process("logging", ["worker"], env, tmp_path / "worker.log"):
        wait_until(logged, 60, "the worker to add hack-squat to the chain's catalog")


def test_a_change_to_assisted_lets_a_negative_load_through_and_an_older_copy_undoes_nothing(
    client: TestClient,
    member: Member,
    headers: Headers,
    broker: EmbeddedRedis,
    rt: ServiceRuntime,
    tmp_path: Path,
) -> None:
    def status_of_set(load: int) -> int:
        answer = client.post(
            member.sets_path,
            json=HACK_SQUAT | {"load": load},
            headers=headers(key=str(uuid.uuid4())),
        )
        return int(answer.status_code)

    program = program_app(broker)
    env = {"REDIS_URL": broker.url, "LOG_LEVEL": "WARNING"}
    with service_process("logging", ["worker"], env, tmp_path / "worker.log"):
        send(program, hack_squat(member))
        wait_until(lambda: status_of_set(80) == 201, 60, "the worker to add hack-squat")
        assert status_of_set(-20) == 422

        send(program, hack_squat(member, ExerciseChanged, "assisted", 2))
        wait_until(lambda: status_of_set(-20) == 201, 60, "the worker to make it assisted")

        # Late copies of older versions: the add again, and a change older than the newest.
        send(program, hack_squat(member))
        send(program, hack_squat(member, ExerciseChanged, "machine", 1))
        wait_until(lambda: inbox_size(rt) == 4, 60, "the worker to take the late copies")
        assert status_of_set(-20) == 201

    # On start the worker asked program for the catalog, in case it had missed events.
    asked = outbox_bodies(rt, "CatchUpRequested")
    assert [(a["consumer"], a["wants"]) for a in asked] == [("logging", [CATALOG])]
