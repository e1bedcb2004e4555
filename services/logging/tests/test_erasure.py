"""Erasing a member on PostgreSQL: afterwards no row of the logging database names them,
another member's logs stay, and a write that arrives late is refused."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from devstack.testing import rows_naming
from logging_service import handlers
from logging_service.bootstrap import Dependencies
from myokine.dead_letters import record_dead_letter
from myokine.events import MemberErased
from myokine.internal_auth import Role

from .conftest import Headers, Member


def history(client: TestClient, member: Member, headers: Headers) -> None:
    """Sets (one corrected, one voided, each under a key) and a finished session."""
    ids = []
    for n in range(3):
        body = {"exercise": "bench-press", "load": 60 + n, "unit": "kg", "reps": 8}
        logged = client.post(member.sets_path, json=body, headers=headers(key=f"set-{n}"))
        assert logged.status_code == 201, logged.text
        ids.append(logged.json()["id"])
    correction = {"reps": 9, "reason": "typo"}
    trainer = headers("trainer")
    changed = client.patch(member.path(f"sets/{ids[0]}"), json=correction, headers=trainer)
    assert changed.status_code == 200, changed.text
    voided = client.delete(member.path(f"sets/{ids[1]}"), headers=headers(key="void"))
    assert voided.status_code == 200, voided.text
    finished = client.post(member.path("sessions/finish"), headers=headers(key="finish"))
    assert finished.status_code == 200, finished.text


def test_after_the_erasure_no_row_names_the_member(
    client: TestClient, deps: Dependencies, member: Member, headers: Headers
) -> None:
    other = Member(member.chain_id, uuid.uuid4(), member.gym_id, member.kiosk_id)
    history(client, member, headers)

    def others(role: Role = "member", **claims: Any) -> dict[str, str]:
        return headers(role, sub=str(other.member_id) if role == "member" else None, **claims)

    history(client, other, others)
    body = {"event_type": "SetLogged", "event_id": str(uuid.uuid4()), "member_id": "?"}
    record_dead_letter(
        deps.runtime.sessions,
        deps.runtime.tables.dead_letters,
        "progression.SetLogged",
        {**body, "member_id": str(member.member_id)},
        "failed",
    )
    before = rows_naming(deps.runtime.engine, str(member.member_id))
    assert {"sets", "set_changes", "sessions", "outbox", "idempotency_replies"} <= set(before)

    event = MemberErased(chain_id=member.chain_id, member_id=member.member_id)
    handlers.on_member_erased(deps.unit_of_work(), event)
    handlers.on_member_erased(deps.unit_of_work(), event)

    assert rows_naming(deps.runtime.engine, str(member.member_id)) == {}
    others = rows_naming(deps.runtime.engine, str(other.member_id))
    assert others.keys() == before.keys() - {"dead_letters"}

    late = client.post(
        member.sets_path,
        json={"exercise": "bench-press", "load": 60, "unit": "kg", "reps": 8},
        headers=headers(key="set-0"),
    )
    assert late.status_code == 404, late.text
    assert late.headers["content-type"].startswith("application/problem+json")
    assert rows_naming(deps.runtime.engine, str(member.member_id)) == {}
