"""The "Myokine Protocol" programs every chain starts with, for 2, 3 and 4 sessions a week.

Each conforms to the protocol (the tests check it). Compound barbell lifts use 6-10 reps,
the rest the full 8-12 or 6-12; all stay within the protocol's 6-12.
"""

from __future__ import annotations

from myokine.catalog import CATALOG_BY_SLUG
from program_service.domain.plans import Plan, Slot, TrainingDay


def _slot(slug: str, rep_min: int, rep_max: int, rest_seconds: int = 120) -> Slot:
    return Slot(
        exercise=slug,
        pattern=CATALOG_BY_SLUG[slug].pattern,
        sets=3,
        rep_min=rep_min,
        rep_max=rep_max,
        rest_seconds=rest_seconds,
    )


def _day(name: str, *slots: Slot) -> TrainingDay:
    return TrainingDay(name=name, slots=slots)


TWO_A_WEEK = Plan(
    name="Myokine Protocol: 2 sessions a week",
    sessions_per_week=2,
    # Full body twice: every pattern on both days (squat, push, pull 2; hinge 2).
    days=(
        _day(
            "A",
            _slot("barbell-back-squat", 6, 10, 180),
            _slot("bench-press", 6, 10, 180),
            _slot("barbell-row", 6, 10),
            _slot("deadlift", 6, 10, 180),
        ),
        _day(
            "B",
            _slot("goblet-squat", 8, 12),
            _slot("overhead-press", 6, 10),
            _slot("pull-up", 6, 12),
            _slot("kettlebell-swing", 8, 12, 90),
        ),
    ),
)

THREE_A_WEEK = Plan(
    name="Myokine Protocol: 3 sessions a week",
    sessions_per_week=3,
    # docs/protocol.md's own example: A = squat, push, pull; B = hinge, squat, push, pull.
    days=(
        _day(
            "A",
            _slot("barbell-back-squat", 6, 10, 180),
            _slot("bench-press", 6, 10, 180),
            _slot("barbell-row", 6, 10),
        ),
        _day(
            "B",
            _slot("deadlift", 6, 10, 180),
            _slot("goblet-squat", 8, 12),
            _slot("overhead-press", 6, 10),
            _slot("pull-up", 6, 12),
        ),
    ),
)

FOUR_A_WEEK = Plan(
    name="Myokine Protocol: 4 sessions a week",
    sessions_per_week=4,
    # Lower / upper twice: any 4 sessions hold each pattern twice.
    days=(
        _day(
            "A",
            _slot("barbell-back-squat", 6, 10, 180),
            _slot("deadlift", 6, 10, 180),
        ),
        _day(
            "B",
            _slot("bench-press", 6, 10, 180),
            _slot("barbell-row", 6, 10),
        ),
        _day(
            "C",
            _slot("goblet-squat", 8, 12),
            _slot("kettlebell-swing", 8, 12, 90),
        ),
        _day(
            "D",
            _slot("overhead-press", 6, 10),
            _slot("pull-up", 6, 12),
        ),
    ),
)

READY_MADE: tuple[Plan, ...] = (TWO_A_WEEK, THREE_A_WEEK, FOUR_A_WEEK)
