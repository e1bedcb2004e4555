"""The catalog routes on PostgreSQL: seeded per chain on first call, admins add exercises."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from myokine.catalog import DEFAULT_CATALOG, PROTOCOL_EXERCISES, Equipment
from myokine.internal_auth import Caller
from myokine.patterns import Pattern
from myokine.problems import Conflict
from myokine.service_runtime import ServiceRuntime
from program_service import handlers, queries
from program_service.bootstrap import Dependencies
from program_service.repository import Exercise, Program
from program_service.schemas import ExerciseChange, ExerciseIn

EXERCISES = "/internal/v1/exercises"
Headers = Callable[..., dict[str, str]]


def test_a_chain_gets_the_default_catalog_on_its_first_call(
    client: TestClient, headers: Headers
) -> None:
    response = client.get(EXERCISES, headers=headers())
    assert response.status_code == 200
    body = response.json()
    assert [e["slug"] for e in body] == [e.slug for e in DEFAULT_CATALOG]
    slugs = {e["slug"] for e in body}
    assert {e.slug for e in PROTOCOL_EXERCISES} <= slugs
    swing = next(e for e in body if e["slug"] == "kettlebell-swing")
    assert swing == {
        "slug": "kettlebell-swing",
        "name": "Kettlebell swing",
        "pattern": "hinge",
        "equipment": "kettlebell",
        "load_step_kg": 4,
        "bodyweight": False,
        "builtin": True,
    }
    pull_up = next(e for e in body if e["slug"] == "pull-up")
    assert pull_up["bodyweight"] is True


def test_seeding_is_idempotent_and_per_chain(
    client: TestClient, headers: Headers, migrated: ServiceRuntime
) -> None:
    other = uuid.uuid4()
    for _ in range(3):
        assert client.get(EXERCISES, headers=headers()).status_code == 200
    assert client.get(EXERCISES, headers=headers(chain_id=other)).status_code == 200
    with migrated.sessions() as session:
        per_chain = dict(
            session.execute(
                select(Exercise.chain_id, func.count()).group_by(Exercise.chain_id)
            ).all()
        )
        programs = session.scalar(select(func.count()).select_from(Program))
    assert sorted(per_chain.values()) == [len(DEFAULT_CATALOG)] * 2
    assert programs == 6


def test_concurrent_first_calls_seed_once(
    db: None, migrated: ServiceRuntime, deps: Dependencies
) -> None:
    caller = Caller(sub="t", role="trainer", chain_id=uuid.uuid4())
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(
            pool.map(lambda _: queries.list_exercises(deps.unit_of_work(), caller), range(6))
        )
    assert all(len(r) == len(DEFAULT_CATALOG) for r in results)
    with migrated.sessions() as session:
        count = session.scalar(
            select(func.count()).select_from(Exercise).where(Exercise.chain_id == caller.chain_id)
        )
    assert count == len(DEFAULT_CATALOG)


def test_a_chain_admin_adds_an_exercise_with_a_stable_slug(
    client: TestClient, headers: Headers
) -> None:
    admin = headers("chain_admin", sub="admin-1")
    response = client.post(
        EXERCISES,
        headers=admin,
        json={"name": "Bulgarian split squat", "pattern": "squat", "equipment": "dumbbell"},
    )
    assert response.status_code == 201, response.text
    assert response.json() == {
        "slug": "bulgarian-split-squat",
        "name": "Bulgarian split squat",
        "pattern": "squat",
        "equipment": "dumbbell",
        "load_step_kg": 2.5,
        "bodyweight": False,
        "builtin": False,
    }
    listed = client.get(EXERCISES, headers=headers()).json()
    assert listed[-1]["slug"] == "bulgarian-split-squat"

    again = client.post(
        EXERCISES,
        headers=admin,
        json={"name": "Bulgarian Split Squat", "pattern": "squat", "equipment": "barbell"},
    )
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")


def test_concurrent_adds_of_one_slug_make_one_exercise(db: None, deps: Dependencies) -> None:
    admin = Caller(sub="admin", role="chain_admin", chain_id=uuid.uuid4())
    new = ExerciseIn(name="Hack squat", pattern=Pattern.SQUAT, equipment=Equipment.MACHINE)

    def add(_: int) -> str:
        try:
            return handlers.add_exercise(deps.unit_of_work(), admin, new).slug
        except Conflict:
            return "conflict"

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = sorted(pool.map(add, range(4)))
    assert results == ["conflict"] * 3 + ["hack-squat"]


def test_an_admin_may_choose_the_slug_and_the_load_step(
    client: TestClient, headers: Headers
) -> None:
    response = client.post(
        EXERCISES,
        headers=headers("chain_admin"),
        json={
            "name": "Ring row",
            "slug": "ring-row",
            "pattern": "pull",
            "equipment": "bodyweight",
            "load_step_kg": "2.5",
        },
    )
    assert response.status_code == 201
    assert response.json()["load_step_kg"] == 2.5
    assert response.json()["bodyweight"] is True


def test_a_chain_sees_only_its_own_exercises(client: TestClient, headers: Headers) -> None:
    client.post(
        EXERCISES,
        headers=headers("chain_admin"),
        json={"name": "Sled push", "pattern": "push", "equipment": "machine"},
    )
    other = client.get(EXERCISES, headers=headers(chain_id=uuid.uuid4())).json()
    assert "sled-push" not in {e["slug"] for e in other}


def test_trainers_do_not_add_exercises(client: TestClient, headers: Headers) -> None:
    response = client.post(
        EXERCISES,
        headers=headers("trainer"),
        json={"name": "Sled push", "pattern": "push", "equipment": "machine"},
    )
    assert response.status_code == 403


def test_bad_exercises_are_refused_naming_the_field(client: TestClient, headers: Headers) -> None:
    response = client.post(
        EXERCISES,
        headers=headers("chain_admin"),
        json={"name": "Curl", "pattern": "biceps", "equipment": "dumbbell"},
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["pattern"]
    bad_slug = client.post(
        EXERCISES,
        headers=headers("chain_admin"),
        json={"name": "Curl", "slug": "Curl!", "pattern": "pull", "equipment": "dumbbell"},
    )
    assert bad_slug.status_code == 422
    nameless = client.post(
        EXERCISES,
        headers=headers("chain_admin"),
        json={"name": "!!!", "pattern": "pull", "equipment": "dumbbell"},
    )
    assert nameless.status_code == 422


def outbox(runtime: ServiceRuntime) -> list[dict[str, Any]]:
    """The events in the outbox, oldest first, as they will travel."""
    table = runtime.tables.outbox
    with runtime.sessions() as session:
        return [dict(body) for body in session.scalars(select(table.c.body).order_by(table.c.id))]


def add_sled_push(client: TestClient, headers: Headers) -> None:
    response = client.post(
        EXERCISES,
        headers=headers("chain_admin"),
        json={"name": "Sled push", "pattern": "push", "equipment": "machine"},
    )
    assert response.status_code == 201, response.text


def test_a_chain_admin_changes_an_own_exercise_as_its_next_version(
    client: TestClient, headers: Headers, migrated: ServiceRuntime, chain_id: uuid.UUID
) -> None:
    add_sled_push(client, headers)
    admin = {**headers("chain_admin"), "Idempotency-Key": "change-1"}
    change = {"equipment": "assisted", "load_step_kg": 2.5}
    response = client.patch(f"{EXERCISES}/sled-push", headers=admin, json=change)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "slug": "sled-push",
        "name": "Sled push",
        "pattern": "push",
        "equipment": "assisted",
        "load_step_kg": 2.5,
        "bodyweight": False,
        "builtin": False,
    }
    listed = client.get(EXERCISES, headers=headers()).json()
    assert listed[-1] == response.json()

    retried = client.patch(f"{EXERCISES}/sled-push", headers=admin, json=change)
    assert (retried.status_code, retried.json()) == (200, response.json())
    # Sent back as read, nothing changed: still 200, and no new version.
    same = client.patch(f"{EXERCISES}/sled-push", headers=headers("chain_admin"), json=listed[-1])
    assert (same.status_code, same.json()) == (200, response.json())

    events = outbox(migrated)
    assert [(e["event_type"], e["version"]) for e in events] == [
        ("ExerciseAdded", 1),
        ("ExerciseChanged", 2),
    ]
    changed = events[1]
    assert Decimal(changed.pop("load_step_kg")) == Decimal("2.5")
    assert changed | {"event_id": None, "occurred_at": None, "request_id": None} == {
        "event_id": None,
        "occurred_at": None,
        "request_id": None,
        "event_type": "ExerciseChanged",
        "schema_version": 1,
        "chain_id": str(chain_id),
        "slug": "sled-push",
        "name": "Sled push",
        "pattern": "push",
        "equipment": "assisted",
        "bodyweight": False,
        "version": 2,
    }


def test_changes_that_cannot_be_made_are_refused_with_a_problem(
    client: TestClient, headers: Headers, migrated: ServiceRuntime
) -> None:
    add_sled_push(client, headers)
    admin = headers("chain_admin")

    def change(slug: str, body: dict[str, Any], who: dict[str, str] = admin) -> Any:
        return client.patch(f"{EXERCISES}/{slug}", headers=who, json=body)

    for body, field in (
        ({"pattern": "biceps"}, "pattern"),
        ({"equipment": "trampoline"}, "equipment"),
        ({"load_step_kg": 0}, "load_step_kg"),
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"sets": 3}, "sets"),
    ):
        refused = change("sled-push", body)
        assert refused.status_code == 422, body
        assert [e["field"] for e in refused.json()["errors"]] == [field]
    assert change("moon-walk", {"name": "Moon walk"}).status_code == 404
    assert change("sled-push", {"name": "Sled"}, headers("trainer")).status_code == 403
    builtin = change("barbell-back-squat", {"name": "Squat"})
    assert builtin.status_code == 409
    assert builtin.headers["content-type"].startswith("application/problem+json")
    assert "built-in" in builtin.json()["detail"]
    assert [e["event_type"] for e in outbox(migrated)] == ["ExerciseAdded"]


def test_concurrent_changes_of_one_exercise_are_versions_in_turn(
    db: None, deps: Dependencies, migrated: ServiceRuntime
) -> None:
    admin = Caller(sub="admin", role="chain_admin", chain_id=uuid.uuid4())
    handlers.add_exercise(
        deps.unit_of_work(),
        admin,
        ExerciseIn(name="Hack squat", pattern=Pattern.SQUAT, equipment=Equipment.MACHINE),
    )

    def rename(n: int) -> None:
        change = ExerciseChange(name=f"Hack squat {n}")
        handlers.change_exercise(deps.unit_of_work(), admin, "hack-squat", change)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(rename, range(4)))
    versions = [e["version"] for e in outbox(migrated) if e["event_type"] == "ExerciseChanged"]
    assert sorted(versions) == [2, 3, 4, 5]
    with migrated.sessions() as session:
        version = session.scalar(
            select(Exercise.version).where(
                Exercise.chain_id == admin.chain_id, Exercise.slug == "hack-squat"
            )
        )
    assert version == 5


def test_every_route_wants_an_internal_token(client: TestClient) -> None:
    assert client.get(EXERCISES).status_code == 401
    bad = client.get(EXERCISES, headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401
    assert bad.json()["type"].endswith("/unauthorized")
