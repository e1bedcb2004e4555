"""The attention list by pace (docs/protocol.md §1): behind only when the week can no
longer be made, missed sessions, and the most urgent reason first."""

from __future__ import annotations

from datetime import date

from gateway_service.domain.attention import (
    Assigned,
    behind,
    missed,
    reasons,
    sessions_left,
    urgency,
)

MON_WED_FRI = frozenset({1, 3, 5})
TUESDAY = date(2026, 12, 1)
FRIDAY = date(2026, 12, 4)
NOTHING_YET = {"squat": {"done": 0}, "hinge": {"done": 0}, "push": {"done": 0}, "pull": {"done": 0}}


def test_on_a_tuesday_nobody_is_behind_but_on_friday_they_are() -> None:
    # Two sessions left (Wednesday, Friday): every pattern's minimum (at most 2) can be made.
    assert sessions_left(MON_WED_FRI, TUESDAY, trained_today=False) == 2
    assert behind(NOTHING_YET, 2) == []
    # Friday, untrained: one session left; squat, push and pull need two.
    assert sessions_left(MON_WED_FRI, FRIDAY, trained_today=False) == 1
    assert behind(NOTHING_YET, 1) == ["squat", "push", "pull"]
    assert sessions_left(MON_WED_FRI, FRIDAY, trained_today=True) == 0


def test_missed_sessions_count_assigned_days_without_training_since_the_start() -> None:
    assigned = Assigned(MON_WED_FRI, date(2026, 11, 30))
    assert missed(assigned, set(), FRIDAY) == 2  # Monday and Wednesday; Friday is today
    assert missed(assigned, {date(2026, 11, 30)}, FRIDAY) == 1
    later = Assigned(MON_WED_FRI, date(2026, 12, 3))
    assert missed(later, set(), FRIDAY) == 0


def test_reasons_come_most_urgent_first() -> None:
    entry = {
        "stalls": [{"exercise": "bench-press", "since": "2026-11-27"}],
        "week": NOTHING_YET,
        "trained_days": [],
        "records": [{"exercise": "deadlift", "kind": "e1rm", "date": "2026-12-02"}],
    }
    found = reasons(entry, Assigned(MON_WED_FRI, date(2026, 11, 30)), FRIDAY)
    assert [r["kind"] for r in found] == ["stalled", "behind", "missed", "record"]
    assert found[1] == {"kind": "behind", "patterns": ["squat", "push", "pull"], "sessions_left": 1}
    assert urgency(found) == 40 + 4


def test_a_member_without_a_program_needs_one_and_nothing_else_is_judged() -> None:
    assert reasons(None, None, FRIDAY) == [{"kind": "no_program"}]
    assert reasons({"week": NOTHING_YET}, Assigned(MON_WED_FRI, FRIDAY), TUESDAY) == []
