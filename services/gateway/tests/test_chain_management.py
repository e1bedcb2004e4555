"""Managing a chain: who sees which members, trainers and kiosks (chain admin only)."""

from __future__ import annotations

from .conftest import PASSWORD, Gate, World, bearer


def _admin(gate: Gate, world: World) -> dict[str, str]:
    assert world.a.admin_email is not None
    return bearer(gate.sign_in(world.a.admin_email))


def _gym2_trainer(gate: Gate, world: World) -> dict[str, str]:
    made = gate.client.post(
        "/v1/trainers",
        json={"email": "g2@a.example", "name": "G2", "gym_ids": [world.a.gym_ids[1]]},
        headers=_admin(gate, world),
    )
    assert made.status_code == 201, made.text
    password = made.json()["password"]
    assert password, "a generated password is answered once"
    return bearer(gate.sign_in("g2@a.example", password))


def test_a_trainer_manages_their_gyms_members_and_those_who_trained_there(gate, world) -> None:
    gym2 = _gym2_trainer(gate, world)
    assert gate.client.get("/v1/members", headers=gym2).json() == []
    member = world.a.member_ids[0]
    refused = gate.client.get(f"/v1/members/{member}", headers=gym2)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert [g["id"] for g in gate.client.get("/v1/gyms", headers=gym2).json()] == [
        world.a.gym_ids[1]
    ]
    # Member A1 trains at gym 2 today: its trainer manages them from now on.
    gate.identify(world.a.kiosk_tokens[1], world.a.badges[0], world.a.pins[0])
    assert gate.client.get(f"/v1/members/{member}", headers=gym2).status_code == 200
    assert [m["id"] for m in gate.client.get("/v1/members", headers=gym2).json()] == [member]
    # Gym 1's own pages stay gym 1's.
    inventory = gate.client.get(f"/v1/gyms/{world.a.gym_ids[0]}/inventory", headers=gym2)
    assert inventory.status_code == 403


def test_a_chain_admin_manages_trainers_and_a_deactivated_one_is_out_at_once(gate, world) -> None:
    admin = _admin(gate, world)
    gym2 = _gym2_trainer(gate, world)
    listed = {t["email"]: t for t in gate.client.get("/v1/trainers", headers=admin).json()}
    assert listed["g2@a.example"]["gym_ids"] == [world.a.gym_ids[1]]
    assert listed["trainer@a.example"]["gym_ids"] == [world.a.gym_ids[0]]
    trainer_id = listed["g2@a.example"]["id"]
    moved = gate.client.patch(
        f"/v1/trainers/{trainer_id}", json={"gym_ids": list(world.a.gym_ids)}, headers=admin
    )
    assert moved.status_code == 200, moved.text
    assert sorted(moved.json()["gym_ids"]) == sorted(world.a.gym_ids)
    assert len(gate.client.get("/v1/members", headers=gym2).json()) == 2
    wrong = gate.client.patch(
        f"/v1/trainers/{trainer_id}", json={"gym_ids": [world.b.gym_ids[0]]}, headers=admin
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "gym_ids"
    off = gate.client.patch(f"/v1/trainers/{trainer_id}", json={"active": False}, headers=admin)
    assert off.status_code == 200 and off.json()["active"] is False
    assert gate.client.get("/v1/members", headers=gym2).status_code == 401
    signed_in = gate.client.post(
        "/v1/auth/token", data={"username": "g2@a.example", "password": PASSWORD}
    )
    assert signed_in.status_code == 401


def test_kiosks_are_made_rotated_and_revoked_by_a_chain_admin(gate, world) -> None:
    admin = _admin(gate, world)
    made = gate.client.post(
        "/v1/kiosks", json={"gym_id": world.a.gym_ids[0], "name": "Rack 2"}, headers=admin
    )
    assert made.status_code == 201, made.text
    kiosk = made.json()
    first = kiosk["token"]
    member = gate.identify(first, world.a.badges[0], world.a.pins[0])
    rotated = gate.client.post(f"/v1/kiosks/{kiosk['id']}/rotate", headers=admin)
    assert rotated.status_code == 200
    second = rotated.json()["token"]
    assert second != first
    again = gate.client.post(
        "/v1/kiosk/identify",
        json={"badge": world.a.badges[0], "pin": world.a.pins[0]},
        headers=bearer(first),
    )
    assert again.status_code == 401
    gate.identify(second, world.a.badges[0], world.a.pins[0])
    revoked = gate.client.delete(f"/v1/kiosks/{kiosk['id']}", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    for token in (second, member):
        gone = gate.client.get("/v1/kiosk/today", headers=bearer(token))
        assert gone.status_code == 401
    listed = {k["name"]: k for k in gate.client.get("/v1/kiosks", headers=admin).json()}
    assert listed["Rack 2"]["revoked_at"] is not None
    assert "token" not in listed["Rack 2"]
    duplicate = gate.client.post(
        "/v1/kiosks", json={"gym_id": world.a.gym_ids[0], "name": "Rack 2"}, headers=admin
    )
    assert duplicate.status_code == 409


def _sign_in(gate: Gate, email: str) -> dict[str, object]:
    answer = gate.client.post("/v1/auth/token", data={"username": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


def _refresh(gate: Gate, token: object) -> int:
    answer = gate.client.post("/v1/auth/refresh", json={"refresh_token": token})
    return answer.status_code


def test_a_refresh_token_works_once_and_answers_a_new_pair(gate, world) -> None:
    first = _sign_in(gate, world.a.trainer_email)
    assert str(first["refresh_token"]).startswith("mkr_")
    answer = gate.client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert answer.status_code == 200, answer.text
    second = answer.json()
    assert second["refresh_token"] != first["refresh_token"]
    members = gate.client.get("/v1/members", headers=bearer(second["access_token"]))
    assert members.status_code == 200
    # The first token again: it was copied, so every session of the trainer ends.
    assert _refresh(gate, first["refresh_token"]) == 401
    assert _refresh(gate, second["refresh_token"]) == 401
    assert _refresh(gate, "mkr_made-up") == 401


def test_a_deactivated_trainers_refresh_fails(gate, world) -> None:
    session = _sign_in(gate, world.a.trainer_email)
    admin = _admin(gate, world)
    trainers = {t["email"]: t["id"] for t in gate.client.get("/v1/trainers", headers=admin).json()}
    off = gate.client.patch(
        f"/v1/trainers/{trainers[world.a.trainer_email]}", json={"active": False}, headers=admin
    )
    assert off.status_code == 200
    assert _refresh(gate, session["refresh_token"]) == 401


def test_a_trainer_adds_changes_deactivates_and_resets_a_member(gate, world) -> None:
    trainer = bearer(gate.sign_in(world.a.trainer_email))
    made = gate.client.post(
        "/v1/members",
        json={"name": "New Member", "badge": "N1", "home_gym_id": world.a.gym_ids[0]},
        headers=trainer,
    )
    assert made.status_code == 201, made.text
    member = made.json()
    assert (member["unit"], member["active"]) == ("kg", True)
    pin = member["pin"]
    gate.identify(world.a.kiosk_tokens[0], "N1", pin)
    elsewhere = gate.client.post(
        "/v1/members",
        json={"name": "Elsewhere", "badge": "N2", "home_gym_id": world.a.gym_ids[1]},
        headers=trainer,
    )
    assert elsewhere.status_code == 403
    taken = gate.client.post(
        "/v1/members",
        json={"name": "Again", "badge": "N1", "home_gym_id": world.a.gym_ids[0], "pin": "4821"},
        headers=trainer,
    )
    assert taken.status_code == 409
    changed = gate.client.patch(
        f"/v1/members/{member['id']}", json={"unit": "lb", "name": "Renamed"}, headers=trainer
    )
    assert changed.status_code == 200
    assert (changed.json()["unit"], changed.json()["name"]) == ("lb", "Renamed")
    off = gate.client.patch(f"/v1/members/{member['id']}", json={"active": False}, headers=trainer)
    assert off.json()["active"] is False
    refused = gate.client.post(
        "/v1/kiosk/identify",
        json={"badge": "N1", "pin": pin},
        headers=bearer(world.a.kiosk_tokens[0]),
    )
    assert refused.status_code == 401
    gate.client.patch(f"/v1/members/{member['id']}", json={"active": True}, headers=trainer)
    reset = gate.client.post(f"/v1/members/{member['id']}/pin", json={}, headers=trainer)
    assert reset.status_code == 200, reset.text
    new_pin = reset.json()["pin"]
    gate.identify(world.a.kiosk_tokens[0], "N1", new_pin)
    chosen = gate.client.post(
        f"/v1/members/{member['id']}/pin", json={"pin": "12"}, headers=trainer
    )
    assert chosen.status_code == 422
    assert chosen.json()["errors"][0]["field"] == "pin"


def test_members_import_from_csv_row_by_row_and_again_changes_nothing(gate, world) -> None:
    trainer = bearer(gate.sign_in(world.a.trainer_email))
    csv_body = (
        "name,badge,pin,home_gym,unit,external_id\n"
        "Imported One,I1,4821,Gym A1,kg,crm-1\n"
        "Imported Two,I2,,Gym A1,lb,crm-2\n"
        "Bad Row,I3,12,Gym A1,kg,\n"
        "Other Gym,I4,4821,Gym A2,kg,\n"
    )
    headers = trainer | {"Content-Type": "text/csv"}
    first = gate.client.post("/v1/members/import", content=csv_body, headers=headers)
    assert first.status_code == 200, first.text
    answer = first.json()
    assert (answer["created"], answer["updated"], answer["unchanged"]) == (2, 0, 0)
    assert [(e["row"], e["field"]) for e in answer["errors"]] == [(3, "pin"), (4, "home_gym")]
    (generated,) = answer["pins"]
    gate.identify(world.a.kiosk_tokens[0], "I2", generated["pin"])
    again = gate.client.post("/v1/members/import", content=csv_body, headers=headers).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    lines = '{"name": "Imported One", "badge": "I1", "home_gym": "Gym A1", "unit": "lb"}\n'
    jsonl = gate.client.post(
        "/v1/members/import",
        content=lines,
        headers=trainer | {"Content-Type": "application/x-ndjson"},
    )
    assert jsonl.json()["updated"] == 1
    wrong_type = gate.client.post(
        "/v1/members/import", content="x", headers=trainer | {"Content-Type": "image/png"}
    )
    assert wrong_type.status_code == 415
    assert wrong_type.headers["content-type"].startswith("application/problem+json")
    unreadable = gate.client.post("/v1/members/import", content="nickname\nx\n", headers=headers)
    assert unreadable.status_code == 422


def test_a_pin_easy_to_guess_is_refused_wherever_a_pin_is_set(gate, world) -> None:
    trainer = bearer(gate.sign_in(world.a.trainer_email))
    made = gate.client.post(
        "/v1/members",
        json={"name": "Weak", "badge": "W1", "home_gym_id": world.a.gym_ids[0], "pin": "1234"},
        headers=trainer,
    )
    assert made.status_code == 422
    assert made.headers["content-type"].startswith("application/problem+json")
    assert made.json()["errors"] == [
        {
            "field": "pin",
            "message": "too easy to guess (digits in a row, up or down): choose another",
        }
    ]
    member = world.a.member_ids[0]
    reset = gate.client.post(f"/v1/members/{member}/pin", json={"pin": "0000"}, headers=trainer)
    assert reset.status_code == 422
    assert reset.json()["errors"][0]["field"] == "pin"
    gate.identify(world.a.kiosk_tokens[0], world.a.badges[0], world.a.pins[0])  # PIN kept
    csv_body = "name,badge,pin,home_gym\nWeak One,W2,2580,Gym A1\nFine One,W3,5831,Gym A1\n"
    imported = gate.client.post(
        "/v1/members/import", content=csv_body, headers=trainer | {"Content-Type": "text/csv"}
    ).json()
    assert imported["created"] == 1
    assert imported["errors"] == [
        {
            "row": 1,
            "field": "pin",
            "message": "too easy to guess (one of the most common PINs): choose another",
        }
    ]
