"""The trainer dashboard's own reads (`/dashboard/api`): the overview and drawn charts."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from gateway_service.schemas.base import Number, Open
from gateway_service.schemas.progress import Milestone, ProgressRecord, Streaks, WeekPattern
from myokine.units import Unit


class MemberWeek(BaseModel):
    """A member's pattern counts this week."""

    patterns: dict[str, WeekPattern]
    on_protocol: bool | None


class RecentRecord(ProgressRecord):
    """A PR set this week, with its exercise."""

    exercise: str


class MemberRow(Open):
    """One member in the overview; `streaks` is there when their progress could be read."""

    id: uuid.UUID
    name: str
    badge: str
    unit: Unit
    available: bool = Field(description="False when the member's progress cannot be read now.")
    week: MemberWeek | None
    stalled: list[str]
    prs: list[RecentRecord]


class GymRow(BaseModel):
    """A gym of the chain and its members (by home gym), in the gym's local week."""

    id: uuid.UUID
    name: str | None
    timezone: str
    week: str = Field(examples=["2026-W48"])
    members: list[MemberRow]


class OverviewOut(BaseModel):
    """Every gym of the trainer's chain with its members' week."""

    gyms: list[GymRow]


class ExerciseChart(BaseModel):
    """One lift's e1RM chart, in the member's unit."""

    exercise: str
    name: str
    pattern: str | None
    best_e1rm: Number | None
    stalled: bool
    svg: str


class ChartsOut(BaseModel):
    """A member's charts: e1RM per lift and weekly adherence (SVG), milestones, streaks."""

    member_id: uuid.UUID
    unit: Unit
    exercises: list[ExerciseChart]
    adherence: str = Field(description="The weekly adherence chart, SVG.")
    milestones: list[Milestone]
    streaks: Streaks | None
