"""Weekly pattern adherence, streaks and milestones (docs/protocol.md §1, §4)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from progression_service.domain.adherence import (
    on_protocol,
    streaks,
    week_label,
    week_patterns,
    week_start,
)
from progression_service.domain.milestones import protocol_reached_on, strength_check

MON = date(2026, 1, 5)
ON = {"squat": 2, "hinge": 1, "push": 2, "pull": 3}


def test_iso_weeks_start_on_monday() -> None:
    assert week_start(date(2026, 1, 11)) == MON
    assert week_start(date(2026, 1, 1)) == date(2025, 12, 29)
    assert week_label(date(2026, 1, 1)) == "2026-W01"
    assert week_label(date(2027, 1, 1)) == "2026-W53"


def test_each_pattern_against_its_range() -> None:
    week = week_patterns({"squat": 1, "hinge": 3, "push": 2})
    assert (week["squat"].status, week["hinge"].status, week["push"].status) == (
        "below",
        "above",
        "in_range",
    )
    assert (week["pull"].done, week["pull"].min, week["pull"].max) == (0, 2, 3)
    assert on_protocol(ON)
    assert not on_protocol({**ON, "squat": 4})
    assert not on_protocol({**ON, "hinge": 0})


def test_streaks_count_consecutive_weeks() -> None:
    weeks = [MON + timedelta(weeks=i) for i in (0, 1, 2, 4, 5)]
    assert streaks(weeks, MON + timedelta(weeks=5)) == streaks(weeks, MON + timedelta(weeks=6))
    assert streaks(weeks, MON + timedelta(weeks=6)).current == 2
    assert streaks(weeks, MON + timedelta(weeks=6)).longest == 3
    assert streaks(weeks, MON + timedelta(weeks=7)).current == 0
    assert streaks([], MON).longest == 0


def test_a_week_is_reached_on_the_first_finished_day_meeting_every_minimum() -> None:
    days = {
        MON: {"squat", "hinge", "push", "pull"},
        MON + timedelta(days=2): {"squat", "push", "pull"},
        MON + timedelta(days=4): {"squat"},
    }
    every_day = set(days)
    assert protocol_reached_on(days, every_day) == MON + timedelta(days=2)
    assert protocol_reached_on(days, {MON, MON + timedelta(days=4)}) == MON + timedelta(days=4)
    assert protocol_reached_on(days, {MON}) is None
    assert protocol_reached_on({MON: {"squat", "push", "pull"}}, {MON}) is None


def test_strength_check_compares_each_patterns_main_lift() -> None:
    baseline = {
        "squat": {"barbell-back-squat": Decimal(100), "goblet-squat": Decimal(40)},
        "hinge": {"deadlift": Decimal(120)},
    }
    current = {"squat": {"barbell-back-squat": Decimal(115), "goblet-squat": Decimal(48)}}
    changes = strength_check(baseline, current)
    assert list(changes) == ["squat"]
    squat = changes["squat"]
    assert (squat.exercise, squat.change_kg, squat.change_pct) == (
        "barbell-back-squat",
        Decimal(15),
        Decimal("15.0"),
    )
