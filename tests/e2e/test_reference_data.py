"""The catalog and the gyms' equipment across every process: a chain's new exercise reaches
logging and progression, a gym's equipment makes its targets and plate math, and a service
that lost its copies gets them back when its worker starts."""

from __future__ import annotations

import time
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest

from myokine.units import KG_PER_LB

pytestmark = pytest.mark.e2e


def _home_gym(admin: httpx.Client) -> str:
    members = admin.get("/v1/members")
    assert members.status_code == 200, members.text
    return str(members.json()[0]["home_gym_id"])


def test_a_new_exercise_reaches_logging_and_progression(
    system: Any, kiosk: Any, admin: httpx.Client
) -> None:
    name = f"Sled push {uuid.uuid4().hex[:6]}"
    added = admin.post(
        "/v1/exercises", json={"name": name, "pattern": "squat", "equipment": "machine"}
    )
    assert added.status_code == 201, added.text
    slug = added.json()["slug"]
    body = {"exercise": slug, "load": 50, "unit": "kg", "reps": 8}

    # Logging refuses the slug until the catalog event arrives, then takes it.
    started = time.monotonic()
    logged = system.eventually(
        lambda: (r := kiosk.log_set(body, str(uuid.uuid4()))).status_code == 201 and r,
        what=f"logging to take sets of {slug}",
        timeout=30,
    )
    print(f"{slug} reached logging {time.monotonic() - started:.2f} s after it was added")
    set_id = logged.json()["id"]
    # Progression counts it toward its pattern (the catalog told it, not a program).
    pattern = system.eventually(
        lambda: system.query("progression", "SELECT pattern FROM sets WHERE set_id = :s", s=set_id),
        what="progression to store the set",
    )
    assert pattern[0][0] == "squat"

    changed = admin.patch(f"/v1/exercises/{slug}", json={"equipment": "assisted"})
    assert changed.status_code == 200, changed.text
    system.eventually(
        lambda: system.query(
            "progression",
            "SELECT 1 FROM catalog_exercises WHERE slug = :s AND equipment = 'assisted'",
            s=slug,
        ),
        what="progression to hear of the change",
    )
    assisted = {"exercise": slug, "load": -20, "unit": "kg", "reps": 8}
    system.eventually(
        lambda: kiosk.log_set(assisted, str(uuid.uuid4())).status_code == 201,
        what="logging to take an assisted load",
        timeout=30,
    )


def test_a_gyms_equipment_makes_its_targets_and_plate_math(
    system: Any, kiosk: Any, admin: httpx.Client
) -> None:
    gym = _home_gym(admin)
    pounds = admin.put(f"/v1/gyms/{gym}/inventory", json={"unit": "lb"})
    assert pounds.status_code == 200, pounds.text
    try:
        system.eventually(
            lambda: system.query(
                "progression",
                "SELECT 1 FROM gym_inventories WHERE gym_id = :g AND inventory->>'unit' = 'lb'",
                g=gym,
            ),
            what="progression to hear of the gym's pound equipment",
        )
        today = kiosk.today()
        assert today.status_code == 200, today.text
        barbell = [e for e in today.json()["exercises"] if e["equipment"] == "barbell"]
        assert barbell, "the demo program has barbell lifts"
        for exercise in barbell:
            pounds_on_bar = Decimal(str(exercise["target_load_kg"])) / KG_PER_LB
            # Every barbell target is a 45 lb bar with pairs of pound plates.
            assert (pounds_on_bar - 45) % 5 == 0, exercise
            plates = exercise["plates"]
            assert plates["unit"] == "lb" and plates["bar"] == 45
            per_side = sum(Decimal(str(p)) for p in plates["per_side"])
            assert 45 + 2 * per_side == pounds_on_bar.quantize(Decimal("0.01"))
    finally:
        restored = admin.put(f"/v1/gyms/{gym}/inventory", json={"unit": "kg"})
        assert restored.status_code == 200, restored.text


@pytest.mark.parametrize("service", ["progression", "logging"])
def test_a_consumer_that_lost_its_copies_catches_up_when_its_worker_starts(
    system: Any, admin: httpx.Client, service: str
) -> None:
    # A chain exercise of its own, so there is something to lose.
    added = admin.post(
        "/v1/exercises",
        json={
            "name": f"Catch-up row {uuid.uuid4().hex[:6]}",
            "pattern": "pull",
            "equipment": "machine",
        },
    )
    assert added.status_code == 201, added.text
    slug = added.json()["slug"]
    system.eventually(
        lambda: system.query(service, "SELECT 1 FROM catalog_exercises WHERE slug = :s", s=slug),
        what=f"{service} to hear of {slug}",
    )
    tables = ["catalog_exercises"] + (["gym_inventories"] if service == "progression" else [])
    worker = f"{service}-worker"
    system.supervisor.stop(worker)
    try:
        for table in tables:
            with system.engines[service].begin() as conn:
                conn.exec_driver_sql(f"DELETE FROM {table}")
    finally:
        system.supervisor.start(worker)
    for table in tables:
        system.eventually(
            lambda table=table: system.query(service, f"SELECT count(*) FROM {table}")[0][0] > 0,
            what=f"{service}'s {table} to be sent again",
        )
    system.eventually(
        lambda: system.query(service, "SELECT 1 FROM catalog_exercises WHERE slug = :s", s=slug),
        what=f"{slug} back in {service}'s copy of the catalog",
    )
    assert system.dead_letters(service) == []
