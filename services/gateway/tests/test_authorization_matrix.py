"""Every endpoint x every kind of caller, with the exact status of each cell.

The gateway runs in front of the real program, logging and progression services (as
processes), so an allowed cell shows the status a real client gets. Cells run endpoint
by endpoint in the callers' order below; the state a cell leaves (a set logged, a session
finished) is part of what the next cell sees, and is spelled out where it matters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

CALLERS = (
    "anonymous",
    "member",
    "another member",
    "kiosk, other gym",
    "kiosk, other chain",
    "trainer",
    "trainer, other gym",
    "trainer, other chain",
    "chain admin",
)

KIOSK_ONLY = {c: 403 for c in CALLERS} | {"anonymous": 401}
MEMBERS_ONLY = KIOSK_ONLY | {"member": 200, "another member": 200}
STAFF = {c: 403 for c in CALLERS} | {
    "anonymous": 401,
    "trainer": 200,
    "trainer, other gym": 200,
    "trainer, other chain": 200,
    "chain admin": 200,
}
# Member A1's home is gym 1, and the identify cell has them train at gym 2 (the other
# gym's trainer works there): every trainer of the chain manages them, so gym 2's trainer
# is refused only what belongs to gym 1 itself.
STAFF_OF_CHAIN = STAFF | {"trainer, other chain": 404}
STAFF_OF_GYM = STAFF_OF_CHAIN | {"trainer, other gym": 403}
ADMIN_ONLY = {c: 403 for c in CALLERS} | {"anonymous": 401, "chain admin": 200}

EXPECTED: dict[str, dict[str, int]] = {
    # A member of chain A identifies at a kiosk of the other gym of the chain; a kiosk of
    # chain B does not know the badge.
    "POST /v1/kiosk/identify": KIOSK_ONLY | {"kiosk, other gym": 200, "kiosk, other chain": 401},
    "GET /v1/kiosk/today": MEMBERS_ONLY,
    # Each member logs a set of their own.
    "POST /v1/kiosk/sets": MEMBERS_ONLY | {"member": 201, "another member": 201},
    # The target set is the member's: another member does not find it.
    "PATCH /v1/kiosk/sets/{set}": MEMBERS_ONLY | {"another member": 404},
    "DELETE /v1/kiosk/sets/{set}": MEMBERS_ONLY | {"another member": 404},
    # Each member finishes their own session (both logged a set above).
    "POST /v1/kiosk/finish": MEMBERS_ONLY,
    "GET /v1/kiosk/progress": MEMBERS_ONLY,
    "GET /v1/kiosk/timeline": MEMBERS_ONLY,
    "GET /v1/kiosk/exercises": MEMBERS_ONLY,
    "GET /v1/kiosk/exercises/{slug}": MEMBERS_ONLY,
    "GET /v1/exercises": STAFF,
    # Only a chain admin adds to or changes the chain's catalog.
    "POST /v1/exercises": STAFF
    | {"trainer": 403, "trainer, other gym": 403, "trainer, other chain": 403, "chain admin": 201},
    "PATCH /v1/exercises/{slug}": STAFF
    | {"trainer": 403, "trainer, other gym": 403, "trainer, other chain": 403},
    "GET /v1/programs": STAFF,
    "POST /v1/programs": STAFF
    | {"trainer": 201, "trainer, other gym": 201, "trainer, other chain": 201, "chain admin": 201},
    "POST /v1/programs/check": STAFF,
    "GET /v1/programs/{program}": STAFF_OF_CHAIN,
    "GET /v1/members": STAFF,
    # A trainer adds members to the gyms they work in only; another chain's gym is not found.
    "POST /v1/members": STAFF
    | {"trainer": 201, "trainer, other gym": 403, "trainer, other chain": 404, "chain admin": 201},
    # Rows of gyms the importer does not work in are row errors of a 200.
    "POST /v1/members/import": STAFF,
    "PATCH /v1/members/{member}": STAFF_OF_CHAIN,
    "POST /v1/members/{member}/pin": STAFF_OF_CHAIN,
    "GET /v1/members/{member}": STAFF_OF_CHAIN,
    "POST /v1/members/{member}/assignments": STAFF_OF_CHAIN
    | {"trainer": 201, "trainer, other gym": 201, "chain admin": 201},
    "GET /v1/members/{member}/progress": STAFF_OF_CHAIN,
    "GET /v1/members/{member}/assignments": STAFF_OF_CHAIN,
    # Member A2 (re-assigned before each call) never trained at gym 2.
    "DELETE /v1/members/{member}/assignments/current": STAFF_OF_GYM,
    "GET /v1/members/{member}/sets": STAFF_OF_CHAIN,
    "PATCH /v1/members/{member}/sets/{set}": STAFF_OF_CHAIN,
    "DELETE /v1/members/{member}/sets/{set}": STAFF_OF_CHAIN,
    "PUT /v1/programs/{program}": STAFF_OF_CHAIN,
    "GET /v1/programs/{program}/versions": STAFF_OF_CHAIN,
    "GET /v1/members/{member}/export": STAFF_OF_CHAIN,
    "GET /v1/gyms/{gym}/attention": STAFF_OF_GYM,
    "GET /v1/gyms/{gym}/inventory": STAFF_OF_GYM,
    "PUT /v1/gyms/{gym}/inventory": STAFF_OF_GYM,
    "GET /v1/gyms": STAFF,
    "GET /v1/trainers": ADMIN_ONLY,
    "POST /v1/trainers": ADMIN_ONLY | {"chain admin": 201},
    "PATCH /v1/trainers/{trainer}": ADMIN_ONLY,
    "GET /v1/kiosks": ADMIN_ONLY,
    "POST /v1/kiosks": ADMIN_ONLY | {"chain admin": 201},
    "POST /v1/kiosks/{kiosk}/rotate": ADMIN_ONLY,
    "DELETE /v1/kiosks/{kiosk}": ADMIN_ONLY,
    "GET /dashboard/api/overview": STAFF,
    "GET /dashboard/api/members/{member}/charts": STAFF_OF_CHAIN,
    "POST /v1/webhooks": ADMIN_ONLY | {"chain admin": 201},
    "GET /v1/webhooks": ADMIN_ONLY,
    "GET /v1/webhooks/{webhook}/deliveries": ADMIN_ONLY,
    "POST /v1/webhooks/{webhook}/retry": ADMIN_ONLY,
    "DELETE /v1/webhooks/{webhook}": ADMIN_ONLY | {"chain admin": 204},
    # Last: the chain admin's cell erases member A1. No trainer may, whatever the member.
    "DELETE /v1/members/{member}": ADMIN_ONLY | {"chain admin": 202},
}

PROGRAM: dict[str, Any] = {
    "name": "Matrix A/B",
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


def test_authorization_matrix(live_gate, world) -> None:
    gate, a, b = live_gate, world.a, world.b
    client = gate.client
    member = gate.identify(a.kiosk_tokens[0], a.badges[0], a.pins[0])
    other_member = gate.identify(a.kiosk_tokens[0], a.badges[1], a.pins[1])
    trainer = gate.sign_in(a.trainer_email)
    admin = gate.sign_in(a.admin_email)
    other_trainer = gate.sign_in(b.trainer_email)
    made = client.post(
        "/v1/trainers",
        json={
            "email": "gym2@a.example",
            "name": "Gym 2",
            "gym_ids": [a.gym_ids[1]],
            "password": "correct horse battery",
        },
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert made.status_code == 201, made.text
    gym2_trainer_id = made.json()["id"]
    gym2_trainer = gate.sign_in("gym2@a.example", "correct horse battery")
    spare = client.post(
        "/v1/kiosks",
        json={"gym_id": a.gym_ids[0], "name": "spare"},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert spare.status_code == 201, spare.text
    spare_kiosk = spare.json()["id"]
    hook = client.post(
        "/v1/webhooks",
        json={"url": "https://crm.example.com/hooks", "events": ["record.set"]},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert hook.status_code == 201, hook.text
    webhook = hook.json()["id"]
    tokens: dict[str, str | None] = {
        "anonymous": None,
        "member": member,
        "another member": other_member,
        "kiosk, other gym": a.kiosk_tokens[1],
        "kiosk, other chain": b.kiosk_tokens[0],
        "trainer": trainer,
        "trainer, other gym": gym2_trainer,
        "trainer, other chain": other_trainer,
        "chain admin": admin,
    }

    def auth(token: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"} if token else {}

    program = client.post("/v1/programs", json=PROGRAM, headers=auth(trainer))
    assert program.status_code == 201, program.text
    program_id = program.json()["id"]
    for member_id in a.member_ids:
        assigned = client.post(
            f"/v1/members/{member_id}/assignments",
            json={"program_id": program_id, "start_date": "2026-01-05", "weekdays": [1, 3, 5]},
            headers=auth(trainer),
        )
        assert assigned.status_code == 201, assigned.text

    def new_set() -> str:
        logged = client.post(
            "/v1/kiosk/sets",
            json={"exercise": "bench-press", "load": 60, "reps": 8},
            headers=auth(member) | key(),
        )
        assert logged.status_code == 201, logged.text
        set_id: str = logged.json()["id"]
        return set_id

    counter = iter(range(10_000))

    def key() -> dict[str, str]:
        return {"Idempotency-Key": f"matrix-{next(counter)}"}

    def end_after_assigning(token: str | None) -> httpx.Response:
        assigned = client.post(
            f"/v1/members/{a.member_ids[1]}/assignments",
            json={"program_id": program_id, "start_date": "2026-01-05", "weekdays": [1, 3, 5]},
            headers=auth(admin),
        )
        assert assigned.status_code == 201, assigned.text
        return client.delete(
            f"/v1/members/{a.member_ids[1]}/assignments/current", headers=auth(token)
        )

    calls: dict[str, Callable[[str | None], httpx.Response]] = {
        "POST /v1/kiosk/identify": lambda t: client.post(
            "/v1/kiosk/identify", json={"badge": a.badges[0], "pin": a.pins[0]}, headers=auth(t)
        ),
        "GET /v1/kiosk/today": lambda t: client.get("/v1/kiosk/today", headers=auth(t)),
        "POST /v1/kiosk/sets": lambda t: client.post(
            "/v1/kiosk/sets",
            json={"exercise": "barbell-back-squat", "load": 60, "reps": 8},
            headers=auth(t) | key(),
        ),
        "PATCH /v1/kiosk/sets/{set}": lambda t: client.patch(
            f"/v1/kiosk/sets/{new_set()}", json={"reps": 9}, headers=auth(t) | key()
        ),
        "DELETE /v1/kiosk/sets/{set}": lambda t: client.delete(
            f"/v1/kiosk/sets/{new_set()}", headers=auth(t) | key()
        ),
        "POST /v1/kiosk/finish": lambda t: client.post("/v1/kiosk/finish", headers=auth(t) | key()),
        "GET /v1/kiosk/progress": lambda t: client.get("/v1/kiosk/progress", headers=auth(t)),
        "GET /v1/kiosk/timeline": lambda t: client.get("/v1/kiosk/timeline", headers=auth(t)),
        "GET /v1/kiosk/exercises": lambda t: client.get("/v1/kiosk/exercises", headers=auth(t)),
        "GET /v1/kiosk/exercises/{slug}": lambda t: client.get(
            "/v1/kiosk/exercises/bench-press", headers=auth(t)
        ),
        "GET /v1/exercises": lambda t: client.get("/v1/exercises", headers=auth(t)),
        "POST /v1/exercises": lambda t: client.post(
            "/v1/exercises",
            json={"name": "Matrix sled", "pattern": "squat", "equipment": "machine"},
            headers=auth(t),
        ),
        "PATCH /v1/exercises/{slug}": lambda t: client.patch(
            "/v1/exercises/matrix-sled", json={"equipment": "kettlebell"}, headers=auth(t)
        ),
        "GET /v1/programs": lambda t: client.get("/v1/programs", headers=auth(t)),
        "POST /v1/programs": lambda t: client.post("/v1/programs", json=PROGRAM, headers=auth(t)),
        "POST /v1/programs/check": lambda t: client.post(
            "/v1/programs/check", json=PROGRAM, headers=auth(t)
        ),
        "GET /v1/programs/{program}": lambda t: client.get(
            f"/v1/programs/{program_id}", headers=auth(t)
        ),
        "GET /v1/members": lambda t: client.get("/v1/members", headers=auth(t)),
        "POST /v1/members": lambda t: client.post(
            "/v1/members",
            json={"name": "New", "badge": f"M{next(counter)}", "home_gym_id": a.gym_ids[0]},
            headers=auth(t),
        ),
        "POST /v1/members/import": lambda t: client.post(
            "/v1/members/import",
            content=f"name,badge,home_gym\nNew,I{next(counter)},Gym A1\n",
            headers=auth(t) | {"Content-Type": "text/csv"},
        ),
        "PATCH /v1/members/{member}": lambda t: client.patch(
            f"/v1/members/{a.member_ids[0]}", json={"name": "Member A1"}, headers=auth(t)
        ),
        "POST /v1/members/{member}/pin": lambda t: client.post(
            f"/v1/members/{a.member_ids[0]}/pin", json={"pin": a.pins[0]}, headers=auth(t)
        ),
        "GET /v1/members/{member}": lambda t: client.get(
            f"/v1/members/{a.member_ids[0]}", headers=auth(t)
        ),
        "POST /v1/members/{member}/assignments": lambda t: client.post(
            f"/v1/members/{a.member_ids[0]}/assignments",
            json={"program_id": program_id, "start_date": "2026-01-05", "weekdays": [1, 3, 5]},
            headers=auth(t),
        ),
        "GET /v1/members/{member}/progress": lambda t: client.get(
            f"/v1/members/{a.member_ids[0]}/progress", headers=auth(t)
        ),
        "GET /v1/members/{member}/assignments": lambda t: client.get(
            f"/v1/members/{a.member_ids[0]}/assignments", headers=auth(t)
        ),
        "DELETE /v1/members/{member}/assignments/current": end_after_assigning,
        "GET /v1/members/{member}/sets": lambda t: client.get(
            f"/v1/members/{a.member_ids[0]}/sets", headers=auth(t)
        ),
        "PATCH /v1/members/{member}/sets/{set}": lambda t: client.patch(
            f"/v1/members/{a.member_ids[0]}/sets/{new_set()}",
            json={"reps": 9, "reason": "matrix"},
            headers=auth(t),
        ),
        "DELETE /v1/members/{member}/sets/{set}": lambda t: client.delete(
            f"/v1/members/{a.member_ids[0]}/sets/{new_set()}",
            params={"reason": "matrix"},
            headers=auth(t),
        ),
        "PUT /v1/programs/{program}": lambda t: client.put(
            f"/v1/programs/{program_id}", json=PROGRAM, headers=auth(t)
        ),
        "GET /v1/programs/{program}/versions": lambda t: client.get(
            f"/v1/programs/{program_id}/versions", headers=auth(t)
        ),
        "GET /v1/members/{member}/export": lambda t: client.get(
            f"/v1/members/{a.member_ids[0]}/export", headers=auth(t)
        ),
        "GET /v1/gyms/{gym}/attention": lambda t: client.get(
            f"/v1/gyms/{a.gym_ids[0]}/attention", headers=auth(t)
        ),
        "GET /v1/gyms/{gym}/inventory": lambda t: client.get(
            f"/v1/gyms/{a.gym_ids[0]}/inventory", headers=auth(t)
        ),
        "PUT /v1/gyms/{gym}/inventory": lambda t: client.put(
            f"/v1/gyms/{a.gym_ids[0]}/inventory",
            json={"unit": "kg", "kettlebells": [8, 12, 16, 20, 24]},
            headers=auth(t),
        ),
        "GET /v1/gyms": lambda t: client.get("/v1/gyms", headers=auth(t)),
        "GET /v1/trainers": lambda t: client.get("/v1/trainers", headers=auth(t)),
        "POST /v1/trainers": lambda t: client.post(
            "/v1/trainers",
            json={"email": f"t{next(counter)}@a.example", "name": "New", "gym_ids": []},
            headers=auth(t),
        ),
        "PATCH /v1/trainers/{trainer}": lambda t: client.patch(
            f"/v1/trainers/{gym2_trainer_id}", json={"name": "Gym two"}, headers=auth(t)
        ),
        "GET /v1/kiosks": lambda t: client.get("/v1/kiosks", headers=auth(t)),
        "POST /v1/kiosks": lambda t: client.post(
            "/v1/kiosks",
            json={"gym_id": a.gym_ids[0], "name": f"kiosk {next(counter)}"},
            headers=auth(t),
        ),
        "POST /v1/kiosks/{kiosk}/rotate": lambda t: client.post(
            f"/v1/kiosks/{spare_kiosk}/rotate", headers=auth(t)
        ),
        "DELETE /v1/kiosks/{kiosk}": lambda t: client.delete(
            f"/v1/kiosks/{spare_kiosk}", headers=auth(t)
        ),
        "GET /dashboard/api/overview": lambda t: client.get(
            "/dashboard/api/overview", headers=auth(t)
        ),
        "GET /dashboard/api/members/{member}/charts": lambda t: client.get(
            f"/dashboard/api/members/{a.member_ids[0]}/charts", headers=auth(t)
        ),
        "POST /v1/webhooks": lambda t: client.post(
            "/v1/webhooks",
            json={"url": "https://crm.example.com/other", "events": ["session.finished"]},
            headers=auth(t),
        ),
        "GET /v1/webhooks": lambda t: client.get("/v1/webhooks", headers=auth(t)),
        "GET /v1/webhooks/{webhook}/deliveries": lambda t: client.get(
            f"/v1/webhooks/{webhook}/deliveries", headers=auth(t)
        ),
        "POST /v1/webhooks/{webhook}/retry": lambda t: client.post(
            f"/v1/webhooks/{webhook}/retry", json={}, headers=auth(t)
        ),
        "DELETE /v1/webhooks/{webhook}": lambda t: client.delete(
            f"/v1/webhooks/{webhook}", headers=auth(t)
        ),
        "DELETE /v1/members/{member}": lambda t: client.delete(
            f"/v1/members/{a.member_ids[0]}", headers=auth(t)
        ),
    }
    assert calls.keys() == EXPECTED.keys()

    actual: dict[str, dict[str, int]] = {}
    wrong_type: list[str] = []
    for endpoint, call in calls.items():
        actual[endpoint] = {}
        for caller in CALLERS:
            answer = call(tokens[caller])
            actual[endpoint][caller] = answer.status_code
            if answer.status_code >= 400 and not answer.headers.get("content-type", "").startswith(
                "application/problem+json"
            ):
                wrong_type.append(f"{endpoint} as {caller}")
    mismatches = [
        f"{endpoint} as {caller}: expected {EXPECTED[endpoint][caller]}, got {status}"
        for endpoint, row in actual.items()
        for caller, status in row.items()
        if status != EXPECTED[endpoint][caller]
    ]
    assert not mismatches, "\n".join(mismatches)
    assert not wrong_type, "errors that are not problem+json: " + ", ".join(wrong_type)


def test_the_matrix_covers_every_authenticated_endpoint(client) -> None:
    doc = client.get("/openapi.json").json()
    documented = {
        f"{method.upper()} {path}"
        for path, operations in doc["paths"].items()
        for method in operations
        if path not in ("/healthz", "/readyz", "/v1/auth/token", "/v1/auth/refresh")
    }
    placeholders = {
        "{set_id}": "{set}",
        "{program_id}": "{program}",
        "{member_id}": "{member}",
        "{gym_id}": "{gym}",
        "{slug}": "{slug}",
        "{trainer_id}": "{trainer}",
        "{kiosk_id}": "{kiosk}",
        "{webhook_id}": "{webhook}",
    }
    for name, short in placeholders.items():
        documented = {endpoint.replace(name, short) for endpoint in documented}
    assert documented == set(EXPECTED)


def test_trainer_of_another_chain_sees_only_their_chain(live_gate, world) -> None:
    token = live_gate.sign_in(world.b.trainer_email)
    members = live_gate.client.get("/v1/members", headers={"Authorization": f"Bearer {token}"})
    assert [m["id"] for m in members.json()] == world.b.member_ids
