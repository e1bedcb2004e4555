"""The catalog routes on PostgreSQL: seeded per chain on first call, admins add exercises."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

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
from program_service.schemas import ExerciseIn

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


def test_every_route_wants_an_internal_token(client: TestClient) -> None:
    assert client.get(EXERCISES).status_code == 401
    bad = client.get(EXERCISES, headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401
    assert bad.json()["type"].endswith("/unauthorized")
