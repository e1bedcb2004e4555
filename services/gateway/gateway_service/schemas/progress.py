"""A member's progress as the kiosk and trainers see it, and the week of patterns.

Shared by the kiosk router (the member's own progress and today's week) and the members
and gyms routers (a trainer's view of the same documents).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import ConfigDict, Field

from gateway_service.schemas.base import Number, Open
from myokine.units import Unit


class WeekPattern(Open):
    """One pattern's sessions this week against its range."""

    done: int | None = Field(description="Sessions that trained it; null when unknown.")
    min: int
    max: int
    status: str = Field(description="below, in_range, above (unknown when stale)")


class ProgressNext(Open):
    """The next target, in kg and in the member's unit."""

    load_kg: Number | None
    load: Number | None
    reps: int | None
    sets: int | None
    rule: str | None = Field(
        default=None, description="The rule of the protocol that made it (docs/protocol.md §2)."
    )
    why: str | None = Field(default=None, description="The reason in one sentence, for the member.")
    previous_load_kg: Number | None = Field(
        default=None, description="The load of the exposure the rule moved from."
    )
    ceiling: int | None = Field(default=None, description="The reps that earn the next load.")


class ProgressDecision(ProgressNext):
    """What one finished exposure decided: the target it led to, the rule and why."""

    date: date


class ProgressSeriesPoint(Open):
    """The best e1RM of one training day."""

    date: date
    e1rm_kg: Number | None


class ProgressRecord(Open):
    """A personal record; `load` is its load in the member's unit.

    `value` and `load_kg` are passed on as the progression service writes them.
    """

    kind: str = Field(examples=["e1rm"])
    date: date
    set_id: uuid.UUID
    reps: int
    load: Number | None


class ProgressExercise(Open):
    """Progress on one exercise; loads in kg and in the member's unit."""

    working_load_kg: Number | None
    working_load: Number | None
    next: ProgressNext | None
    best_e1rm_kg: Number | None
    best_e1rm: Number | None
    series: list[ProgressSeriesPoint]
    prs: list[ProgressRecord]
    decisions: list[ProgressDecision] = Field(
        default_factory=list,
        description="Each finished exposure's decision, oldest first: the history a trainer "
        "reads (exposures stored before decisions were kept have none).",
    )
    stalled: bool
    calibrate: bool
    last_trained: date | None


class ProgressWeek(Open):
    """One ISO week's pattern adherence."""

    week: str = Field(examples=["2026-W48"])
    start: date
    patterns: dict[str, WeekPattern]
    on_protocol: bool


class Milestone(Open):
    """A milestone reached."""

    milestone: str
    reached_on: date
    detail: dict[str, Any]


class Streaks(Open):
    """Runs of weeks on protocol."""

    current: int
    longest: int


_PROGRESS_EXAMPLE: dict[str, Any] = {
    "unit": "kg",
    "exercises": {
        "bench-press": {
            "working_load_kg": 100,
            "working_load": 100,
            "next": {
                "load_kg": 100,
                "load": 100,
                "reps": 9,
                "sets": 3,
                "rule": "hold",
                "why": "Stay at 100 kg and aim for 9 reps on each set.",
            },
            "best_e1rm_kg": 133.33,
            "best_e1rm": 133.33,
            "series": [
                {"date": "2026-11-20", "e1rm_kg": 130},
                {"date": "2026-11-23", "e1rm_kg": 133.33},
            ],
            "prs": [],
            "stalled": False,
            "calibrate": False,
            "last_trained": "2026-11-23",
        }
    },
    "weeks": [],
    "milestones": [],
    "streaks": {"current": 0, "longest": 0},
}


class ProgressOut(Open):
    """Progress per exercise, weeks, milestones and streaks; loads also in the member's unit."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [_PROGRESS_EXAMPLE]})

    unit: Unit
    exercises: dict[str, ProgressExercise]
    weeks: list[ProgressWeek]
    milestones: list[Milestone]
    streaks: Streaks


class TimelineMilestone(Open):
    """A milestone reached, with its title."""

    milestone: str
    title: str
    reached_on: date
    detail: dict[str, Any]


class NextMilestone(Open):
    """The next milestone and, in words, what it still needs."""

    milestone: str
    title: str
    needs: str


class TimelinePoint(Open):
    """The best e1RM of one training day, in the member's unit."""

    date: date
    e1rm: Number | None


class TimelineRecord(Open):
    """A record of a main lift: `value` in the member's unit (reps for a reps record)."""

    kind: str
    date: date
    value: Number | None
    reps: int
    load: Number | None


class StrengthChange(Open):
    """The best e1RM of the first two weeks against the best of the last two."""

    from_: Number | None = Field(alias="from")
    to: Number | None
    change_pct: Number


class TimelineLift(Open):
    """A pattern's main lift (the one trained on most days): its e1RM over time, records."""

    pattern: str
    exercise: str
    name: str
    best_e1rm: Number | None
    series: list[TimelinePoint]
    prs: list[TimelineRecord]
    change: StrengthChange | None = Field(
        description="Null until the first and the last two weeks of the series are apart."
    )


class EducationCardOut(Open):
    """One stage's education card (docs/protocol.md §4); `unlocked` once its milestone is."""

    stage: str
    title: str
    text: str
    source: str
    unlocked: bool


class TimelineOut(Open):
    """The member's timeline: milestones, streaks, main lifts and education cards."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "unit": "kg",
                    "weeks_on_protocol": 1,
                    "streaks": {"current": 1, "longest": 1},
                    "milestones": [
                        {
                            "milestone": "first_session",
                            "title": "First workout",
                            "reached_on": "2026-11-02",
                            "detail": {},
                        }
                    ],
                    "next_milestone": {
                        "milestone": "initial_adaptation",
                        "title": "Four weeks on protocol in a row",
                        "needs": "1 of 4 weeks on protocol in a row so far.",
                    },
                    "lifts": [],
                    "education": [
                        {
                            "stage": "first_session",
                            "title": "After one session",
                            "text": "Research suggests that ...",
                            "source": "\u201cYour Body\u2019s Internal Pharmacy\u201d, ...",
                            "unlocked": True,
                        }
                    ],
                }
            ]
        },
    )

    unit: Unit
    weeks_on_protocol: int
    streaks: Streaks
    milestones: list[TimelineMilestone]
    next_milestone: NextMilestone | None = Field(description="Null once every one is reached.")
    lifts: list[TimelineLift] = Field(description="One per pattern trained, squat to pull.")
    education: list[EducationCardOut]
