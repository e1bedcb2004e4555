"""The shapes of the progression service's answers (docs/internal-api.md, progression)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field


class PatternWeekOut(BaseModel):
    """One pattern's sessions this week against its range."""

    done: int
    min: int
    max: int
    status: str


class TargetOut(BaseModel):
    """Today's target for one exercise."""

    target_load_kg: Decimal
    target_reps: int
    sets: int
    rep_min: int
    rep_max: int
    calibrate: bool
    days_since_last: int | None
    rule: str = Field(description="The rule of docs/protocol.md §2 that made the target.")
    previous_load_kg: Decimal | None = Field(description="The load of the last exposure.")
    ceiling: int | None = Field(description="The reps that earn the next load.")
    intended_load_kg: Decimal | None = Field(
        default=None,
        description="With rule `roam`: the load the member's progression intends, which "
        "this gym's equipment cannot make.",
    )


class TargetsOut(BaseModel):
    """Targets for today's exercises, and the week so far."""

    exercises: dict[str, TargetOut]
    week: dict[str, PatternWeekOut]


class NextOut(BaseModel):
    """The next target, before any adjustment for time away."""

    load_kg: Decimal
    reps: int
    sets: int
    rule: str = Field(description="The rule of docs/protocol.md §2 that made the target.")
    previous_load_kg: Decimal | None = Field(description="The load of the last exposure.")
    ceiling: int | None = Field(description="The reps that earn the next load.")


class DecisionOut(NextOut):
    """What one evaluated exposure decided: the target it led to, and the rule."""

    date: date


class SeriesPoint(BaseModel):
    """The best e1RM of one training day."""

    date: date
    e1rm_kg: Decimal


class RecordOut(BaseModel):
    """A personal record."""

    kind: str
    value: Decimal
    set_id: uuid.UUID
    date: date
    load_kg: Decimal
    reps: int


class ExerciseProgressOut(BaseModel):
    """A member's progress on one exercise."""

    working_load_kg: Decimal | None
    next: NextOut
    best_e1rm_kg: Decimal | None
    series: list[SeriesPoint]
    prs: list[RecordOut]
    decisions: list[DecisionOut] = Field(
        description="Each evaluated exposure's decision, oldest first (the trainer's history)."
    )
    stalled: bool
    calibrate: bool
    last_trained: date | None


class WeekOut(BaseModel):
    """One ISO week's pattern adherence."""

    week: str
    start: date
    patterns: dict[str, PatternWeekOut]
    on_protocol: bool


class MilestoneOut(BaseModel):
    """A milestone reached."""

    milestone: str
    reached_on: date
    detail: dict[str, Any]


class StreaksOut(BaseModel):
    """Runs of weeks on protocol."""

    current: int
    longest: int


class ProgressOut(BaseModel):
    """A member's progress: per exercise, per week, milestones and streaks."""

    exercises: dict[str, ExerciseProgressOut]
    weeks: list[WeekOut]
    milestones: list[MilestoneOut]
    streaks: StreaksOut


class StallOut(BaseModel):
    """An exercise a member is stalled on, and the day the stall was found."""

    exercise: str
    since: date | None


class RecentRecord(BaseModel):
    """A record of the last days, to congratulate."""

    exercise: str
    kind: str
    date: date


class AttentionMember(BaseModel):
    """A member of the gym with what a trainer may act on: stalls, this week's patterns
    and the days trained lately (the gateway judges the pace against the member's weekdays),
    and records of the last week."""

    member_id: uuid.UUID
    stalled: list[str]
    stalls: list[StallOut]
    week: dict[str, PatternWeekOut]
    on_protocol: bool
    trained_days: list[date] = Field(description="Days trained in the last two weeks.")
    records: list[RecentRecord]


class AttentionOut(BaseModel):
    """A gym's members who are stalled or off protocol this week."""

    members: list[AttentionMember]
