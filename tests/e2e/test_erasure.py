"""A member's data across every process: exported, then erased (GDPR) until no row of any
of the four databases names them, and the processes' logs never held their name or PIN."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from devstack.stack import SERVICES
from devstack.testing import rows_naming

pytestmark = pytest.mark.e2e


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def _naming(system: Any, *words: str) -> dict[str, dict[str, int]]:
    """Per database, the tables with rows that name any of `words` (none: left out)."""
    found = {service: rows_naming(system.engines[service], *words) for service in SERVICES}
    return {service: tables for service, tables in found.items() if tables}


def test_a_member_exported_then_erased_is_named_nowhere(
    system: Any, kiosk: Any, admin: httpx.Client
) -> None:
    tag = uuid.uuid4().hex[:10]
    name, badge, external_id, pin = f"Erin Erasure {tag}", f"erase-{tag}", f"crm-{tag}", "80417329"
    made = admin.post(
        "/v1/members",
        json={
            "name": name,
            "badge": badge,
            "pin": pin,
            "home_gym_id": system.credentials["gym_id"],
            "unit": "lb",
            "external_id": external_id,
        },
    )
    assert made.status_code == 201, made.text
    member = made.json()["id"]
    programs = admin.get("/v1/programs").json()
    program = next(p for p in programs if p["ready_made"] and p["sessions_per_week"] == 3)
    assigned = admin.post(
        f"/v1/members/{member}/assignments",
        json={"program_id": program["id"], "start_date": "2026-01-05", "weekdays": [1, 3, 5]},
    )
    assert assigned.status_code == 201, assigned.text

    # A session at the kiosk: sets, one corrected and one voided, then finished.
    assert kiosk.identify(badge, pin).status_code == 200
    slug = kiosk.exercise_to_log()
    ids = []
    for reps in (10, 9, 8):
        logged = kiosk.log_set(
            {"exercise": slug, "load": 100, "unit": "lb", "reps": reps}, str(uuid.uuid4())
        )
        assert logged.status_code == 201, logged.text
        ids.append(logged.json()["id"])
    member_auth = {"Authorization": f"Bearer {kiosk.member_token}"}
    corrected = kiosk.http.patch(
        f"/v1/kiosk/sets/{ids[1]}",
        json={"reps": 11, "reason": "typo"},
        headers=member_auth | _key(),
    )
    assert corrected.status_code == 200, corrected.text
    voided = kiosk.http.delete(
        f"/v1/kiosk/sets/{ids[2]}", params={"reason": "twice"}, headers=member_auth | _key()
    )
    assert voided.status_code == 200, voided.text
    finished = kiosk.http.post("/v1/kiosk/finish", headers=member_auth | _key())
    assert finished.status_code == 200, finished.text

    # Every database holds the member once progression's news reached the gateway.
    system.eventually(
        lambda: system.query("gateway", "SELECT 1 FROM member_news WHERE member_id = :m", m=member),
        what="progression's news of the member in the gateway",
    )
    before = _naming(system, member)
    assert set(before) == set(SERVICES), before
    assert {"sets", "set_changes", "sessions"} <= set(before["logging"])
    assert {"sets", "exposures", "milestones", "weeks"} <= set(before["progression"])

    export = admin.get(f"/v1/members/{member}/export")
    assert export.status_code == 200, export.text
    document = export.json()
    assert (document["profile"]["external_id"], document["unit"]) == (external_id, "lb")
    assert [len(s["changes"]) for s in document["sets"]] == [0, 1, 1]
    assert document["records"] and document["milestones"] and document["assignments"]
    as_csv = admin.get(f"/v1/members/{member}/export", params={"format": "csv"})
    assert as_csv.status_code == 200 and as_csv.text.count(name) == 5  # 3 sets, 2 changes

    erased = admin.delete(f"/v1/members/{member}")
    assert erased.status_code == 202, erased.text
    assert kiosk.today().status_code == 401, "the member's token ends with them"

    # The relay sends the erasure and forgets it; each service erases the member.
    words = (member, name, badge, external_id)
    system.eventually(
        lambda: _naming(system, *words) == {},
        what="no row of any database naming the erased member",
        timeout=90,
    )
    assert _naming(system, *words) == {}
    logs = system.log_path.read_text(errors="replace")
    assert name not in logs and pin not in logs
    # Other members are untouched: the demo member still trains.
    assert admin.get(f"/v1/members/{system.credentials['members'][0]['id']}").status_code == 200
