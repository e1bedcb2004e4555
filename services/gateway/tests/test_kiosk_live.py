"""The kiosk API in front of the real services: units, idempotency, stale targets, request ids."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from myokine.units import Unit, from_kg

PROGRAM = {
    "name": "Kiosk A/B",
    "sessions_per_week": 3,
    "days": [
        {
            "name": "A",
            "exercises": [
                {"exercise": "barbell-back-squat", "sets": 3, "rep_min": 6, "rep_max": 12},
                {"exercise": "bench-press", "sets": 3, "rep_min": 6, "rep_max": 12},
                {"exercise": "barbell-row", "sets": 3, "rep_min": 6, "rep_max": 12},
            ],
        },
        {
            "name": "B",
            "exercises": [
                {"exercise": "deadlift", "sets": 3, "rep_min": 6, "rep_max": 12},
                {"exercise": "barbell-back-squat", "sets": 3, "rep_min": 6, "rep_max": 12},
                {"exercise": "overhead-press", "sets": 3, "rep_min": 6, "rep_max": 12},
                {"exercise": "pull-up", "sets": 3, "rep_min": 6, "rep_max": 12},
            ],
        },
    ],
}


@pytest.fixture
def lb_member(live_gate, world) -> str:
    """A member token for member A2 (unit lb), with a program assigned."""
    trainer = live_gate.sign_in(world.a.trainer_email)
    auth = {"Authorization": f"Bearer {trainer}"}
    program = live_gate.client.post("/v1/programs", json=PROGRAM, headers=auth)
    assert program.status_code == 201, program.text
    assigned = live_gate.client.post(
        f"/v1/members/{world.a.member_ids[1]}/assignments",
        json={
            "program_id": program.json()["id"],
            "start_date": "2026-01-05",
            "weekdays": [1, 3, 5],
            "starting_loads": {"barbell-back-squat": 60},
        },
        headers=auth,
    )
    assert assigned.status_code == 201, assigned.text
    return live_gate.identify(world.a.kiosk_tokens[0], world.a.badges[1], world.a.pins[1])


def test_a_set_in_kg_is_answered_in_the_members_pounds(live_gate, lb_member) -> None:
    answer = live_gate.client.post(
        "/v1/kiosk/sets",
        json={"exercise": "barbell-back-squat", "load": 100, "unit": "kg", "reps": 8},
        headers={"Authorization": f"Bearer {lb_member}", "Idempotency-Key": "s-1"},
    )
    assert answer.status_code == 201, answer.text
    logged = answer.json()
    assert Decimal(str(logged["load_kg"])) == Decimal(100)
    assert logged["unit"] == "lb"
    assert Decimal(str(logged["load"])) == Decimal("220.46")
    assert (logged["entered_load"], logged["entered_unit"]) in ((100, "kg"), ("100", "kg"))


def test_the_default_unit_is_the_members(live_gate, lb_member) -> None:
    answer = live_gate.client.post(
        "/v1/kiosk/sets",
        json={"exercise": "barbell-back-squat", "load": 135, "reps": 8},
        headers={"Authorization": f"Bearer {lb_member}", "Idempotency-Key": "s-2"},
    )
    assert answer.status_code == 201, answer.text
    assert Decimal(str(answer.json()["load_kg"])).quantize(Decimal("0.0001")) == Decimal("61.2350")


def test_the_same_key_answers_the_same_set(live_gate, lb_member) -> None:
    headers = {"Authorization": f"Bearer {lb_member}", "Idempotency-Key": "same"}
    body = {"exercise": "bench-press", "load": 95, "reps": 10}
    first = live_gate.client.post("/v1/kiosk/sets", json=body, headers=headers)
    again = live_gate.client.post("/v1/kiosk/sets", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    other = live_gate.client.post("/v1/kiosk/sets", json={**body, "reps": 9}, headers=headers)
    assert other.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"exercise": "barbell-back-squat", "load": 100, "reps": true}', "reps"),
        (b'{"exercise": "barbell-back-squat", "load": false, "reps": 8}', "load"),
        (b'{"exercise": "barbell-back-squat", "load": 100, "reps": 8, "reps": 12}', "reps"),
        (
            b'{"exercise": "front-squat", "load": 1, "reps": 8, "program_day": "A\\u0000"}',
            "program_day",
        ),
    ],
    ids=["boolean-reps", "boolean-load", "duplicate-key", "nul-in-text"],
)
def test_a_hostile_set_is_refused_naming_the_field_and_nothing_is_stored(
    live_gate, lb_member, body: bytes, field: str
) -> None:
    auth = {"Authorization": f"Bearer {lb_member}"}
    answer = live_gate.client.post(
        "/v1/kiosk/sets",
        content=body,
        headers=auth | {"Idempotency-Key": "hostile-1", "Content-Type": "application/json"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in answer.json()["errors"]] == [field]
    today = live_gate.client.get("/v1/kiosk/today", headers=auth).json()
    assert all(not e["logged"] for e in today["exercises"])


def test_today_shows_the_plan_targets_and_logged_sets(live_gate, lb_member) -> None:
    auth = {"Authorization": f"Bearer {lb_member}"}
    logged = live_gate.client.post(
        "/v1/kiosk/sets",
        json={"exercise": "barbell-back-squat", "load": 135, "reps": 8, "program_day": "A"},
        headers=auth | {"Idempotency-Key": "t-1"},
    )
    assert logged.status_code == 201, logged.text
    today = live_gate.client.get("/v1/kiosk/today", headers=auth)
    assert today.status_code == 200, today.text
    plan = today.json()
    assert plan["day"] == "A"
    assert plan["stale"] is False
    assert set(plan["week"]) == {"squat", "hinge", "push", "pull"}
    squat = next(e for e in plan["exercises"] if e["exercise"] == "barbell-back-squat")
    # No relay runs here, so progression has not heard of the assignment: the target is
    # its calibration load. What the gateway adds is the member's unit beside kg.
    target_kg = Decimal(str(squat["target_load_kg"]))
    assert squat["unit"] == "lb"
    assert Decimal(str(squat["target_load"])) == from_kg(target_kg, Unit.LB)
    assert [s["reps"] for s in squat["logged"]] == [8]
    assert squat["logged"][0]["unit"] == "lb"


def test_without_progression_today_shows_last_known_targets_stale(
    live_gate, live_services, lb_member, gateway_client
) -> None:
    auth = {"Authorization": f"Bearer {lb_member}"}
    fresh = live_gate.client.get("/v1/kiosk/today", headers=auth).json()
    assert fresh["stale"] is False
    with gateway_client(
        program_url=live_services["program"],
        logging_url=live_services["logging"],
        progression_url="http://127.0.0.1:9",
    ) as degraded:
        answer = degraded.get("/v1/kiosk/today", headers=auth)
    assert answer.status_code == 200, answer.text
    stale = answer.json()
    assert stale["stale"] is True
    assert stale["degraded"] == ["progression"]
    assert [e["exercise"] for e in stale["exercises"]] == [
        e["exercise"] for e in fresh["exercises"]
    ]
    for before, after in zip(fresh["exercises"], stale["exercises"], strict=True):
        assert after["target_load_kg"] == before["target_load_kg"]
        assert after["target_reps"] == before["target_reps"]
    assert stale["week"]["squat"]["status"] == "unknown"


def test_without_logging_a_set_answers_503_with_retry_after(
    live_services, lb_member, gateway_client
) -> None:
    with gateway_client(
        program_url=live_services["program"],
        logging_url="http://127.0.0.1:9",
        progression_url=live_services["progression"],
    ) as degraded:
        answer = degraded.post(
            "/v1/kiosk/sets",
            json={"exercise": "bench-press", "load": 95, "reps": 10},
            headers={"Authorization": f"Bearer {lb_member}", "Idempotency-Key": "down"},
        )
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "7"


def test_the_request_id_travels_to_the_services(live_gate, lb_member, scratch_dir: Path) -> None:
    request_id = "gateway-trace-0123456789"
    answer = live_gate.client.get(
        "/v1/kiosk/today",
        headers={"Authorization": f"Bearer {lb_member}", "X-Request-ID": request_id},
    )
    assert answer.status_code == 200
    assert answer.headers["X-Request-ID"] == request_id
    for service in ("program", "logging", "progression"):
        log = (scratch_dir / f"gateway-tests-{service}.log").read_text()
        assert f"req={request_id}" in log, service


def test_a_member_without_a_program_gets_an_empty_plan_and_logs_any_exercise(
    live_gate, world
) -> None:
    member = live_gate.identify(world.a.kiosk_tokens[0], world.a.badges[0], world.a.pins[0])
    auth = {"Authorization": f"Bearer {member}"}
    today = live_gate.client.get("/v1/kiosk/today", headers=auth)
    assert today.status_code == 200, today.text
    plan = today.json()
    assert (plan["no_program"], plan["program_id"], plan["exercises"]) == (True, None, [])
    assert set(plan["week"]) == {"squat", "hinge", "push", "pull"}
    for forged in ("Goblet%20Squat", "%3F%C2%A1~"):
        refused = live_gate.client.get(f"/v1/kiosk/exercises/{forged}", headers=auth)
        assert refused.status_code == 422, refused.text  # before it reaches a service's URL
        assert refused.json()["errors"][0]["field"] == "slug"
    card = live_gate.client.get("/v1/kiosk/exercises/goblet-squat", headers=auth)
    assert card.status_code == 200, card.text
    goblet = card.json()
    assert (goblet["pattern"], goblet["equipment"], goblet["logged"]) == ("squat", "kettlebell", [])
    assert goblet["target_rule"] == "calibrate"
    assert (goblet["rep_min"], goblet["rep_max"]) == (6, 12)
    logged = live_gate.client.post(
        "/v1/kiosk/sets",
        json={"exercise": "goblet-squat", "load": 16, "reps": 10},
        headers=auth | {"Idempotency-Key": "np-1"},
    )
    assert logged.status_code == 201, logged.text
    again = live_gate.client.get("/v1/kiosk/exercises/goblet-squat", headers=auth).json()
    assert [s["reps"] for s in again["logged"]] == [10]
    assert [
        s["exercise"]
        for s in live_gate.client.get("/v1/kiosk/today", headers=auth).json()["other_logged"]
    ] == ["goblet-squat"]


def test_an_exercise_not_in_the_catalog_has_no_card(live_gate, world) -> None:
    member = live_gate.identify(world.a.kiosk_tokens[0], world.a.badges[0], world.a.pins[0])
    answer = live_gate.client.get(
        "/v1/kiosk/exercises/forklift-curl", headers={"Authorization": f"Bearer {member}"}
    )
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "forklift-curl" in answer.json()["detail"]


def test_substitutes_are_the_patterns_other_exercises_this_gym_has(
    live_gate, world, lb_member
) -> None:
    admin = live_gate.sign_in(world.a.admin_email)
    no_bells = live_gate.client.put(
        f"/v1/gyms/{world.a.gym_ids[0]}/inventory",
        json={"unit": "kg", "missing": ["kettlebell"]},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert no_bells.status_code == 200, no_bells.text
    assert no_bells.json()["missing"] == ["kettlebell"]
    auth = {"Authorization": f"Bearer {lb_member}"}
    plan = live_gate.client.get("/v1/kiosk/today", headers=auth).json()
    squat = next(e for e in plan["exercises"] if e["exercise"] == "barbell-back-squat")
    swaps = [s["exercise"] for s in squat["substitutes"]]
    assert "front-squat" in swaps and "leg-press" in swaps
    assert "goblet-squat" not in swaps  # this gym has no kettlebells
    assert "barbell-back-squat" not in swaps
    squats = live_gate.client.get("/v1/kiosk/exercises", params={"pattern": "squat"}, headers=auth)
    assert squats.status_code == 200, squats.text
    listed = {e["exercise"]: e["pattern"] for e in squats.json()}
    assert set(listed.values()) == {"squat"}
    assert "goblet-squat" not in listed and "barbell-back-squat" in listed
    everything = live_gate.client.get("/v1/kiosk/exercises", headers=auth).json()
    assert {e["pattern"] for e in everything} == {"squat", "hinge", "push", "pull"}
    wrong = live_gate.client.get("/v1/kiosk/exercises", params={"pattern": "curl"}, headers=auth)
    assert wrong.status_code == 422


def test_a_new_members_timeline_points_at_the_first_workout(live_gate, world) -> None:
    member = live_gate.identify(world.a.kiosk_tokens[0], world.a.badges[1], world.a.pins[1])
    answer = live_gate.client.get(
        "/v1/kiosk/timeline", headers={"Authorization": f"Bearer {member}"}
    )
    assert answer.status_code == 200, answer.text
    timeline = answer.json()
    assert timeline["unit"] == "lb"
    assert (timeline["weeks_on_protocol"], timeline["milestones"], timeline["lifts"]) == (0, [], [])
    assert timeline["next_milestone"]["milestone"] == "first_session"
    assert [c["unlocked"] for c in timeline["education"]] == [False] * 4
    assert all(c["text"].startswith("Research suggests") for c in timeline["education"])


def test_the_attention_list_names_the_member_who_needs_a_program(
    live_gate, world, lb_member
) -> None:
    trainer = live_gate.sign_in(world.a.trainer_email)
    answer = live_gate.client.get(
        f"/v1/gyms/{world.a.gym_ids[0]}/attention",
        headers={"Authorization": f"Bearer {trainer}"},
    )
    assert answer.status_code == 200, answer.text
    listed = answer.json()["members"]
    # A1 has no program: most urgent. A2 has one since January and never trained.
    assert [m["name"] for m in listed] == ["Member A1", "Member A2"]
    assert [r["kind"] for r in listed[0]["reasons"]] == ["no_program"]
    # Whether A2 is also behind this week depends on the weekday the test runs on.
    missed = [r for r in listed[1]["reasons"] if r["kind"] == "missed"]
    assert missed and missed[0]["sessions"] >= 5


def test_today_stays_on_the_day_the_member_is_training(live_gate, lb_member) -> None:
    auth = {"Authorization": f"Bearer {lb_member}"}
    assert live_gate.client.get("/v1/kiosk/today", headers=auth).json()["day"] == "A"
    on_b = live_gate.client.get("/v1/kiosk/today", params={"day": "B"}, headers=auth).json()
    assert on_b["day"] == "B"
    assert "deadlift" in [e["exercise"] for e in on_b["exercises"]]


def test_a_trainer_edits_a_program_moves_the_member_and_ends_it(
    live_gate, world, lb_member
) -> None:
    auth = {"Authorization": f"Bearer {live_gate.sign_in(world.a.trainer_email)}"}
    member = world.a.member_ids[1]
    (current,) = live_gate.client.get(f"/v1/members/{member}/assignments", headers=auth).json()
    assert (current["active"], current["program_version"]) == (True, 1)
    program_id = current["program_id"]
    edited = {**PROGRAM, "name": "Kiosk A/B, v2"}
    saved = live_gate.client.put(f"/v1/programs/{program_id}", json=edited, headers=auth)
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 2
    versions = live_gate.client.get(f"/v1/programs/{program_id}/versions", headers=auth).json()
    assert [v["version"] for v in versions] == [2, 1]
    moved = live_gate.client.post(
        f"/v1/members/{member}/assignments",
        json={
            "program_id": program_id,
            "program_version": 2,
            "start_date": "2026-01-05",
            "weekdays": [1, 3, 5],
        },
        headers=auth,
    )
    assert moved.status_code == 201, moved.text
    history = live_gate.client.get(f"/v1/members/{member}/assignments", headers=auth).json()
    assert [(a["program_version"], a["active"]) for a in history] == [(2, True), (1, False)]
    ended = live_gate.client.delete(f"/v1/members/{member}/assignments/current", headers=auth)
    assert ended.status_code == 200 and ended.json()["active"] is False
    plan = live_gate.client.get(
        "/v1/kiosk/today", headers={"Authorization": f"Bearer {lb_member}"}
    ).json()
    assert plan["no_program"] is True
    again = live_gate.client.delete(f"/v1/members/{member}/assignments/current", headers=auth)
    assert again.status_code == 404


def test_a_trainer_reads_corrects_and_voids_a_members_sets_with_reasons(
    live_gate, world, lb_member
) -> None:
    kiosk = {"Authorization": f"Bearer {lb_member}"}
    ids = []
    for n, reps in enumerate((8, 9)):
        logged = live_gate.client.post(
            "/v1/kiosk/sets",
            json={"exercise": "bench-press", "load": 135, "reps": reps},
            headers=kiosk | {"Idempotency-Key": f"audit-{n}"},
        )
        assert logged.status_code == 201, logged.text
        ids.append(logged.json()["id"])
    auth = {"Authorization": f"Bearer {live_gate.sign_in(world.a.trainer_email)}"}
    base = f"/v1/members/{world.a.member_ids[1]}/sets"
    corrected = live_gate.client.patch(
        f"{base}/{ids[0]}", json={"reps": 10, "reason": "Counted on video"}, headers=auth
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["reps"] == 10
    unexplained = live_gate.client.patch(f"{base}/{ids[0]}", json={"reps": 11}, headers=auth)
    assert unexplained.status_code == 422
    assert unexplained.json()["errors"][0]["field"] == "reason"
    voided = live_gate.client.delete(
        f"{base}/{ids[1]}", params={"reason": "Not done"}, headers=auth
    )
    assert voided.status_code == 200, voided.text
    page = live_gate.client.get(base, params={"limit": 1}, headers=auth).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = live_gate.client.get(base, params={"cursor": page["next_cursor"]}, headers=auth).json()
    sets = {s["id"]: s for s in page["items"] + rest["items"]}
    assert [(c["action"], c["reason"]) for c in sets[ids[0]]["changes"]] == [
        ("corrected", "Counted on video")
    ]
    assert sets[ids[1]]["voided_at"] is not None
    assert [(c["action"], c["reason"]) for c in sets[ids[1]]["changes"]] == [("voided", "Not done")]
    assert (sets[ids[0]]["unit"], sets[ids[0]]["load"]) == ("lb", 135)
