"""The thin path across every process, driven through the gateway as a kiosk drives it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

PATTERNS = {"squat", "hinge", "push", "pull"}
TARGET_RULES = {
    "calibrate", "start", "up", "bridge", "hold", "deload_miss", "deload_stall",
    "gap_hold", "gap_reduce", "add_set", "equipment_ceiling", "roam",
}  # fmt: skip


def test_every_service_is_ready(system: Any) -> None:
    system.supervisor.wait_ready(timeout=10)
    assert system.supervisor.deaths() == []


def test_a_wrong_pin_is_refused(system: Any, kiosk: Any) -> None:
    member = system.credentials["members"][0]
    other = type(kiosk)(system.gateway_url, system.credentials["kiosk_token"])
    try:
        response = other.identify(member["badge"], member["pin"] + "9")
    finally:
        other.close()
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_member_logs_a_set_and_progression_records_it(system: Any, kiosk: Any) -> None:
    assert kiosk.member["unit"] in ("kg", "lb")

    today = kiosk.today()
    assert today.status_code == 200, today.text
    plan = today.json()
    assert plan["stale"] is False
    assert set(plan["week"]) >= PATTERNS
    assert plan["exercises"], "the demo member has a program with exercises today"
    for exercise in plan["exercises"]:
        assert exercise["rep_min"] >= 6 and exercise["rep_max"] <= 12
        # Every target says which rule made it, and why, in the member's unit.
        assert exercise["target_rule"] in TARGET_RULES
        assert exercise["target_why"]

    slug = kiosk.exercise_to_log()
    body, expected_e1rm = kiosk.heavier_set(slug)
    key = str(uuid.uuid4())
    logged = kiosk.log_set(body, key)
    assert logged.status_code == 201, logged.text
    the_set = logged.json()
    assert the_set["exercise"] == slug
    assert the_set["reps"] == body["reps"]
    assert float(the_set["load_kg"]) == pytest.approx(body["load"])

    again = kiosk.log_set(body, key)
    assert again.status_code == 201, again.text
    assert again.json()["id"] == the_set["id"], "the same key answers the same set"

    logged_today = [s for e in kiosk.today().json()["exercises"] for s in e["logged"]]
    assert [s["id"] for s in logged_today].count(the_set["id"]) == 1

    # It travels logging -> outbox -> relay -> Redis -> progression's worker -> inbox.
    kiosk.wait_for_best_e1rm(slug, expected_e1rm)
    event = system.outbox_event_of_set(the_set["id"])
    assert event is not None and event.published_at is not None
    assert system.inbox_count("progression", event.event_id) == 1
    assert system.dead_letters("progression") == []
    assert system.supervisor.deaths() == []
    progress = kiosk.progress().json()["exercises"][slug]
    assert progress["next"]["rule"] in TARGET_RULES and progress["next"]["why"]
