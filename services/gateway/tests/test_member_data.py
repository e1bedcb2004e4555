"""A member's export and erasure through the gateway's HTTP API: the export in front of the
real services, the erasure on the gateway's real database and its outbox."""

from __future__ import annotations

import csv
import io
import uuid
from decimal import Decimal
from typing import Any

from devstack.testing import rows_naming
from gateway_service.bootstrap import Dependencies
from myokine.outbox import OutboxRelay

from .conftest import Gate, World, bearer


def _admin(gate: Gate, world: World) -> dict[str, str]:
    assert world.a.admin_email is not None
    return bearer(gate.sign_in(world.a.admin_email))


def test_the_export_holds_the_sets_with_their_audit_trail_in_json_and_csv(
    live_gate: Gate, world: World
) -> None:
    client, member = live_gate.client, world.a.member_ids[1]  # member A2 trains in pounds
    token = live_gate.identify(world.a.kiosk_tokens[0], world.a.badges[1], world.a.pins[1])
    logged = client.post(
        "/v1/kiosk/sets",
        json={"exercise": "bench-press", "load": 60, "unit": "kg", "reps": 8},
        headers=bearer(token) | {"Idempotency-Key": str(uuid.uuid4())},
    )
    assert logged.status_code == 201, logged.text
    set_id = logged.json()["id"]
    corrected = client.patch(
        f"/v1/kiosk/sets/{set_id}",
        json={"reps": 9, "reason": "typo"},
        headers=bearer(token) | {"Idempotency-Key": str(uuid.uuid4())},
    )
    assert corrected.status_code == 200, corrected.text
    trainer = bearer(live_gate.sign_in(world.a.trainer_email))

    as_json = client.get(f"/v1/members/{member}/export", headers=trainer)

    assert as_json.status_code == 200, as_json.text
    assert as_json.headers["content-disposition"] == (
        f'attachment; filename="member-{member}.json"'
    )
    export: dict[str, Any] = as_json.json()
    assert set(export) >= {"profile", "sessions", "sets", "assignments", "targets", "records"}
    assert set(export) >= {"weeks", "streaks", "milestones"}
    assert (export["unit"], export["profile"]["badge"]) == ("lb", world.a.badges[1])
    [the_set] = export["sets"]
    assert (the_set["load_kg"], the_set["load"], the_set["reps"]) == (60, 132.28, 9)
    [change] = the_set["changes"]
    assert (change["action"], change["reason"], change["changed_by_role"]) == (
        "corrected",
        "typo",
        "member",
    )
    assert (change["before"]["reps"], change["after"]["reps"]) == (8, 9)
    assert Decimal(str(change["after"]["load"])) == Decimal("132.28")

    as_csv = client.get(f"/v1/members/{member}/export", params={"format": "csv"}, headers=trainer)

    assert as_csv.status_code == 200, as_csv.text
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in as_csv.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [(r["version"], r["action"], r["reps"]) for r in rows] == [
        ("1", "logged", "8"),
        ("2", "corrected", "9"),
    ]
    assert {(r["member_id"], r["name"], r["load"]) for r in rows} == {
        (member, "Member A2", "132.28")
    }


def test_a_bad_format_or_id_is_a_problem_naming_the_field(gate: Gate, world: World) -> None:
    admin = _admin(gate, world)
    member = world.a.member_ids[0]
    bad = gate.client.get(f"/v1/members/{member}/export", params={"format": "xml"}, headers=admin)
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in bad.json()["errors"]] == ["format"]
    for call in (gate.client.get, gate.client.delete):
        path = "/v1/members/not-an-id" + ("/export" if call == gate.client.get else "")
        refused = call(path, headers=admin)
        assert refused.status_code == 422
        assert [e["field"] for e in refused.json()["errors"]] == ["member_id"]


def test_an_erasure_leaves_no_row_that_names_the_member_once_relayed(
    gate: Gate, world: World, deps: Dependencies
) -> None:
    admin = _admin(gate, world)
    member, badge = world.a.member_ids[0], world.a.badges[0]
    token = gate.identify(world.a.kiosk_tokens[1], badge, world.a.pins[0])  # a visit
    before = rows_naming(deps.runtime.engine, member)
    assert {"members", "member_visits"} <= set(before)

    erased = gate.client.delete(f"/v1/members/{member}", headers=admin)

    assert erased.status_code == 202, erased.text
    assert erased.json()["member_id"] == member and erased.json()["status"] == "erasing"
    assert gate.client.get("/v1/kiosk/today", headers=bearer(token)).status_code == 401
    assert gate.client.get(f"/v1/members/{member}", headers=admin).status_code == 404
    assert gate.client.delete(f"/v1/members/{member}", headers=admin).status_code == 404
    # Until the relay sends it, the erasure's own event is the one row that names them.
    assert rows_naming(deps.runtime.engine, member, "Member A1") == {"outbox": 1}
    sent: list[tuple[str, str]] = []

    def publish(task: str, queue: str, body: dict[str, Any]) -> None:
        for event in body.get("events", [body]):  # a batch, where a queue gets several
            sent.append((f"{queue}.{event['event_type']}", queue))

    relay = OutboxRelay(deps.runtime.sessions, deps.runtime.tables.outbox, publish)
    relay.publish_pending()  # the gyms' equipment too, from when the world was made
    assert sorted(task for task in sent if task[0].endswith(".MemberErased")) == [
        ("logging.MemberErased", "logging"),
        ("program.MemberErased", "program"),
        ("progression.MemberErased", "progression"),
    ]
    # (Badge "A1" is no word to look for: hashes and gym names hold it.)
    assert rows_naming(deps.runtime.engine, member, "Member A1") == {}
    # The other member of the chain is untouched.
    assert gate.client.get(f"/v1/members/{world.a.member_ids[1]}", headers=admin).status_code == 200


def test_only_a_chain_admin_of_the_members_chain_erases(gate: Gate, world: World) -> None:
    member = world.a.member_ids[0]
    trainer = bearer(gate.sign_in(world.a.trainer_email))
    refused = gate.client.delete(f"/v1/members/{member}", headers=trainer)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    other_chain = gate.client.delete(
        f"/v1/members/{world.b.member_ids[0]}", headers=_admin(gate, world)
    )
    assert other_chain.status_code == 404
    assert gate.client.get(f"/v1/members/{member}", headers=trainer).status_code == 200
