"""The member's timeline (docs/protocol.md §4): next milestone, main lifts, education cards."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from gateway_service.domain.education import CARDS, CLAIM_WORDS
from gateway_service.domain.timeline import (
    Lift,
    build_timeline,
    main_lifts,
    next_milestone,
    strength_change,
)
from myokine.units import Unit

CATALOG = {
    "barbell-back-squat": Lift("Barbell back squat", "squat"),
    "goblet-squat": Lift("Goblet squat", "squat"),
    "bench-press": Lift("Bench press", "push"),
}
MONDAY = date(2026, 11, 30)


def _series(*points: tuple[str, str]) -> list[dict[str, Any]]:
    return [{"date": day, "e1rm_kg": e1rm} for day, e1rm in points]


def test_every_card_is_worded_as_research_and_promises_nothing() -> None:
    assert [c.stage for c in CARDS] == ["first_session", "first_weeks", "months", "long_term"]
    for card in CARDS:
        assert card.text.startswith("Research suggests")
        assert card.source
        words = card.text.lower()
        for claim in (*CLAIM_WORDS, "cures", "guarantees", "boosts your hormones", "detox"):
            assert claim not in words, (card.stage, claim)
        # No hormone named as if it were measured, no dose, no percentage promised.
        assert not re.search(r"\b(testosterone|cortisol|growth hormone|\d+ ?%)", words)


@pytest.mark.parametrize(
    ("reached", "needs"),
    [
        ({}, "Finish your first workout."),
        (
            {"first_session": MONDAY},
            "This week still needs: hinge 1 more, push 2 more, pull 2 more.",
        ),
        (
            {"first_session": MONDAY, "first_protocol_week": MONDAY},
            "1 of 4 weeks on protocol in a row so far.",
        ),
        (
            {
                "first_session": MONDAY,
                "first_protocol_week": MONDAY,
                "initial_adaptation": MONDAY,
            },
            f"Train on or after {(MONDAY + timedelta(weeks=12)).isoformat()}: "
            "your strength against your first weeks.",
        ),
    ],
)
def test_the_next_milestone_says_what_it_needs(reached: dict[str, date], needs: str) -> None:
    week = {
        "start": MONDAY.isoformat(),
        "patterns": {"squat": {"done": 2}, "hinge": {"done": 0}, "push": {"done": 0}},
    }
    nxt = next_milestone(reached, [week], 1, MONDAY + timedelta(days=2))
    assert nxt is not None
    assert nxt["needs"] == needs


def test_with_every_milestone_reached_there_is_no_next_one() -> None:
    reached = dict.fromkeys(
        ["first_session", "first_protocol_week", "initial_adaptation", "strength_check"], MONDAY
    )
    assert next_milestone(reached, [], 5, MONDAY) is None


def test_the_main_lift_is_the_one_trained_on_most_days() -> None:
    exercises = {
        "barbell-back-squat": {"series": _series(("2026-11-02", "100")), "best_e1rm_kg": "100"},
        "goblet-squat": {
            "series": _series(("2026-11-03", "30"), ("2026-11-05", "32")),
            "best_e1rm_kg": "32",
        },
        "bench-press": {"series": _series(("2026-11-02", "80")), "best_e1rm_kg": "80"},
        "not-in-catalog": {"series": _series(("2026-11-02", "80")), "best_e1rm_kg": "80"},
    }
    assert main_lifts(exercises, CATALOG) == {"squat": "goblet-squat", "push": "bench-press"}


def test_strength_change_compares_the_first_two_weeks_with_the_last_two() -> None:
    assert strength_change(_series(("2026-11-02", "100"), ("2026-11-09", "104"))) is None
    change = strength_change(
        _series(
            ("2026-11-02", "100"),
            ("2026-11-09", "104"),
            ("2026-12-01", "110"),
            ("2026-12-03", "108"),
        )
    )
    assert change == {
        "from_kg": Decimal("104"),
        "to_kg": Decimal("110"),
        "change_pct": Decimal("5.8"),
    }


def test_the_timeline_in_pounds_with_cards_opened_by_milestones() -> None:
    progress = {
        "exercises": {
            "bench-press": {
                "series": _series(("2026-11-02", "100")),
                "best_e1rm_kg": "100",
                "prs": [
                    {
                        "kind": "e1rm",
                        "date": "2026-11-02",
                        "value": "100",
                        "reps": 8,
                        "load_kg": "80",
                    },
                    {
                        "kind": "reps",
                        "date": "2026-11-02",
                        "value": "12",
                        "reps": 12,
                        "load_kg": "60",
                    },
                ],
            }
        },
        "weeks": [{"start": "2026-11-02", "on_protocol": True}, {"start": "2026-11-09"}],
        "milestones": [
            {"milestone": "first_protocol_week", "reached_on": "2026-11-06", "detail": {}},
            {"milestone": "first_session", "reached_on": "2026-11-02", "detail": {}},
        ],
        "streaks": {"current": 0, "longest": 1},
    }
    shown = build_timeline(progress, CATALOG, Unit.LB, date(2026, 11, 12))
    assert shown["weeks_on_protocol"] == 1
    assert [m["milestone"] for m in shown["milestones"]] == ["first_session", "first_protocol_week"]
    assert shown["milestones"][0]["title"] == "First workout"
    assert shown["next_milestone"]["milestone"] == "initial_adaptation"
    (bench,) = shown["lifts"]
    assert bench["best_e1rm"] == Decimal("220.46")
    assert [r["value"] for r in bench["prs"]] == [Decimal("220.46"), "12"]
    assert bench["prs"][0]["load"] == Decimal("176.37")
    assert {c["stage"]: c["unlocked"] for c in shown["education"]} == {
        "first_session": True,
        "first_weeks": True,
        "months": False,
        "long_term": False,
    }
