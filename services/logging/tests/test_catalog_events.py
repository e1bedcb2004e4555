"""The chain's catalog reaches logging as events: a real worker applies `ExerciseAdded`
sent over a real Redis, and from then on the chain's own exercise can be logged."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from devstack.embedded import EmbeddedRedis
from devstack.testing import service_process, wait_until
from logging_service.settings import Settings
from myokine.celery_app import create_celery
from myokine.events import ExerciseAdded, task_name

from .conftest import Headers, Member

pytestmark = pytest.mark.e2e

HACK_SQUAT = {"exercise": "hack-squat", "load": 80, "unit": "kg", "reps": 10}


def test_an_exercise_the_chain_added_is_logged_once_its_event_arrived(
    client: TestClient, member: Member, headers: Headers, broker: EmbeddedRedis, tmp_path: Path
) -> None:
    refused = client.post(member.sets_path, json=HACK_SQUAT, headers=headers(key="before"))
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["exercise"]

    added = ExerciseAdded(
        chain_id=member.chain_id,
        slug="hack-squat",
        name="Hack squat",
        pattern="squat",
        equipment="machine",
        load_step_kg=Decimal(5),
        bodyweight=False,
    )
    # As program's relay sends it: one task on logging's queue (and once more, redelivered).
    program = create_celery(Settings(redis_url=broker.url), queue="program")
    for _ in range(2):
        program.send_task(
            task_name("logging", added.event_type), args=[added.to_message()], queue="logging"
        )

    def logged() -> bool:
        answer = client.post(
            member.sets_path, json=HACK_SQUAT, headers=headers(key=str(uuid.uuid4()))
        )
        return answer.status_code == 201

    env = {"REDIS_URL": broker.url, "LOG_LEVEL": "WARNING"}
    with service_process("logging", ["worker"], env, tmp_path / "worker.log"):
        wait_until(logged, 60, "the worker to add hack-squat to the chain's catalog")
