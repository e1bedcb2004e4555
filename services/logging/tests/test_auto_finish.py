"""Sessions idle for 3 hours are finished by the periodic task."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from logging_service import handlers
from logging_service.bootstrap import Dependencies
from logging_service.repository import WorkoutSession
from logging_service.tasks import AUTO_FINISH_TASK, FORGET_KEYS_TASK
from myokine.service_runtime import ServiceRuntime

from .conftest import Headers, Member

BENCH = {"exercise": "bench-press", "load": 100, "unit": "kg", "reps": 8}


def outbox(rt: ServiceRuntime) -> list[dict[str, Any]]:
    o = rt.tables.outbox
    with rt.sessions() as s:
        return [r.body for r in s.execute(select(o.c.body).order_by(o.c.id))]


def sessions(rt: ServiceRuntime) -> list[WorkoutSession]:
    with rt.sessions() as s:
        return list(s.scalars(select(WorkoutSession).order_by(WorkoutSession.opened_at)))


def auto_finish(deps: Dependencies, now: datetime | None = None) -> int:
    return handlers.auto_finish_idle_sessions(deps.unit_of_work(), now=now or datetime.now(UTC))


def test_an_idle_session_is_finished_automatically(
    client: TestClient, rt: ServiceRuntime, deps: Dependencies, member: Member, headers: Headers
) -> None:
    at = datetime.now(UTC) - timedelta(hours=3, minutes=1)
    client.post(
        member.sets_path, json={**BENCH, "performed_at": at.isoformat()}, headers=headers(key="1")
    )
    assert auto_finish(deps) == 1
    [ws] = sessions(rt)
    assert ws.finished_automatically
    assert ws.finished_at == at
    finished = outbox(rt)[-1]
    assert finished["event_type"] == "SessionFinished"
    assert (finished["automatic"], finished["set_count"], finished["seq"]) == (True, 1, 2)
    assert auto_finish(deps) == 0


def test_a_recent_session_stays_open(
    client: TestClient, deps: Dependencies, member: Member, headers: Headers
) -> None:
    at = datetime.now(UTC) - timedelta(hours=2, minutes=59)
    client.post(
        member.sets_path, json={**BENCH, "performed_at": at.isoformat()}, headers=headers(key="1")
    )
    assert auto_finish(deps) == 0
    assert auto_finish(deps, at + timedelta(hours=3)) == 1


def test_a_set_after_3_hours_starts_a_new_session(
    client: TestClient, rt: ServiceRuntime, member: Member, headers: Headers
) -> None:
    # Even when the periodic task has not run yet.
    now = datetime.now(UTC)
    early = now - timedelta(hours=3, minutes=30)
    first = client.post(
        member.sets_path,
        json={**BENCH, "performed_at": early.isoformat()},
        headers=headers(key="1"),
    ).json()
    second = client.post(member.sets_path, json=BENCH, headers=headers(key="2")).json()
    assert first["session_id"] != second["session_id"]
    assert [e["event_type"] for e in outbox(rt)] == ["SetLogged", "SessionFinished", "SetLogged"]
    assert [e["seq"] for e in outbox(rt)] == [1, 2, 3]
    assert outbox(rt)[1]["automatic"] is True


def test_the_periodic_tasks_are_scheduled_and_run(
    client: TestClient, rt: ServiceRuntime, deps: Dependencies, member: Member, headers: Headers
) -> None:
    schedule = rt.celery.conf.beat_schedule
    assert {entry["task"] for entry in schedule.values()} == {AUTO_FINISH_TASK, FORGET_KEYS_TASK}
    at = datetime.now(UTC) - timedelta(hours=4)
    client.post(
        member.sets_path, json={**BENCH, "performed_at": at.isoformat()}, headers=headers(key="1")
    )
    # Run in this process, as the worker would run it.
    assert rt.celery.tasks[AUTO_FINISH_TASK].apply().get() == 1
    assert rt.celery.tasks[FORGET_KEYS_TASK].apply().get() == 0
    later = datetime.now(UTC) + timedelta(days=8)
    assert handlers.forget_old_idempotency_keys(deps.unit_of_work(), now=later) == 1
