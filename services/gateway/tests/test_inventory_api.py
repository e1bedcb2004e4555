"""`/v1/gyms/{id}/inventory` over HTTP on the gateway's database: defaults, a change and its
event in the outbox, and bad equipment refused with the field named."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from gateway_service.bootstrap import Dependencies

from .conftest import Gate, World, bearer


def _outbox(deps: Dependencies) -> list[dict[str, Any]]:
    outbox = deps.runtime.tables.outbox
    with deps.runtime.sessions() as session:
        rows = session.execute(
            select(outbox.c.body).where(outbox.c.event_type == "InventoryChanged")
        )
        return [dict(body) for (body,) in rows]


def test_a_gym_shows_its_defaults_then_what_a_trainer_set(
    gate: Gate, world: World, deps: Dependencies
) -> None:
    headers = bearer(gate.sign_in(world.a.trainer_email))
    url = f"/v1/gyms/{world.a.gym_ids[0]}/inventory"
    shown = gate.client.get(url, headers=headers)
    assert shown.status_code == 200, shown.text
    assert shown.json()["version"] == 0 and shown.json()["barbell"]["bar"] == 20
    before = len(_outbox(deps))  # each new gym announced its defaults

    body = {
        "unit": "lb",
        "barbell": {"bar": 45, "plates": [{"weight": 45, "pairs": 6}, {"weight": 2.5, "pairs": 2}]},
        "kettlebells": [18, 26, 35],
    }
    saved = gate.client.put(url, json=body, headers=headers)
    assert saved.status_code == 200, saved.text
    answer = saved.json()
    assert (answer["version"], answer["unit"], answer["kettlebells"]) == (1, "lb", [18, 26, 35])
    assert answer["defaults"] == ["dumbbells", "machine", "bodyweight_step"]
    assert gate.client.get(url, headers=headers).json() == answer
    sent = _outbox(deps)[before:]
    assert [(e["gym_id"], e["version"]) for e in sent] == [(world.a.gym_ids[0], 1)]


def test_impossible_equipment_is_refused_naming_the_field(gate: Gate, world: World) -> None:
    headers = bearer(gate.sign_in(world.a.trainer_email))
    url = f"/v1/gyms/{world.a.gym_ids[0]}/inventory"
    for body, field in [
        ({"unit": "stone"}, "unit"),
        ({"unit": "kg", "kettlebells": [-8]}, "kettlebells"),
        ({"unit": "kg", "machine": {"step": 5, "min": 50, "max": 10}}, "machine"),
        ({"unit": "kg", "trampolines": 2}, "trampolines"),
    ]:
        refused = gate.client.put(url, json=body, headers=headers)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["errors"][0]["field"].startswith(field), refused.json()
    assert gate.client.get(url, headers=headers).json()["version"] == 0
