"""Assignments, their events and today's plan on PostgreSQL, with the rotation driven by
`SessionFinished` as the worker would apply it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from myokine.events import SessionFinished, parse_event
from myokine.internal_auth import Caller
from myokine.service_runtime import ServiceRuntime
from program_service import handlers
from program_service.bootstrap import Dependencies
from program_service.schemas import AssignmentIn, AssignmentOut

Headers = Callable[..., dict[str, str]]
PROGRAMS = "/internal/v1/programs"


def members(member_id: uuid.UUID | str) -> str:
    return f"/internal/v1/members/{member_id}"


def ready_made(client: TestClient, headers: Headers, sessions: int) -> dict[str, Any]:
    programs = client.get(PROGRAMS, headers=headers()).json()
    program: dict[str, Any] = next(
        p for p in programs if p["ready_made"] and p["sessions_per_week"] == sessions
    )
    return program


def assign(
    client: TestClient, headers: Headers, member_id: uuid.UUID, program_id: str, **extra: Any
) -> dict[str, Any]:
    body = {"program_id": program_id, "start_date": "2026-12-01", "weekdays": [5, 1, 3]} | extra
    response = client.post(f"{members(member_id)}/assignments", headers=headers(), json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


Outbox = Callable[[], list[Any]]
Finish = Callable[[SessionFinished], None]


@pytest.fixture
def outbox(migrated: ServiceRuntime) -> Outbox:
    """The events in the outbox, in order."""

    def events() -> list[Any]:
        table = migrated.tables.outbox
        with migrated.sessions() as session:
            bodies = session.scalars(select(table.c.body).order_by(table.c.id)).all()
        return [parse_event(body) for body in bodies]

    return events


@pytest.fixture
def finish(deps: Dependencies) -> Finish:
    """Apply a `SessionFinished` as the worker does, in a unit of work of its own."""

    def apply(event: SessionFinished) -> None:
        handlers.on_session_finished(deps.unit_of_work(), event)

    return apply


def finished(
    chain_id: uuid.UUID,
    member_id: uuid.UUID,
    seq: int,
    day: str | None,
    *,
    assignment_id: uuid.UUID | str | None = None,
    set_count: int = 9,
    occurred_at: datetime | None = None,
) -> SessionFinished:
    return SessionFinished(
        chain_id=chain_id,
        member_id=member_id,
        seq=seq,
        session_id=uuid.uuid4(),
        gym_id=uuid.uuid4(),
        local_date=date(2026, 12, 1) + timedelta(days=seq),
        program_day=day,
        assignment_id=uuid.UUID(str(assignment_id)) if assignment_id else None,
        set_count=set_count,
        occurred_at=occurred_at or datetime.now(UTC),
    )


def today(client: TestClient, headers: Headers, member_id: uuid.UUID) -> dict[str, Any]:
    response = client.get(f"{members(member_id)}/today", headers=headers())
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


# --- assigning ----------------------------------------------------------------------------


def test_assigning_answers_the_assignment_and_emits_program_assigned(
    client: TestClient, headers: Headers, chain_id: uuid.UUID, outbox: Outbox
) -> None:
    member = uuid.uuid4()
    program = ready_made(client, headers, 3)
    body = assign(
        client,
        headers,
        member,
        program["id"],
        starting_loads={"bench-press": "60", "pull-up": 0},
    )
    assert body["member_id"] == str(member)
    assert body["program_id"] == program["id"]
    assert body["program_version"] == 1
    assert body["start_date"] == "2026-12-01"
    assert body["weekdays"] == [1, 3, 5]
    assert body["starting_loads"] == {"bench-press": 60, "pull-up": 0}
    assert body["exception_reason"] is None
    assert body["active"] is True
    assert body["program_name"] == program["name"]

    (event,) = outbox()
    assert event.event_type == "ProgramAssigned"
    assert (event.chain_id, event.member_id, event.seq) == (chain_id, member, 1)
    assert str(event.assignment_id) == body["id"]
    assert event.weekdays == [1, 3, 5]
    planned = {e.exercise: e for e in event.exercises}
    assert set(planned) == {
        "barbell-back-squat",
        "bench-press",
        "barbell-row",
        "deadlift",
        "goblet-squat",
        "overhead-press",
        "pull-up",
    }
    bench = planned["bench-press"]
    assert (bench.pattern, bench.equipment, bench.sets, bench.rep_min, bench.rep_max) == (
        "push",
        "barbell",
        3,
        6,
        10,
    )
    assert str(bench.starting_load_kg) == "60"
    assert planned["pull-up"].bodyweight is True
    assert planned["deadlift"].starting_load_kg is None


def test_reassigning_ends_the_active_one_and_keeps_history(
    client: TestClient, headers: Headers, outbox: Outbox
) -> None:
    member = uuid.uuid4()
    first = assign(client, headers, member, ready_made(client, headers, 3)["id"])
    second = assign(client, headers, member, ready_made(client, headers, 4)["id"])

    events = outbox()
    assert [(e.event_type, e.seq) for e in events] == [
        ("ProgramAssigned", 1),
        ("AssignmentEnded", 2),
        ("ProgramAssigned", 3),
    ]
    assert str(events[1].assignment_id) == first["id"]

    history = client.get(f"{members(member)}/assignments", headers=headers()).json()
    assert [a["id"] for a in history] == [second["id"], first["id"]]
    assert [a["active"] for a in history] == [True, False]
    assert history[1]["ended_at"] is not None
    assert history[1]["ended_by"] == "trainer-1"


def test_ending_the_active_assignment(client: TestClient, headers: Headers, outbox: Outbox) -> None:
    member = uuid.uuid4()
    assigned = assign(client, headers, member, ready_made(client, headers, 2)["id"])
    ended = client.delete(f"{members(member)}/assignments/current", headers=headers())
    assert ended.status_code == 200
    assert (ended.json()["id"], ended.json()["active"]) == (assigned["id"], False)
    assert [(e.event_type, e.seq) for e in outbox()] == [
        ("ProgramAssigned", 1),
        ("AssignmentEnded", 2),
    ]

    gone = client.get(f"{members(member)}/today", headers=headers())
    assert gone.status_code == 404
    assert gone.json()["type"].endswith("/no-assignment")
    again = client.delete(f"{members(member)}/assignments/current", headers=headers())
    assert again.status_code == 404
    assert again.json()["type"].endswith("/no-assignment")
    # A refused call leaves no event and uses no sequence number.
    assert len(outbox()) == 2
    history = client.get(f"{members(member)}/assignments", headers=headers()).json()
    assert [a["active"] for a in history] == [False]


def test_concurrent_assignments_leave_one_active_and_numbered_events(
    client: TestClient, headers: Headers, chain_id: uuid.UUID, outbox: Outbox, deps: Dependencies
) -> None:
    member = uuid.uuid4()
    program = uuid.UUID(ready_made(client, headers, 3)["id"])
    caller = Caller(sub="trainer-1", role="trainer", chain_id=chain_id)
    request = AssignmentIn(program_id=program, start_date=date(2026, 12, 1), weekdays=[1, 3, 5])
    now = datetime.now(UTC)

    def assign_once(_: int) -> AssignmentOut:
        return handlers.assign_program(deps.unit_of_work(), caller, member, request, now=now)

    with ThreadPoolExecutor(max_workers=5) as pool:
        done = list(pool.map(assign_once, range(5)))
    history = client.get(f"{members(member)}/assignments", headers=headers()).json()
    assert len(history) == 5
    assert [a["active"] for a in history].count(True) == 1
    assert {a["id"] for a in history} == {str(a.id) for a in done}
    events = outbox()
    assert sorted(e.seq for e in events) == list(range(1, 10))
    assert [e.event_type for e in events].count("AssignmentEnded") == 4


def test_sequence_numbers_are_per_member(
    client: TestClient, headers: Headers, outbox: Outbox
) -> None:
    program = ready_made(client, headers, 3)["id"]
    one, two = uuid.uuid4(), uuid.uuid4()
    assign(client, headers, one, program)
    assign(client, headers, two, program)
    assign(client, headers, one, program)
    seqs = [(e.member_id, e.seq) for e in outbox()]
    assert seqs == [(one, 1), (two, 1), (one, 2), (one, 3)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"starting_loads": {"leg-press": "100"}}, "starting_loads.leg-press"),
        ({"starting_loads": {"bench-press": "-5"}}, "starting_loads.bench-press"),
        ({"starting_loads": {"bench-press": "1000.5"}}, "starting_loads.bench-press"),
        ({"weekdays": [0, 2]}, "weekdays"),
        ({"weekdays": [2, 2]}, "weekdays"),
        ({"weekdays": []}, "weekdays"),
        ({"start_date": "not a date"}, "start_date"),
    ],
)
def test_bad_assignments_are_refused_naming_the_field(
    client: TestClient, headers: Headers, body: dict[str, Any], field: str, outbox: Outbox
) -> None:
    program = ready_made(client, headers, 3)["id"]
    request = {"program_id": program, "start_date": "2026-12-01", "weekdays": [1, 3, 5]} | body
    response = client.post(f"{members(uuid.uuid4())}/assignments", headers=headers(), json=request)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert outbox() == []


def test_assisted_exercises_may_start_below_zero(client: TestClient, headers: Headers) -> None:
    program = client.post(
        PROGRAMS,
        headers=headers(),
        json={
            "name": "Assisted",
            "sessions_per_week": 2,
            "days": [
                {
                    "name": "A",
                    "exercises": [
                        {"exercise": "goblet-squat"},
                        {"exercise": "kettlebell-swing"},
                        {"exercise": "push-up"},
                        {"exercise": "assisted-pull-up"},
                    ],
                }
            ],
        },
    ).json()
    body = assign(
        client, headers, uuid.uuid4(), program["id"], starting_loads={"assisted-pull-up": "-30"}
    )
    assert body["starting_loads"] == {"assisted-pull-up": -30}


def test_an_exception_reason_is_shown_with_the_assignment_and_today(
    client: TestClient, headers: Headers
) -> None:
    program = client.post(
        PROGRAMS,
        headers=headers(),
        json={
            "name": "Rehab",
            "sessions_per_week": 1,
            "days": [
                {
                    "name": "A",
                    "exercises": [{"exercise": "leg-press", "rep_min": 15, "rep_max": 20}],
                }
            ],
            "exception_reason": "Knee rehab: high reps on the machine",
        },
    ).json()
    member = uuid.uuid4()
    assert assign(client, headers, member, program["id"])["exception_reason"] == (
        "Knee rehab: high reps on the machine"
    )
    assert today(client, headers, member)["exception_reason"] == program["exception_reason"]


def test_assigning_an_unknown_program_is_404(client: TestClient, headers: Headers) -> None:
    response = client.post(
        f"{members(uuid.uuid4())}/assignments",
        headers=headers(),
        json={"program_id": str(uuid.uuid4()), "start_date": "2026-12-01", "weekdays": [1]},
    )
    assert response.status_code == 404


def test_only_staff_assign_and_read_history(client: TestClient, headers: Headers) -> None:
    member = uuid.uuid4()
    program = ready_made(client, headers, 3)["id"]
    as_member = headers("member", sub=str(member))
    response = client.post(
        f"{members(member)}/assignments",
        headers=as_member,
        json={"program_id": program, "start_date": "2026-12-01", "weekdays": [1]},
    )
    assert response.status_code == 403
    assert client.get(f"{members(member)}/assignments", headers=as_member).status_code == 403


def test_another_chain_sees_no_assignment(client: TestClient, headers: Headers) -> None:
    member = uuid.uuid4()
    assign(client, headers, member, ready_made(client, headers, 3)["id"])
    stranger = headers(chain_id=uuid.uuid4())
    assert client.get(f"{members(member)}/today", headers=stranger).status_code == 404
    assert client.get(f"{members(member)}/assignments", headers=stranger).json() == []


# --- today's plan and the rotation --------------------------------------------------------


def test_today_starts_on_the_first_day_with_what_the_kiosk_needs(
    client: TestClient, headers: Headers
) -> None:
    member = uuid.uuid4()
    program = ready_made(client, headers, 3)
    assignment = assign(client, headers, member, program["id"], starting_loads={"bench-press": 60})
    plan = today(client, headers, member)
    assert plan["assignment_id"] == assignment["id"]
    assert plan["program_id"] == program["id"]
    assert (plan["program_version"], plan["program_name"]) == (1, program["name"])
    assert plan["exception_reason"] is None
    assert (plan["day"], plan["day_index"], plan["day_count"]) == ("A", 0, 2)
    assert plan["last_trained_day"] is None
    assert [e["exercise"] for e in plan["exercises"]] == [
        "barbell-back-squat",
        "bench-press",
        "barbell-row",
    ]
    bench = plan["exercises"][1]
    swaps = bench.pop("alternatives")
    assert {"exercise": "push-up", "name": "Push-up", "equipment": "bodyweight"} in swaps
    assert "bench-press" not in [s["exercise"] for s in swaps]
    assert bench == {
        "exercise": "bench-press",
        "name": "Bench press",
        "pattern": "push",
        "equipment": "barbell",
        "load_step_kg": 2.5,
        "bodyweight": False,
        "sets": 3,
        "rep_min": 6,
        "rep_max": 10,
        "rest_seconds": 180,
        "notes": None,
        "starting_load_kg": 60,
    }


def test_the_rotation_follows_the_days_actually_trained(
    client: TestClient, headers: Headers, chain_id: uuid.UUID, finish: Finish
) -> None:
    member = uuid.uuid4()
    assignment = assign(client, headers, member, ready_made(client, headers, 4)["id"])["id"]
    assert today(client, headers, member)["day"] == "A"

    finish(finished(chain_id, member, 1, "A", assignment_id=assignment))
    plan = today(client, headers, member)
    assert (plan["day"], plan["last_trained_day"], plan["last_trained_on"]) == (
        "B",
        "A",
        "2026-12-02",
    )
    # Weeks go by without training: a missed day is not skipped.
    assert today(client, headers, member)["day"] == "B"

    for seq, day in ((2, "B"), (3, "C"), (4, "D")):
        finish(finished(chain_id, member, seq, day, assignment_id=assignment))
    assert today(client, headers, member)["day"] == "A"

    # A member who trains another day than shown moves the rotation on from that day.
    finish(finished(chain_id, member, 5, "C", assignment_id=assignment))
    assert today(client, headers, member)["day"] == "D"


def test_a_redelivered_or_older_session_changes_nothing(
    client: TestClient, headers: Headers, chain_id: uuid.UUID, finish: Finish
) -> None:
    member = uuid.uuid4()
    assignment = assign(client, headers, member, ready_made(client, headers, 4)["id"])["id"]
    later = finished(chain_id, member, 7, "B", assignment_id=assignment)
    finish(later)
    finish(later)
    assert today(client, headers, member)["day"] == "C"
    # Session 6 arrives after session 7: it is history, not the latest day.
    finish(finished(chain_id, member, 6, "D", assignment_id=assignment))
    assert today(client, headers, member)["day"] == "C"


def test_a_session_that_names_no_day_was_the_day_shown(
    client: TestClient, headers: Headers, chain_id: uuid.UUID, finish: Finish
) -> None:
    member = uuid.uuid4()
    assign(client, headers, member, ready_made(client, headers, 4)["id"])
    finish(finished(chain_id, member, 1, None))
    finish(finished(chain_id, member, 2, None))
    plan = today(client, headers, member)
    assert (plan["day"], plan["last_trained_day"]) == ("C", "B")


def test_sessions_that_do_not_fit_the_program_leave_the_rotation(
    client: TestClient, headers: Headers, chain_id: uuid.UUID, finish: Finish
) -> None:
    member = uuid.uuid4()
    assignment = assign(client, headers, member, ready_made(client, headers, 4)["id"])["id"]
    finish(finished(chain_id, member, 2, "Z", assignment_id=assignment))
    finish(finished(chain_id, member, 3, "A", assignment_id=assignment, set_count=0))
    finish(finished(chain_id, member, 4, "A", assignment_id=uuid.uuid4()))
    finish(finished(chain_id, uuid.uuid4(), 5, "A", assignment_id=assignment))
    assert today(client, headers, member)["day"] == "A"


def test_a_session_without_an_assignment_id_counts_for_the_active_assignment(
    client: TestClient, headers: Headers, chain_id: uuid.UUID, finish: Finish
) -> None:
    member = uuid.uuid4()
    before = datetime.now(UTC) - timedelta(minutes=5)
    assign(client, headers, member, ready_made(client, headers, 4)["id"])
    # A session that finished before the assignment existed belongs to an earlier one.
    finish(finished(chain_id, member, 1, "C", occurred_at=before))
    assert today(client, headers, member)["day"] == "A"
    finish(finished(chain_id, member, 2, "A"))
    assert today(client, headers, member)["day"] == "B"


def test_a_new_assignment_starts_its_own_rotation(
    client: TestClient, headers: Headers, chain_id: uuid.UUID, finish: Finish
) -> None:
    member = uuid.uuid4()
    program = ready_made(client, headers, 4)["id"]
    first = assign(client, headers, member, program)["id"]
    finish(finished(chain_id, member, 1, "A", assignment_id=first))
    assign(client, headers, member, program)
    assert today(client, headers, member)["day"] == "A"
    # A late session of the old assignment stays with it.
    finish(finished(chain_id, member, 2, "B", assignment_id=first))
    assert today(client, headers, member)["day"] == "A"
    history = client.get(f"{members(member)}/assignments", headers=headers()).json()
    assert history[1]["last_trained_day"] == "B"


def test_a_member_may_read_only_their_own_plan(client: TestClient, headers: Headers) -> None:
    member = uuid.uuid4()
    assign(client, headers, member, ready_made(client, headers, 3)["id"])
    own = client.get(f"{members(member)}/today", headers=headers("member", sub=str(member)))
    assert own.status_code == 200
    other = client.get(f"{members(member)}/today", headers=headers("member", sub=str(uuid.uuid4())))
    assert other.status_code == 403
    kiosk = client.get(f"{members(member)}/today", headers=headers("kiosk", sub="kiosk-1"))
    assert kiosk.status_code == 200


def test_the_worker_has_the_session_finished_consumer(deps: Dependencies) -> None:
    assert "program.SessionFinished" in deps.runtime.celery.tasks


def test_a_retried_assignment_is_assigned_once(
    client: TestClient, headers: Headers, outbox: Outbox
) -> None:
    member = uuid.uuid4()
    program = ready_made(client, headers, 3)["id"]
    keyed = headers() | {"Idempotency-Key": f"demo-assignment-{member}"}
    body = {"program_id": program, "start_date": "2026-12-01", "weekdays": [1, 3, 5]}
    first = client.post(f"{members(member)}/assignments", headers=keyed, json=body)
    again = client.post(f"{members(member)}/assignments", headers=keyed, json=body)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert [e.event_type for e in outbox()] == ["ProgramAssigned"]
    ended = client.delete(f"{members(member)}/assignments/current", headers=keyed)
    assert ended.status_code == 409
