"""Programs on PostgreSQL: conformance on save, exceptions with a reason, versioning on edit."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

PROGRAMS = "/internal/v1/programs"
Headers = Callable[..., dict[str, str]]


def conforming(name: str = "Strength 3x") -> dict[str, Any]:
    """docs/protocol.md's example: A = squat, push, pull; B = hinge, squat, push, pull; N = 3."""
    return {
        "name": name,
        "sessions_per_week": 3,
        "days": [
            {
                "name": "A",
                "exercises": [
                    {"exercise": "barbell-back-squat", "rep_min": 8, "rep_max": 10},
                    {"exercise": "bench-press"},
                    {"exercise": "barbell-row", "sets": 4, "rest_seconds": 120, "notes": "strict"},
                ],
            },
            {
                "name": "B",
                "exercises": [
                    {"exercise": "deadlift"},
                    {"exercise": "goblet-squat"},
                    {"exercise": "overhead-press"},
                    {"exercise": "pull-up"},
                ],
            },
        ],
    }


def squat_only_once() -> dict[str, Any]:
    """docs/protocol.md's counter-example: A alone at N = 1."""
    return {
        "name": "Once a week",
        "sessions_per_week": 1,
        "days": [
            {
                "name": "A",
                "exercises": [
                    {"exercise": "barbell-back-squat"},
                    {"exercise": "bench-press"},
                    {"exercise": "barbell-row"},
                ],
            }
        ],
    }


def test_ready_made_programs_exist_and_conform(client: TestClient, headers: Headers) -> None:
    programs = client.get(PROGRAMS, headers=headers()).json()
    ready = [p for p in programs if p["ready_made"]]
    assert [p["sessions_per_week"] for p in ready] == [2, 3, 4]
    assert all(p["name"].startswith("Myokine Protocol") for p in ready)
    assert all(p["conforms"] and p["violations"] == [] for p in ready)
    assert all(p["version"] == 1 for p in ready)


def test_a_conforming_program_is_saved_and_read_back(client: TestClient, headers: Headers) -> None:
    created = client.post(PROGRAMS, headers=headers(), json=conforming())
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["conforms"] is True
    assert body["violations"] == []
    assert body["exception_reason"] is None
    assert (body["version"], body["current_version"]) == (1, 1)
    first = body["days"][0]["exercises"]
    assert first[0] == {
        "exercise": "barbell-back-squat",
        "name": "Barbell back squat",
        "pattern": "squat",
        "sets": 3,
        "rep_min": 8,
        "rep_max": 10,
        "rest_seconds": 90,
        "notes": None,
    }
    assert first[2]["sets"] == 4 and first[2]["notes"] == "strict"
    fetched = client.get(f"{PROGRAMS}/{body['id']}", headers=headers())
    assert fetched.json() == body
    listed = client.get(PROGRAMS, headers=headers()).json()
    assert body["id"] in {p["id"] for p in listed}


def test_check_lists_violations_by_pattern_rule_and_day(
    client: TestClient, headers: Headers
) -> None:
    ok = client.post(f"{PROGRAMS}/check", headers=headers(), json=conforming())
    assert ok.status_code == 200
    assert ok.json() == {"conforms": True, "violations": []}

    program = squat_only_once()
    program["days"][0]["exercises"][1]["rep_max"] = 15
    bad = client.post(f"{PROGRAMS}/check", headers=headers(), json=program).json()
    assert bad["conforms"] is False
    assert {(v["pattern"], v["rule"], v["day"]) for v in bad["violations"]} == {
        ("squat", "weekly_min", "A"),
        ("hinge", "weekly_min", "A"),
        ("push", "weekly_min", "A"),
        ("pull", "weekly_min", "A"),
        ("push", "rep_range", "A"),
    }
    squat = next(v for v in bad["violations"] if v["pattern"] == "squat")
    assert (squat["count"], squat["min"], squat["max"], squat["window"]) == (1, 2, 3, ["A"])
    assert squat["detail"]
    rep = next(v for v in bad["violations"] if v["rule"] == "rep_range")
    assert rep["exercise"] == "bench-press"


def test_a_non_conforming_program_is_refused_with_its_violations(
    client: TestClient, headers: Headers
) -> None:
    refused = client.post(PROGRAMS, headers=headers(), json=squat_only_once())
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["type"].endswith("/non-conforming-program")
    assert {v["pattern"] for v in problem["violations"]} == {"squat", "hinge", "push", "pull"}
    assert all({"pattern", "rule", "detail", "day"} <= v.keys() for v in problem["violations"])
    programs = client.get(PROGRAMS, headers=headers()).json()
    assert [p for p in programs if not p["ready_made"]] == []


def test_an_exception_with_a_reason_is_saved_and_shown(
    client: TestClient, headers: Headers
) -> None:
    program = squat_only_once() | {"exception_reason": "Rehab after knee surgery, see notes"}
    saved = client.post(PROGRAMS, headers=headers(), json=program)
    assert saved.status_code == 201, saved.text
    body = saved.json()
    assert body["conforms"] is False
    assert body["exception_reason"] == "Rehab after knee surgery, see notes"
    assert len(body["violations"]) == 4
    listed = client.get(PROGRAMS, headers=headers()).json()
    mine = next(p for p in listed if p["id"] == body["id"])
    assert mine["exception_reason"] == body["exception_reason"]


def test_a_blank_reason_is_no_reason(client: TestClient, headers: Headers) -> None:
    program = squat_only_once() | {"exception_reason": "   "}
    assert client.post(PROGRAMS, headers=headers(), json=program).status_code == 422


def test_a_reason_on_a_conforming_program_is_dropped(client: TestClient, headers: Headers) -> None:
    program = conforming() | {"exception_reason": "just in case"}
    assert client.post(PROGRAMS, headers=headers(), json=program).json()["exception_reason"] is None


def test_malformed_programs_name_the_field(client: TestClient, headers: Headers) -> None:
    unknown = conforming()
    unknown["days"][1]["exercises"][0]["exercise"] = "zercher-squat"
    response = client.post(PROGRAMS, headers=headers(), json=unknown)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "days.1.exercises.0.exercise", "message": "unknown exercise 'zercher-squat'"}
    ]

    inverted = conforming()
    inverted["days"][0]["exercises"][0] |= {"rep_min": 12, "rep_max": 8}
    assert client.post(PROGRAMS, headers=headers(), json=inverted).status_code == 422

    twin_days = conforming()
    twin_days["days"][1]["name"] = "A"
    assert client.post(PROGRAMS, headers=headers(), json=twin_days).status_code == 422

    no_days = conforming() | {"days": []}
    assert client.post(PROGRAMS, headers=headers(), json=no_days).status_code == 422

    too_often = conforming() | {"sessions_per_week": 8}
    response = client.post(PROGRAMS, headers=headers(), json=too_often)
    assert [e["field"] for e in response.json()["errors"]] == ["sessions_per_week"]


def test_members_cannot_write_programs(client: TestClient, headers: Headers) -> None:
    member = headers("member", sub=str(uuid.uuid4()))
    assert client.post(PROGRAMS, headers=member, json=conforming()).status_code == 403


def test_programs_of_another_chain_are_invisible(client: TestClient, headers: Headers) -> None:
    created = client.post(PROGRAMS, headers=headers(), json=conforming()).json()
    stranger = headers(chain_id=uuid.uuid4())
    assert client.get(f"{PROGRAMS}/{created['id']}", headers=stranger).status_code == 404
    edit = client.put(f"{PROGRAMS}/{created['id']}", headers=stranger, json=conforming("x"))
    assert edit.status_code == 404


# --- versioning ---------------------------------------------------------------------------


def _assign(client: TestClient, headers: Headers, program_id: str) -> dict[str, Any]:
    response = client.post(
        f"/internal/v1/members/{uuid.uuid4()}/assignments",
        headers=headers(),
        json={"program_id": program_id, "start_date": "2026-12-01", "weekdays": [1, 3, 5]},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_editing_an_unassigned_program_keeps_its_version(
    client: TestClient, headers: Headers
) -> None:
    created = client.post(PROGRAMS, headers=headers(), json=conforming()).json()
    edited = client.put(
        f"{PROGRAMS}/{created['id']}", headers=headers(), json=conforming("Renamed")
    )
    assert edited.status_code == 200
    assert (edited.json()["version"], edited.json()["name"]) == (1, "Renamed")


def test_editing_an_assigned_program_makes_a_new_version(
    client: TestClient, headers: Headers
) -> None:
    created = client.post(PROGRAMS, headers=headers(), json=conforming()).json()
    pid = created["id"]
    assignment = _assign(client, headers, pid)
    assert assignment["program_version"] == 1

    changed = conforming("Strength 3x, heavier")
    changed["days"][0]["exercises"][0] |= {"rep_min": 6, "rep_max": 8}
    v2 = client.put(f"{PROGRAMS}/{pid}", headers=headers(), json=changed).json()
    assert (v2["version"], v2["current_version"]) == (2, 2)

    # Version 1 is unchanged, and the member keeps it.
    v1 = client.get(f"{PROGRAMS}/{pid}", params={"version": 1}, headers=headers()).json()
    assert (v1["version"], v1["current_version"], v1["name"]) == (1, 2, "Strength 3x")
    assert v1["days"][0]["exercises"][0]["rep_max"] == 10
    today = client.get(
        f"/internal/v1/members/{assignment['member_id']}/today", headers=headers()
    ).json()
    assert today["program_version"] == 1
    assert today["exercises"][0]["rep_max"] == 10

    # Version 2 is not assigned yet, so a further edit changes it in place.
    v2b = client.put(f"{PROGRAMS}/{pid}", headers=headers(), json=conforming("Final")).json()
    assert (v2b["version"], v2b["name"]) == (2, "Final")
    versions = client.get(f"{PROGRAMS}/{pid}/versions", headers=headers()).json()
    assert [(v["version"], v["name"]) for v in versions] == [(2, "Final"), (1, "Strength 3x")]

    # A new assignment gets the current version; an explicit older one may be asked for.
    assert _assign(client, headers, pid)["program_version"] == 2
    older = client.post(
        f"/internal/v1/members/{uuid.uuid4()}/assignments",
        headers=headers(),
        json={
            "program_id": pid,
            "program_version": 1,
            "start_date": "2026-12-01",
            "weekdays": [2, 4],
        },
    )
    assert older.json()["program_version"] == 1


def test_an_edit_that_changes_nothing_makes_no_version(
    client: TestClient, headers: Headers
) -> None:
    created = client.post(PROGRAMS, headers=headers(), json=conforming()).json()
    _assign(client, headers, created["id"])
    same = client.put(f"{PROGRAMS}/{created['id']}", headers=headers(), json=conforming())
    assert same.json()["version"] == 1


def test_an_edit_must_conform_too(client: TestClient, headers: Headers) -> None:
    created = client.post(PROGRAMS, headers=headers(), json=conforming()).json()
    refused = client.put(f"{PROGRAMS}/{created['id']}", headers=headers(), json=squat_only_once())
    assert refused.status_code == 422
    assert refused.json()["violations"]
    after = client.get(f"{PROGRAMS}/{created['id']}", headers=headers()).json()
    assert after == created


def test_ready_made_programs_version_like_any_other(client: TestClient, headers: Headers) -> None:
    ready = next(p for p in client.get(PROGRAMS, headers=headers()).json() if p["ready_made"])
    _assign(client, headers, ready["id"])
    # What was read may be sent back edited: the fields the service adds are ignored.
    edited_body = ready | {"name": "Our protocol"}
    edited = client.put(f"{PROGRAMS}/{ready['id']}", headers=headers(), json=edited_body).json()
    assert (edited["version"], edited["ready_made"], edited["name"]) == (2, True, "Our protocol")
    assert edited["days"] == ready["days"]


def test_unknown_fields_are_refused(client: TestClient, headers: Headers) -> None:
    typo = conforming()
    typo["days"][0]["exercises"][0]["rep_mx"] = 10
    response = client.post(PROGRAMS, headers=headers(), json=typo)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "days.0.exercises.0.rep_mx"


def test_unknown_programs_and_versions_are_404(client: TestClient, headers: Headers) -> None:
    assert client.get(f"{PROGRAMS}/{uuid.uuid4()}", headers=headers()).status_code == 404
    created = client.post(PROGRAMS, headers=headers(), json=conforming()).json()
    missing = client.get(f"{PROGRAMS}/{created['id']}", params={"version": 9}, headers=headers())
    assert missing.status_code == 404


# --- idempotency ------------------------------------------------------------------------


def test_a_retried_write_gets_the_first_answer(client: TestClient, headers: Headers) -> None:
    keyed = headers() | {"Idempotency-Key": "create-1"}
    first = client.post(PROGRAMS, headers=keyed, json=conforming())
    again = client.post(PROGRAMS, headers=keyed, json=conforming())
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    mine = [p for p in client.get(PROGRAMS, headers=headers()).json() if not p["ready_made"]]
    assert len(mine) == 1

    other = client.post(PROGRAMS, headers=keyed, json=conforming("Other"))
    assert other.status_code == 409


def test_a_refused_write_keeps_its_key_free(client: TestClient, headers: Headers) -> None:
    keyed = headers() | {"Idempotency-Key": "create-2"}
    assert client.post(PROGRAMS, headers=keyed, json=squat_only_once()).status_code == 422
    fixed = squat_only_once() | {"exception_reason": "rehab"}
    assert client.post(PROGRAMS, headers=keyed, json=fixed).status_code == 201


def test_keys_belong_to_one_chain(client: TestClient, headers: Headers) -> None:
    key = {"Idempotency-Key": "same-key"}
    here = client.post(PROGRAMS, headers=headers() | key, json=conforming())
    there = client.post(PROGRAMS, headers=headers(chain_id=uuid.uuid4()) | key, json=conforming())
    assert (here.status_code, there.status_code) == (201, 201)
    assert here.json()["id"] != there.json()["id"]
