"""The real `python -m logging_service worker --beat` finishes idle sessions on its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from devstack.embedded import EmbeddedRedis
from devstack.testing import service_process, wait_until
from logging_service.repository import WorkoutSession
from myokine.service_runtime import ServiceRuntime

from .conftest import Headers, Member

pytestmark = pytest.mark.e2e


def finished(rt: ServiceRuntime) -> list[bool]:
    with rt.sessions() as s:
        return [
            ws.finished_automatically
            for ws in s.scalars(
                select(WorkoutSession).where(WorkoutSession.finished_at.is_not(None))
            )
        ]


def test_the_worker_beat_finishes_a_session_idle_for_3_hours(
    client: TestClient,
    rt: ServiceRuntime,
    member: Member,
    headers: Headers,
    broker: EmbeddedRedis,
    tmp_path: Path,
) -> None:
    idle = datetime.now(UTC) - timedelta(hours=3, minutes=1)
    body = {"exercise": "deadlift", "load": 140, "unit": "kg", "reps": 6}
    r = client.post(
        member.sets_path, json={**body, "performed_at": idle.isoformat()}, headers=headers(key="1")
    )
    assert r.status_code == 201
    env = {
        "REDIS_URL": broker.url,
        "LOGGING_AUTO_FINISH_INTERVAL": "1",
        "BEAT_SCHEDULE_FILE": str(tmp_path / "beat-schedule"),
    }
    with service_process("logging", ["worker", "--beat"], env, tmp_path / "worker.log"):
        wait_until(lambda: finished(rt) == [True], 60, "the beat to finish the idle session")
