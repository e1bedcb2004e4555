"""Idempotency-Key on PostgreSQL: retries get the first answer; 20 racing copies, one set."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from logging_service.repository import LoggedSetRow
from myokine.service_runtime import ServiceRuntime

from .conftest import Headers, Member

BENCH = {"exercise": "bench-press", "load": 100, "unit": "kg", "reps": 8}


def sets_stored(rt: ServiceRuntime) -> int:
    with rt.sessions() as s:
        return s.scalar(select(func.count()).select_from(LoggedSetRow)) or 0


def events_stored(rt: ServiceRuntime) -> int:
    with rt.sessions() as s:
        return s.scalar(select(func.count()).select_from(rt.tables.outbox)) or 0


def test_same_key_same_body_gets_the_first_answer(
    client: TestClient, rt: ServiceRuntime, member: Member, headers: Headers
) -> None:
    first = client.post(member.sets_path, json=BENCH, headers=headers(key="k"))
    # The same body, spelled differently (key order, spacing): still the same request.
    spelled = '{ "reps": 8, "unit": "kg",  "load": 100, "exercise": "bench-press" }'
    again = client.post(
        member.sets_path,
        content=spelled,
        headers={**headers(key="k"), "Content-Type": "application/json"},
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content
    assert sets_stored(rt) == events_stored(rt) == 1


def test_same_key_other_body_is_a_conflict(
    client: TestClient, rt: ServiceRuntime, member: Member, headers: Headers
) -> None:
    client.post(member.sets_path, json=BENCH, headers=headers(key="k"))
    r = client.post(member.sets_path, json={**BENCH, "reps": 9}, headers=headers(key="k"))
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    assert sets_stored(rt) == 1


def test_a_refused_request_does_not_burn_its_key(
    client: TestClient, rt: ServiceRuntime, member: Member, headers: Headers
) -> None:
    bad = client.post(member.sets_path, json={**BENCH, "reps": 500}, headers=headers(key="k"))
    assert bad.status_code == 422
    # The kiosk fixed the typo and retried with the same key: nothing was half-written.
    assert (
        client.post(
            member.sets_path, json={**BENCH, "reps": 5}, headers=headers(key="k")
        ).status_code
        == 201
    )


def test_keys_belong_to_one_member(
    client: TestClient, rt: ServiceRuntime, member: Member, headers: Headers
) -> None:
    trainer = headers("trainer", key="shared")
    other_sets = f"/internal/v1/members/{uuid.uuid4()}/sets"
    assert client.post(member.sets_path, json=BENCH, headers=trainer).status_code == 201
    assert client.post(other_sets, json=BENCH, headers=trainer).status_code == 201
    assert sets_stored(rt) == 2


def test_twenty_concurrent_copies_make_exactly_one_set(
    client: TestClient, rt: ServiceRuntime, member: Member, headers: Headers
) -> None:
    copies = 20
    start = Barrier(copies)
    h = headers(key="race")

    def send(_: int) -> tuple[int, bytes]:
        with TestClient(client.app) as c:
            start.wait()
            r = c.post(member.sets_path, json=BENCH, headers=h)
            return r.status_code, r.content

    with ThreadPoolExecutor(copies) as pool:
        answers = list(pool.map(send, range(copies)))
    assert {status for status, _ in answers} == {201}
    assert len({body for _, body in answers}) == 1
    assert sets_stored(rt) == events_stored(rt) == 1


def test_finish_with_a_key_is_replayed(
    client: TestClient, rt: ServiceRuntime, member: Member, headers: Headers
) -> None:
    client.post(member.sets_path, json=BENCH, headers=headers(key="s"))
    first = client.post(member.path("sessions/finish"), headers=headers(key="f"))
    again = client.post(member.path("sessions/finish"), headers=headers(key="f"))
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.content == first.content
    assert events_stored(rt) == 2


def test_concurrent_sets_of_one_member_are_numbered_in_one_order(
    client: TestClient, rt: ServiceRuntime, member: Member, headers: Headers
) -> None:
    copies = 12
    start = Barrier(copies)

    def send(i: int) -> dict[str, object]:
        with TestClient(client.app) as c:
            start.wait()
            r = c.post(member.sets_path, json=BENCH, headers=headers(key=f"set-{i}"))
            assert r.status_code == 201, r.text
            body: dict[str, object] = r.json()
            return body

    with ThreadPoolExecutor(copies) as pool:
        answers = list(pool.map(send, range(copies)))
    assert len({a["session_id"] for a in answers}) == 1
    assert sorted(int(str(a["set_number"])) for a in answers) == list(range(1, copies + 1))
    o = rt.tables.outbox
    with rt.sessions() as s:
        bodies = [r.body for r in s.execute(select(o.c.body).order_by(o.c.id))]
    # Outbox order, sequence order and set-number order agree.
    assert [b["seq"] for b in bodies] == list(range(1, copies + 1))
    numbers = {a["id"]: a["set_number"] for a in answers}
    assert [numbers[b["set"]["set_id"]] for b in bodies] == list(range(1, copies + 1))
