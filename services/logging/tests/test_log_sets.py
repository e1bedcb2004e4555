"""Logging sets through the internal API, on PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from logging_service.repository import LoggedSetRow, WorkoutSession
from myokine.service_runtime import ServiceRuntime

from .conftest import Headers, Member


def outbox(rt: ServiceRuntime) -> list[dict[str, Any]]:
    o = rt.tables.outbox
    with rt.sessions() as s:
        return [r.body for r in s.execute(select(o.c.body).order_by(o.c.id))]


def count(rt: ServiceRuntime, model: type[Any]) -> int:
    with rt.sessions() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


BENCH = {"exercise": "bench-press", "load": 100, "unit": "kg", "reps": 8}


def test_a_set_is_stored_answered_and_emitted(
    client: TestClient, rt: ServiceRuntime, member: Member, headers: Headers
) -> None:
    r = client.post(member.sets_path, json={**BENCH, "rpe": 8.5}, headers=headers(key="k1"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) >= {
        "id",
        "session_id",
        "exercise",
        "load",
        "unit",
        "load_kg",
        "reps",
        "rpe",
        "warmup",
        "performed_at",
        "local_date",
        "set_number",
    }
    assert (body["load_kg"], body["reps"], body["rpe"], body["set_number"]) == (100, 8, 8.5, 1)
    [event] = outbox(rt)
    assert event["event_type"] == "SetLogged"
    assert event["seq"] == 1
    assert event["member_id"] == str(member.member_id)
    assert event["chain_id"] == str(member.chain_id)
    assert event["set"]["set_id"] == body["id"]
    assert event["set"]["gym_id"] == str(member.gym_id)


def test_pounds_in_exact_kilograms_out(
    client: TestClient, member: Member, headers: Headers
) -> None:
    r = client.post(
        member.sets_path, json={**BENCH, "load": 225, "unit": "lb"}, headers=headers(key="lb")
    )
    assert r.status_code == 201, r.text
    assert (r.json()["load"], r.json()["unit"], r.json()["load_kg"]) == (225, "lb", 102.05828325)


def test_local_date_is_the_gyms(client: TestClient, member: Member, headers: Headers) -> None:
    # 23:30 UTC is already tomorrow in Berlin, still today in Los Angeles.
    now = datetime.now(UTC)
    at = (now - timedelta(days=1)).replace(hour=23, minute=30, second=0, microsecond=0)
    body = {**BENCH, "performed_at": at.isoformat()}
    berlin = client.post(member.sets_path, json=body, headers=headers(key="a"))
    assert berlin.json()["local_date"] == (at + timedelta(days=1)).date().isoformat()
    other = Member(member.chain_id, uuid.uuid4(), member.gym_id, member.kiosk_id)
    la = client.post(
        other.sets_path,
        json=body,
        headers=headers(key="b", sub=str(other.member_id), tz="America/Los_Angeles"),
    )
    assert la.json()["local_date"] == at.date().isoformat()


def test_sets_share_the_days_session_and_number_per_exercise(
    client: TestClient, rt: ServiceRuntime, member: Member, headers: Headers
) -> None:
    answers = [
        client.post(member.sets_path, json={**BENCH, "exercise": ex}, headers=headers(key=k)).json()
        for k, ex in [("1", "bench-press"), ("2", "bench-press"), ("3", "deadlift")]
    ]
    assert len({a["session_id"] for a in answers}) == 1
    assert [a["set_number"] for a in answers] == [1, 2, 1]
    assert [e["seq"] for e in outbox(rt)] == [1, 2, 3]
    assert count(rt, WorkoutSession) == 1


def test_every_bad_field_is_named_and_nothing_is_written(
    client: TestClient, rt: ServiceRuntime, member: Member, headers: Headers
) -> None:
    future = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    bad = {
        "exercise": "bench-press",
        "load": 1200,
        "unit": "kg",
        "reps": 101,
        "rpe": 7.3,
        "performed_at": future,
    }
    r = client.post(member.sets_path, json=bad, headers=headers(key="bad"))
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["type"].endswith("/validation")
    assert {e["field"] for e in problem["errors"]} == {"load", "reps", "rpe", "performed_at"}
    assert count(rt, LoggedSetRow) == count(rt, WorkoutSession) == 0
    assert outbox(rt) == []


def test_ill_typed_fields_are_named_too(
    client: TestClient, member: Member, headers: Headers
) -> None:
    r = client.post(
        member.sets_path,
        json={"exercise": "bench-press", "load": "heavy", "reps": "many"},
        headers=headers(key="typed"),
    )
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"load", "reps", "unit"}


def test_old_and_naive_times_are_refused(
    client: TestClient, member: Member, headers: Headers
) -> None:
    old = (datetime.now(UTC) - timedelta(days=8)).isoformat()
    naive = datetime.now(UTC).replace(tzinfo=None).isoformat()
    for key, at in (("old", old), ("naive", naive)):
        r = client.post(
            member.sets_path, json={**BENCH, "performed_at": at}, headers=headers(key=key)
        )
        assert r.status_code == 422
        assert [e["field"] for e in r.json()["errors"]] == ["performed_at"]


def test_the_idempotency_key_is_required(
    client: TestClient, member: Member, headers: Headers
) -> None:
    r = client.post(member.sets_path, json=BENCH, headers=headers())
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["Idempotency-Key"]


def test_callers_are_checked(client: TestClient, member: Member, headers: Headers) -> None:
    assert (
        client.post(member.sets_path, json=BENCH, headers={"Idempotency-Key": "x"}).status_code
        == 401
    )
    forged = {"Authorization": "Bearer not-a-token", "Idempotency-Key": "x"}
    assert client.post(member.sets_path, json=BENCH, headers=forged).status_code == 401
    other = headers(key="x", sub=str(uuid.uuid4()))
    assert client.post(member.sets_path, json=BENCH, headers=other).status_code == 403
    kiosk = headers("kiosk", key="x")
    assert client.post(member.sets_path, json=BENCH, headers=kiosk).status_code == 403
    no_zone = headers(key="x", tz=None)
    assert client.post(member.sets_path, json=BENCH, headers=no_zone).status_code == 400


def test_a_trainer_logs_for_a_member(client: TestClient, member: Member, headers: Headers) -> None:
    r = client.post(member.sets_path, json=BENCH, headers=headers("trainer", key="t"))
    assert r.status_code == 201


def test_another_chain_sees_nothing(client: TestClient, member: Member, headers: Headers) -> None:
    client.post(member.sets_path, json=BENCH, headers=headers(key="1"))
    today = client.post(member.sets_path, json=BENCH, headers=headers(key="2")).json()["local_date"]
    other_chain = headers("trainer", chain=uuid.uuid4())
    r = client.get(member.sets_path, params={"local_date": today}, headers=other_chain)
    assert r.status_code == 200
    assert r.json() == []
    mine = client.get(member.sets_path, params={"local_date": today}, headers=headers())
    assert len(mine.json()) == 2


def test_finish_emits_session_finished(
    client: TestClient, rt: ServiceRuntime, member: Member, headers: Headers
) -> None:
    finish = member.path("sessions/finish")
    assert client.post(finish, headers=headers()).status_code == 404
    s = client.post(
        member.sets_path, json={**BENCH, "program_day": "A"}, headers=headers(key="1")
    ).json()
    client.post(member.sets_path, json=BENCH, headers=headers(key="2"))
    r = client.post(finish, headers=headers())
    assert r.status_code == 200, r.text
    assert (r.json()["session_id"], r.json()["sets"]) == (s["session_id"], 2)
    events = outbox(rt)
    assert [e["event_type"] for e in events] == ["SetLogged", "SetLogged", "SessionFinished"]
    assert [e["seq"] for e in events] == [1, 2, 3]
    finished = events[-1]
    assert (finished["set_count"], finished["automatic"], finished["program_day"]) == (
        2,
        False,
        "A",
    )
    assert client.post(finish, headers=headers()).status_code == 404
    again = client.post(member.sets_path, json=BENCH, headers=headers(key="3")).json()
    assert again["session_id"] != s["session_id"]


def test_sessions_open_explicitly(client: TestClient, member: Member, headers: Headers) -> None:
    opened = client.post(member.path("sessions"), json={"program_day": "B"}, headers=headers())
    assert opened.status_code == 201, opened.text
    same = client.post(member.path("sessions"), headers=headers())
    assert same.status_code == 200
    assert same.json()["id"] == opened.json()["id"]
    s = client.post(member.sets_path, json=BENCH, headers=headers(key="1")).json()
    assert s["session_id"] == opened.json()["id"]


def test_a_set_keeps_its_session_up_to_date(
    client: TestClient, rt: ServiceRuntime, member: Member, headers: Headers
) -> None:
    """The one statement that stores a set also moves its session's last set time forward
    (never back, for a set logged late) and gives it the set's program day when it had none."""
    opened = client.post(member.path("sessions"), headers=headers()).json()
    now = datetime.now(UTC)
    late = {**BENCH, "performed_at": (now - timedelta(minutes=5)).isoformat()}
    first = {**BENCH, "program_day": "A", "performed_at": now.isoformat()}
    for key, body in (("1", first), ("2", late)):
        r = client.post(member.sets_path, json=body, headers=headers(key=key))
        assert r.status_code == 201, r.text
        assert r.json()["session_id"] == opened["id"]
    with rt.sessions() as s:
        ws = s.get_one(WorkoutSession, uuid.UUID(opened["id"]))
        assert (ws.program_day, ws.last_set_at) == ("A", now)
    assert [e["seq"] for e in outbox(rt)] == [1, 2]
