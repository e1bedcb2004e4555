"""Request bodies and documented answers of the public API (API.md), with examples."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from myokine.units import Unit


class Open(BaseModel):
    """A document that may carry more fields than listed (services add fields freely)."""

    model_config = ConfigDict(extra="allow")


# --- problems -------------------------------------------------------------------------


class FieldError(BaseModel):
    """One invalid field."""

    field: str
    message: str


class ProblemOut(Open):
    """An error, as application/problem+json (RFC 9457)."""

    type: str = Field(examples=["https://myokine.dev/problems/unauthorized"])
    title: str = Field(examples=["Not authenticated"])
    status: int = Field(examples=[401])
    detail: str = Field(examples=["A bearer token is required."])
    instance: str | None = None
    errors: list[FieldError] | None = None


# --- kiosk ----------------------------------------------------------------------------


class IdentifyIn(BaseModel):
    """A member's badge and PIN, typed at the kiosk."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"badge": "1001", "pin": "4321"}]})

    badge: str = Field(min_length=1, max_length=64)
    pin: str = Field(min_length=1, max_length=16)


class MemberBrief(BaseModel):
    """The identified member."""

    id: uuid.UUID
    name: str
    unit: Unit


class IdentifyOut(BaseModel):
    """A member token, bound to this kiosk, and who it is for."""

    member_token: str
    expires_in: int = Field(description="Seconds until the member token expires.")
    member: MemberBrief


class SetIn(BaseModel):
    """A set as the member logs it; `unit` defaults to the member's unit."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"exercise": "barbell-back-squat", "load": 100, "reps": 8, "rpe": 8}]
        }
    )

    exercise: str = Field(min_length=1, max_length=100)
    load: Decimal
    unit: Unit | None = None
    reps: int = Field(ge=0, le=100)
    rpe: Decimal | None = Field(default=None, ge=1, le=10, multiple_of=0.5)
    warmup: bool = False
    performed_at: datetime | None = None


class SetPatch(BaseModel):
    """A correction: only the fields given change."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"reps": 10}]})

    exercise: str | None = Field(default=None, min_length=1, max_length=100)
    load: Decimal | None = None
    unit: Unit | None = None
    reps: int | None = Field(default=None, ge=0, le=100)
    rpe: Decimal | None = Field(default=None, ge=1, le=10, multiple_of=0.5)
    warmup: bool | None = None
    reason: str | None = Field(default=None, max_length=500, description="Kept in the audit trail.")


class SetOut(Open):
    """A logged set: `load_kg` exact, `load` and `unit` in the member's unit."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "id": "6f1c2b9e-1d7a-4a43-9a55-1b0c2e9c8a10",
                    "session_id": "0b8e7c55-2f0a-4f5e-8a0c-3c1f5d1e2a77",
                    "exercise": "barbell-back-squat",
                    "load_kg": 100,
                    "load": 220.46,
                    "unit": "lb",
                    "entered_load": 100,
                    "entered_unit": "kg",
                    "reps": 8,
                    "rpe": 8,
                    "warmup": False,
                    "performed_at": "2026-11-25T15:30:00Z",
                    "local_date": "2026-11-25",
                    "set_number": 1,
                }
            ]
        },
    )

    id: uuid.UUID
    exercise: str
    load_kg: Decimal
    load: Decimal | None
    unit: Unit
    reps: int


class WeekPattern(BaseModel):
    """One pattern's sessions this week against its range."""

    done: int | None
    min: int
    max: int
    status: str = Field(description="below, in_range, above (unknown when stale)")


class TodayExercise(Open):
    """One exercise of today's plan with its target and the sets logged so far."""

    exercise: str
    name: str | None
    pattern: str | None
    sets: int | None
    rep_min: int | None
    rep_max: int | None
    target_load_kg: Decimal | None
    target_reps: int | None
    logged: list[SetOut]


class TodayOut(Open):
    """Today's plan. `stale` is true when progression did not answer (last known targets)."""

    day: str | None
    exercises: list[TodayExercise]
    week: dict[str, WeekPattern]
    stale: bool
    degraded: list[str] = Field(description="Services that did not answer for this plan.")


class FinishOut(Open):
    """The finished session."""

    session_id: uuid.UUID
    sets: int


class ProgressNext(Open):
    """The next target."""

    load_kg: Decimal | None
    reps: int | None
    sets: int | None


class ProgressSeriesPoint(BaseModel):
    """The best e1RM of one training day."""

    date: date
    e1rm_kg: Decimal


class ProgressExercise(Open):
    """Progress on one exercise."""

    working_load_kg: Decimal | None
    next: ProgressNext | None
    best_e1rm_kg: Decimal | None
    series: list[ProgressSeriesPoint]
    prs: list[Any]
    stalled: bool


class ProgressOut(Open):
    """Progress per exercise, weeks and milestones; loads also in the member's unit."""

    exercises: dict[str, ProgressExercise]
    weeks: list[Any]
    milestones: list[Any]


# --- trainer --------------------------------------------------------------------------


class TokenOut(BaseModel):
    """An OAuth2 access token."""

    access_token: str
    token_type: str = Field(examples=["bearer"])
    expires_in: int


class ExerciseOut(Open):
    """One exercise of the chain's catalog."""

    slug: str = Field(examples=["barbell-back-squat"])
    name: str
    pattern: str
    equipment: str
    load_step_kg: Decimal
    bodyweight: bool


class ProgramExerciseIn(Open):
    """One exercise of a training day."""

    exercise: str
    sets: int = Field(default=3, ge=1, le=10)
    rep_min: int
    rep_max: int


class ProgramDayIn(Open):
    """A training day (A, B, ...)."""

    name: str
    exercises: list[ProgramExerciseIn]


_PROGRAM_EXAMPLE: dict[str, Any] = {
    "name": "Myokine Protocol A/B",
    "sessions_per_week": 3,
    "days": [
        {
            "name": "A",
            "exercises": [
                {"exercise": "barbell-back-squat", "sets": 3, "rep_min": 6, "rep_max": 10},
                {"exercise": "bench-press", "sets": 3, "rep_min": 6, "rep_max": 10},
                {"exercise": "barbell-row", "sets": 3, "rep_min": 8, "rep_max": 12},
            ],
        },
        {
            "name": "B",
            "exercises": [
                {"exercise": "deadlift", "sets": 3, "rep_min": 6, "rep_max": 8},
                {"exercise": "barbell-back-squat", "sets": 3, "rep_min": 6, "rep_max": 10},
                {"exercise": "overhead-press", "sets": 3, "rep_min": 8, "rep_max": 12},
                {"exercise": "pull-up", "sets": 3, "rep_min": 6, "rep_max": 12},
            ],
        },
    ],
}


class ProgramIn(Open):
    """A program: training days done in rotation, N sessions a week."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [_PROGRAM_EXAMPLE]})

    name: str = Field(min_length=1, max_length=200)
    sessions_per_week: int = Field(ge=1, le=7)
    days: list[ProgramDayIn] = Field(min_length=1)


class Violation(Open):
    """One way a program breaks the protocol."""

    pattern: str | None
    rule: str
    detail: str


class CheckOut(BaseModel):
    """Whether a program conforms, and why not."""

    conforms: bool
    violations: list[Violation]


class ProgramOut(ProgramIn):
    """A saved program."""

    id: uuid.UUID
    version: int | None = None
    conforms: bool | None = None


class MemberOut(BaseModel):
    """A member of the trainer's chain."""

    id: uuid.UUID
    name: str
    badge: str
    home_gym_id: uuid.UUID
    unit: Unit
    locked_until: datetime | None
    created_at: datetime


class AssignmentIn(Open):
    """Assign a program from a start date on these ISO weekdays (1 = Monday)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "program_id": "3d0f6a52-6c8e-4a8f-9a3e-2f1b7c9d0e11",
                    "start_date": "2026-11-30",
                    "weekdays": [1, 3, 5],
                    "starting_loads": {"barbell-back-squat": 60},
                }
            ]
        },
    )

    program_id: uuid.UUID
    start_date: date
    weekdays: list[int]
    starting_loads: dict[str, Decimal] | None = None


class AssignmentOut(Open):
    """An assignment of a program version to a member."""

    id: uuid.UUID
    member_id: uuid.UUID
    program_id: uuid.UUID


class AttentionMember(Open):
    """A member who needs a trainer's eye."""

    member_id: uuid.UUID
    name: str | None
    stalled: list[str]
    on_protocol: bool | None


class AttentionOut(Open):
    """Members of a gym who stalled or are off protocol this week."""

    gym_id: uuid.UUID
    members: list[AttentionMember]
