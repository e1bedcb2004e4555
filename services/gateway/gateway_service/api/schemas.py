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

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "member_token": "eyJhbGciOi...",
                    "expires_in": 900,
                    "member": {
                        "id": "3f2c1a9e-8d6b-4c1e-9a7f-2b5d8e0c4a11",
                        "name": "Ada Demo",
                        "unit": "kg",
                    },
                }
            ]
        }
    )

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
    program_day: str | None = Field(
        default=None,
        max_length=64,
        description="The day of the plan this set belongs to (today's `day`), if the kiosk knows.",
    )


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


_TODAY_EXAMPLE: dict[str, Any] = {
    "day": "A",
    "local_date": "2026-11-25",
    "unit": "kg",
    "exercises": [
        {
            "exercise": "barbell-back-squat",
            "name": "Barbell back squat",
            "pattern": "squat",
            "sets": 3,
            "rep_min": 6,
            "rep_max": 12,
            "target_load_kg": 62.5,
            "target_load": 62.5,
            "target_reps": 6,
            "calibrate": False,
            "logged": [],
        }
    ],
    "week": {
        "squat": {"done": 1, "min": 2, "max": 3, "status": "below"},
        "hinge": {"done": 0, "min": 1, "max": 2, "status": "below"},
        "push": {"done": 2, "min": 2, "max": 3, "status": "in_range"},
        "pull": {"done": 2, "min": 2, "max": 3, "status": "in_range"},
    },
    "stale": False,
    "degraded": [],
    "news": [],
}

_PROGRESS_EXAMPLE: dict[str, Any] = {
    "unit": "kg",
    "exercises": {
        "bench-press": {
            "working_load_kg": 100,
            "working_load": 100,
            "next": {"load_kg": 100, "load": 100, "reps": 9, "sets": 3},
            "best_e1rm_kg": 133.33,
            "series": [
                {"date": "2026-11-20", "e1rm_kg": 130},
                {"date": "2026-11-23", "e1rm_kg": 133.33},
            ],
            "prs": [],
            "stalled": False,
        }
    },
    "weeks": [],
    "milestones": [],
}


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

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [_TODAY_EXAMPLE]})

    day: str | None
    exercises: list[TodayExercise]
    week: dict[str, WeekPattern]
    stale: bool
    degraded: list[str] = Field(description="Services that did not answer for this plan.")


class FinishOut(Open):
    """The finished session."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "session_id": "0b8e7c55-2f0a-4f5e-8a0c-3c1f5d1e2a77",
                    "sets": 9,
                    "local_date": "2026-11-25",
                }
            ]
        },
    )

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

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [_PROGRESS_EXAMPLE]})

    exercises: dict[str, ProgressExercise]
    weeks: list[Any]
    milestones: list[Any]


# --- trainer --------------------------------------------------------------------------


class TokenOut(BaseModel):
    """An OAuth2 access token."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"access_token": "eyJhbGciOi...", "token_type": "bearer", "expires_in": 900}
            ]
        }
    )

    access_token: str
    token_type: str = Field(examples=["bearer"])
    expires_in: int


class ExerciseOut(Open):
    """One exercise of the chain's catalog."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "slug": "barbell-back-squat",
                    "name": "Barbell back squat",
                    "pattern": "squat",
                    "equipment": "barbell",
                    "load_step_kg": 2.5,
                    "bodyweight": False,
                }
            ]
        },
    )

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

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "conforms": False,
                    "violations": [
                        {
                            "pattern": "hinge",
                            "rule": "weekly_min",
                            "detail": "hinge: 0 of 1 sessions train it; at least 1 a week",
                        }
                    ],
                }
            ]
        }
    )

    conforms: bool
    violations: list[Violation]


class ProgramOut(ProgramIn):
    """A saved program."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "id": "3d0f6a52-6c8e-4a8f-9a3e-2f1b7c9d0e11",
                    "version": 1,
                    "conforms": True,
                    "violations": [],
                    **_PROGRAM_EXAMPLE,
                }
            ]
        },
    )

    id: uuid.UUID
    version: int | None = None
    conforms: bool | None = None


class MemberOut(BaseModel):
    """A member of the trainer's chain."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "3f2c1a9e-8d6b-4c1e-9a7f-2b5d8e0c4a11",
                    "name": "Ada Demo",
                    "badge": "1001",
                    "home_gym_id": "9a1d3c5e-7f20-4b6a-8c4d-1e2f3a4b5c6d",
                    "unit": "kg",
                    "locked_until": None,
                    "created_at": "2026-11-25T15:00:00Z",
                }
            ]
        }
    )

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

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "id": "7c6b5a49-3827-4615-a4b3-c2d1e0f9a8b7",
                    "member_id": "3f2c1a9e-8d6b-4c1e-9a7f-2b5d8e0c4a11",
                    "program_id": "3d0f6a52-6c8e-4a8f-9a3e-2f1b7c9d0e11",
                    "program_version": 1,
                    "start_date": "2026-11-30",
                    "weekdays": [1, 3, 5],
                    "starting_loads": {"barbell-back-squat": 60},
                    "active": True,
                }
            ]
        },
    )

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

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "gym_id": "9a1d3c5e-7f20-4b6a-8c4d-1e2f3a4b5c6d",
                    "gym_name": "Downtown",
                    "members": [
                        {
                            "member_id": "3f2c1a9e-8d6b-4c1e-9a7f-2b5d8e0c4a11",
                            "name": "Ada Demo",
                            "stalled": ["bench-press"],
                            "on_protocol": False,
                            "week": {"hinge": {"done": 0, "min": 1, "max": 2, "status": "below"}},
                        }
                    ],
                }
            ]
        },
    )

    gym_id: uuid.UUID
    members: list[AttentionMember]
