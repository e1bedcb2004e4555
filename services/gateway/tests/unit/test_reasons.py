"""Every target's reason, in one sentence in the member's unit (docs/protocol.md §2)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gateway_service.domain.reasons import Basis, explain_progress, why
from gateway_service.domain.today import build_today
from myokine.inventory import default_inventory
from myokine.units import Unit

D = Decimal
RULES = [
    "calibrate", "start", "up", "bridge", "hold", "deload_miss", "deload_stall",
    "gap_hold", "gap_reduce", "add_set", "equipment_ceiling", "roam",
]  # fmt: skip
CLAIMS = ("cure", "guarantee", "detox", "hormone", "boost")

KG_GYM = default_inventory(Unit.KG)


def basis(rule: str, **facts: object) -> Basis:
    defaults: dict[str, object] = {
        "load_kg": D("62.5"),
        "reps": 6,
        "sets": 3,
        "previous_load_kg": D(60),
        "ceiling": 12,
        "days_since_last": 2,
        "rep_min": 6,
    }
    return Basis(rule=rule, **{**defaults, **facts})  # type: ignore[arg-type]


def test_an_up_says_what_earned_it_and_where_it_goes() -> None:
    assert why(basis("up"), Unit.KG) == "All 3 sets reached 12: up to 62.5 kg."


def test_the_sentence_is_in_the_members_unit() -> None:
    sentence = why(basis("hold", load_kg=D("61.23497"), reps=9), Unit.LB)
    assert sentence == "Stay at 135 lb and aim for 9 reps on each set."


def test_a_deload_and_a_raise_read_differently() -> None:
    down = why(basis("deload_miss", load_kg=D(90), previous_load_kg=D(100)), Unit.KG)
    assert down == (
        "Two sessions in a row with a set under 6 reps: down from 100 kg to 90 kg to build back up."
    )
    assert why(basis("up"), Unit.KG) != down


def test_a_deload_with_nothing_lighter_says_a_set_is_taken_away() -> None:
    sentence = why(basis("deload_stall", load_kg=D(20), previous_load_kg=D(20), sets=2), Unit.KG)
    assert (
        sentence == "Three sessions at 20 kg without more reps: 2 sets at 20 kg to move on again."
    )


def test_calibration_asks_for_the_reps_it_shows() -> None:
    first = why(basis("calibrate", reps=12, days_since_last=None), Unit.KG)
    assert first == "First time: find a weight you could lift about 12 times."


@pytest.mark.parametrize("rule", RULES)
def test_every_rule_has_a_sentence_with_its_numbers_and_no_claims(rule: str) -> None:
    sentence = why(basis(rule, days_since_last=30), Unit.KG)
    assert (sentence.endswith(".") and "kg" in sentence) or "times" in sentence
    assert "None" not in sentence
    assert not any(claim in sentence.lower() for claim in CLAIMS)


def test_today_carries_rule_and_reason_and_none_when_stale() -> None:
    plan = {"day": "A", "exercises": [{"exercise": "bench-press", "sets": 3}]}
    live = {
        "target_load_kg": "62.5",
        "target_reps": 6,
        "sets": 3,
        "rep_min": 6,
        "rep_max": 12,
        "calibrate": False,
        "days_since_last": 2,
        "rule": "up",
        "previous_load_kg": "60",
        "ceiling": 12,
    }
    fresh = build_today(
        plan,
        targets={"exercises": {"bench-press": live}, "week": {}},
        known={},
        logged=[],
        unit=Unit.KG,
        local_date="2026-12-01",
        inventory=KG_GYM,
    )
    [exercise] = fresh["exercises"]
    assert (exercise["target_rule"], exercise["target_why"]) == (
        "up",
        "All 3 sets reached 12: up to 62.5 kg.",
    )
    stale = build_today(
        plan,
        targets=None,
        known={},
        logged=[],
        unit=Unit.KG,
        local_date="2026-12-01",
        inventory=KG_GYM,
    )
    assert (stale["exercises"][0]["target_rule"], stale["exercises"][0]["target_why"]) == (
        None,
        None,
    )


def test_progress_says_why_for_each_next_target() -> None:
    doc = {"exercises": {"bench-press": {"next": {"load_kg": D(100), "reps": 9, "sets": 3,
           "rule": "hold", "previous_load_kg": D(100), "ceiling": 12}}}}  # fmt: skip
    shown = explain_progress(doc, Unit.KG)
    assert shown["exercises"]["bench-press"]["next"]["why"] == (
        "Stay at 100 kg and aim for 9 reps on each set."
    )


def test_each_past_decision_says_why_in_the_members_unit() -> None:
    up = {"date": "2026-01-05", "load_kg": D("62.5"), "reps": 6, "sets": 3, "rule": "up",
          "previous_load_kg": D(60), "ceiling": 12}  # fmt: skip
    deload = {"date": "2026-01-07", "load_kg": D("55"), "reps": 6, "sets": 3,
              "rule": "deload_miss", "previous_load_kg": D("62.5"), "rep_min": 6}  # fmt: skip
    doc = {"exercises": {"bench-press": {"next": None, "decisions": [up, deload]}}}
    shown = explain_progress(doc, Unit.KG)["exercises"]["bench-press"]["decisions"]
    assert [d["why"] for d in shown] == [
        "All 3 sets reached 12: up to 62.5 kg.",
        "Two sessions in a row with a set under 6 reps: down from 62.5 kg to 55 kg to build "
        "back up.",
    ]
