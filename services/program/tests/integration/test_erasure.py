"""Erasing a member on PostgreSQL: afterwards no row of the program database names them,
another member's assignments stay, and an assignment that arrives late is refused."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from devstack.testing import rows_naming
from myokine.events import MemberErased
from program_service import handlers
from program_service.bootstrap import Dependencies

Headers = Callable[..., dict[str, str]]


def assign_twice(client: TestClient, headers: Headers, member_id: uuid.UUID) -> dict[str, Any]:
    """Two assignments (the second ends the first), each under a key; the program."""
    programs = client.get("/internal/v1/programs", headers=headers()).json()
    program: dict[str, Any] = next(p for p in programs if p["ready_made"])
    for n in range(2):
        assigned = client.post(
            f"/internal/v1/members/{member_id}/assignments",
            json={"program_id": program["id"], "start_date": "2026-12-01", "weekdays": [1, 3, 5]},
            headers={**headers(), "Idempotency-Key": f"{member_id}-{n}"},
        )
        assert assigned.status_code == 201, assigned.text
    return program


def test_after_the_erasure_no_row_names_the_member(
    client: TestClient, deps: Dependencies, headers: Headers, chain_id: uuid.UUID
) -> None:
    member, other = uuid.uuid4(), uuid.uuid4()
    program = assign_twice(client, headers, member)
    assign_twice(client, headers, other)
    before = rows_naming(deps.runtime.engine, str(member))
    assert {"assignments", "member_sequences", "outbox", "idempotency_replies"} <= set(before)

    handlers.on_member_erased(
        deps.unit_of_work(), MemberErased(chain_id=chain_id, member_id=member)
    )

    assert rows_naming(deps.runtime.engine, str(member)) == {}
    assert rows_naming(deps.runtime.engine, str(other)).keys() == before.keys()
    late = client.post(
        f"/internal/v1/members/{member}/assignments",
        json={"program_id": program["id"], "start_date": "2026-12-01", "weekdays": [1, 3, 5]},
        headers={**headers(), "Idempotency-Key": f"{member}-0"},
    )
    assert late.status_code == 404, late.text
    assert rows_naming(deps.runtime.engine, str(member)) == {}
