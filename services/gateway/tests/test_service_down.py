"""A service that does not answer: 503 with Retry-After, never 500, problem+json."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/kiosk/today", None),
        ("POST", "/v1/kiosk/sets", {"exercise": "deadlift", "load": 100, "reps": 5}),
        ("POST", "/v1/kiosk/finish", None),
        ("GET", "/v1/kiosk/progress", None),
    ],
)
def test_kiosk_calls_answer_503_with_retry_after(gate, world, method, path, body) -> None:
    token = gate.identify(world.a.kiosk_tokens[0], "A1", world.a.pins[0])
    answer = gate.client.request(
        method,
        path,
        json=body,
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k-1"},
    )
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "7"
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["type"] == "https://myokine.dev/problems/unavailable"
    assert problem["service"] in ("program", "logging", "progression")


def test_trainer_calls_answer_503_with_retry_after(gate, world) -> None:
    token = gate.sign_in(world.a.trainer_email)
    answer = gate.client.get("/v1/exercises", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "7"


def test_kiosk_writes_require_an_idempotency_key(gate, world) -> None:
    token = gate.identify(world.a.kiosk_tokens[0], "A1", world.a.pins[0])
    answer = gate.client.post(
        "/v1/kiosk/sets",
        json={"exercise": "deadlift", "load": 100, "reps": 5},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "Idempotency-Key"


def test_invalid_set_names_the_field(gate, world) -> None:
    token = gate.identify(world.a.kiosk_tokens[0], "A1", world.a.pins[0])
    answer = gate.client.post(
        "/v1/kiosk/sets",
        json={"exercise": "deadlift", "load": 100, "reps": 101, "rpe": 7.3},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k"},
    )
    assert answer.status_code == 422
    assert {e["field"] for e in answer.json()["errors"]} == {"reps", "rpe"}
