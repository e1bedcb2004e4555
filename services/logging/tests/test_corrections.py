"""Corrections and voids on PostgreSQL: the 24 h rule, the audit trail, the events."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from logging_service.repository import LoggedSetRow
from myokine.service_runtime import ServiceRuntime

from .conftest import Headers, Member

BENCH = {"exercise": "bench-press", "load": 100, "unit": "kg", "reps": 8, "rpe": 8}


def outbox(rt: ServiceRuntime) -> list[dict[str, Any]]:
    o = rt.tables.outbox
    with rt.sessions() as s:
        return [r.body for r in s.execute(select(o.c.body).order_by(o.c.id))]


def log(client: TestClient, member: Member, headers: Headers, key: str = "s") -> dict[str, Any]:
    r = client.post(member.sets_path, json=BENCH, headers=headers(key=key))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def age(rt: ServiceRuntime, set_id: str, by: timedelta) -> None:
    """Pretend the set was logged `by` ago."""
    with rt.sessions.begin() as s:
        s.execute(
            update(LoggedSetRow)
            .where(LoggedSetRow.id == set_id)
            .values(logged_at=LoggedSetRow.logged_at - by)
        )


def test_a_member_corrects_a_typo(
    client: TestClient, rt: ServiceRuntime, member: Member, headers: Headers
) -> None:
    s = log(client, member, headers)
    path = member.path(f"sets/{s['id']}")
    r = client.patch(path, json={"reps": 10, "reason": "typo"}, headers=headers())
    assert r.status_code == 200, r.text
    assert (r.json()["reps"], r.json()["load_kg"], r.json()["rpe"]) == (10, 100, 8)
    assert r.json()["corrected_at"] is not None
    corrected = outbox(rt)[-1]
    assert corrected["event_type"] == "SetCorrected"
    assert corrected["seq"] == 2
    assert (corrected["set"]["reps"], corrected["previous"]["reps"]) == (10, 8)
    detail = client.get(path, headers=headers()).json()
    [change] = detail["changes"]
    assert change["action"] == "corrected"
    assert change["changed_by"] == str(member.member_id)
    assert change["changed_by_role"] == "member"
    assert (change["before"]["reps"], change["after"]["reps"], change["reason"]) == (8, 10, "typo")


def test_a_unit_correction_rereads_the_number(
    client: TestClient, member: Member, headers: Headers
) -> None:
    s = log(client, member, headers)
    r = client.patch(member.path(f"sets/{s['id']}"), json={"unit": "lb"}, headers=headers())
    assert (r.json()["load"], r.json()["unit"], r.json()["load_kg"]) == (100, "lb", 45.359237)


def test_rpe_is_cleared_with_null(client: TestClient, member: Member, headers: Headers) -> None:
    s = log(client, member, headers)
    r = client.patch(member.path(f"sets/{s['id']}"), json={"rpe": None}, headers=headers())
    assert r.json()["rpe"] is None


def test_corrections_are_validated(
    client: TestClient, rt: ServiceRuntime, member: Member, headers: Headers
) -> None:
    s = log(client, member, headers)
    path = member.path(f"sets/{s['id']}")
    r = client.patch(path, json={"reps": 300, "rpe": 12}, headers=headers())
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"reps", "rpe"}
    assert client.patch(path, json={}, headers=headers()).status_code == 422
    assert [e["event_type"] for e in outbox(rt)] == ["SetLogged"]


def test_changing_the_exercise_renumbers_the_set(
    client: TestClient, member: Member, headers: Headers
) -> None:
    log(client, member, headers, "1")
    squat = client.post(
        member.sets_path, json={**BENCH, "exercise": "deadlift"}, headers=headers(key="2")
    ).json()
    r = client.patch(
        member.path(f"sets/{squat['id']}"), json={"exercise": "bench-press"}, headers=headers()
    )
    assert (r.json()["exercise"], r.json()["set_number"]) == ("bench-press", 2)


def test_a_member_voids_and_the_set_stops_counting(
    client: TestClient, rt: ServiceRuntime, member: Member, headers: Headers
) -> None:
    s = log(client, member, headers)
    path = member.path(f"sets/{s['id']}")
    r = client.delete(path, params={"reason": "wrong machine"}, headers=headers())
    assert r.status_code == 200, r.text
    assert r.json()["voided_at"] is not None
    assert outbox(rt)[-1]["event_type"] == "SetVoided"
    day = client.get(member.sets_path, params={"local_date": s["local_date"]}, headers=headers())
    assert day.json() == []
    assert client.delete(path, headers=headers()).status_code == 409
    assert client.patch(path, json={"reps": 3}, headers=headers()).status_code == 409
    [change] = client.get(path, headers=headers()).json()["changes"]
    assert (change["action"], change["reason"]) == ("voided", "wrong machine")
    assert change["after"]["voided_at"] is not None
    finish = client.post(member.path("sessions/finish"), headers=headers())
    assert finish.json()["sets"] == 0


def test_members_have_24_hours_staff_any_time(
    client: TestClient, rt: ServiceRuntime, member: Member, headers: Headers
) -> None:
    s = log(client, member, headers)
    path = member.path(f"sets/{s['id']}")
    age(rt, s["id"], timedelta(hours=23))
    assert client.patch(path, json={"reps": 9}, headers=headers()).status_code == 200
    age(rt, s["id"], timedelta(hours=2))
    late = client.patch(path, json={"reps": 10}, headers=headers())
    assert late.status_code == 403
    assert client.delete(path, headers=headers()).status_code == 403
    age(rt, s["id"], timedelta(days=60))
    trainer = headers("trainer")
    assert client.patch(path, json={"reps": 10}, headers=trainer).status_code == 200
    assert client.delete(path, headers=trainer).status_code == 200
    changes = client.get(path, headers=trainer).json()["changes"]
    assert [c["changed_by_role"] for c in changes] == ["member", "trainer", "trainer"]
    assert [e["seq"] for e in outbox(rt)] == [1, 2, 3, 4]


def test_unknown_or_foreign_sets_are_not_found(
    client: TestClient, member: Member, headers: Headers
) -> None:
    s = log(client, member, headers)
    other_member = "00000000-0000-4000-8000-000000000009"
    foreign = f"/internal/v1/members/{other_member}/sets/{s['id']}"
    assert client.patch(foreign, json={"reps": 9}, headers=headers("trainer")).status_code == 404
    missing = member.path("sets/00000000-0000-4000-8000-000000000000")
    assert client.delete(missing, headers=headers()).status_code == 404


def test_a_correction_key_is_replayed(
    client: TestClient, rt: ServiceRuntime, member: Member, headers: Headers
) -> None:
    s = log(client, member, headers)
    path = member.path(f"sets/{s['id']}")
    first = client.patch(path, json={"reps": 9}, headers=headers(key="c"))
    again = client.patch(path, json={"reps": 9}, headers=headers(key="c"))
    assert again.content == first.content
    assert client.patch(path, json={"reps": 7}, headers=headers(key="c")).status_code == 409
    assert [e["event_type"] for e in outbox(rt)] == ["SetLogged", "SetCorrected"]
