"""The kiosk API (`/v1/kiosk`): identify, today's plan, sets, finishing."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gateway_service.schemas.base import IsoTimestamp, Number, Open
from gateway_service.schemas.progress import WeekPattern
from myokine.request_bodies import RequestBody
from myokine.units import Unit


class IdentifyIn(RequestBody):
    """A member's badge and PIN, typed at the kiosk."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"badge": "1001", "pin": "4321"}]})

    badge: str = Field(min_length=1, max_length=64)
    pin: str = Field(min_length=1, max_length=16)


class MemberBrief(BaseModel):
    """The identified member."""

    id: uuid.UUID
    name: str
    unit: Unit


class KioskSessionOut(BaseModel):
    """How the kiosk keeps a member signed in (the gateway's settings)."""

    idle_seconds: int = Field(description="Sign the member out after this long untouched.")
    warning_seconds: int = Field(description="Show a countdown for the idle limit's last seconds.")
    open_members: int = Field(description="Members signed in at this kiosk at once, at most.")


class IdentifyOut(BaseModel):
    """A member token, bound to this kiosk, who it is for, and the kiosk's session rules."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "member_token": "eyJhbGciOi...",
                    "expires_in": 14400,
                    "member": {
                        "id": "3f2c1a9e-8d6b-4c1e-9a7f-2b5d8e0c4a11",
                        "name": "Ada Demo",
                        "unit": "kg",
                    },
                    "session": {"idle_seconds": 600, "warning_seconds": 20, "open_members": 3},
                }
            ]
        }
    )

    member_token: str
    expires_in: int = Field(description="Seconds until the member token expires.")
    member: MemberBrief
    session: KioskSessionOut


class SetIn(RequestBody):
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


class SetPatch(RequestBody):
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
    """A logged set: `load_kg` exact, `load` and `unit` in the member's unit.

    The load as the member entered it is kept as `entered_load` in `entered_unit`.
    """

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
    session_id: uuid.UUID
    exercise: str
    load_kg: Number
    load: Number | None
    unit: Unit
    entered_load: Number | None
    entered_unit: Unit | None
    reps: int
    rpe: Number | None
    warmup: bool
    performed_at: datetime
    local_date: date
    set_number: int


class PlatesOut(Open):
    """Plate math for a barbell target: the bar, and the plates on each side."""

    unit: Unit = Field(description="The unit of the gym's bar and plates.")
    bar: Number
    per_side: list[Number] = Field(description="Heaviest first; empty for the bare bar.")


class Substitute(Open):
    """An exercise of the same pattern that this gym's equipment allows."""

    exercise: str
    name: str
    equipment: str


class KioskExercise(Open):
    """An exercise of the chain's catalog that this gym's equipment allows."""

    exercise: str
    name: str
    pattern: str
    equipment: str


class TodayExercise(Open):
    """One exercise of today's plan (or one the member picked) with its target and the sets
    of it logged today."""

    exercise: str
    name: str | None
    pattern: str | None
    equipment: str | None
    sets: int | None
    rep_min: int | None
    rep_max: int | None
    target_load_kg: Number | None
    target_load: Number | None = Field(description="The target load in the member's unit.")
    target_reps: int | None
    calibrate: bool | None = Field(description="Null when progression did not answer.")
    days_since_last: int | None
    target_rule: str | None = Field(
        description="The rule of the protocol that made the target (docs/protocol.md §2); "
        "null when progression did not answer."
    )
    target_why: str | None = Field(description="The reason in one sentence, in the member's unit.")
    plates: PlatesOut | None = Field(
        default=None,
        description="For a barbell target, the plates per side from this gym's inventory; "
        "null for other equipment or a load its plates cannot make.",
    )
    unit: Unit
    rest_seconds: int | None
    notes: str | None
    substitutes: list[Substitute] = Field(
        description="Exercises of the same pattern this gym has, to swap to when the "
        "equipment is taken; a set of one is logged as that exercise."
    )
    logged: list[SetOut]


class NewsOut(Open):
    """A PR, stall or milestone of the member's last day, with what progression told."""

    kind: str = Field(examples=["e1rm"])
    occurred_at: IsoTimestamp


_TODAY_EXAMPLE: dict[str, Any] = {
    "day": "A",
    "day_index": 0,
    "program_id": "3d0f6a52-6c8e-4a8f-9a3e-2f1b7c9d0e11",
    "program_name": "Myokine Protocol A/B",
    "no_program": False,
    "local_date": "2026-11-25",
    "unit": "kg",
    "exercises": [
        {
            "exercise": "barbell-back-squat",
            "name": "Barbell back squat",
            "pattern": "squat",
            "equipment": "barbell",
            "sets": 3,
            "rep_min": 6,
            "rep_max": 12,
            "target_load_kg": 62.5,
            "target_load": 62.5,
            "target_reps": 6,
            "calibrate": False,
            "days_since_last": 2,
            "target_rule": "up",
            "target_why": "All 3 sets reached 12: up to 62.5 kg.",
            "plates": {"unit": "kg", "bar": 20, "per_side": [20, 1.25]},
            "unit": "kg",
            "rest_seconds": 120,
            "notes": None,
            "substitutes": [
                {"exercise": "front-squat", "name": "Front squat", "equipment": "barbell"},
                {"exercise": "leg-press", "name": "Leg press", "equipment": "machine"},
            ],
            "logged": [],
        }
    ],
    "other_logged": [],
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


class TodayOut(Open):
    """Today's plan. `stale` is true when progression did not answer (last known targets)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [_TODAY_EXAMPLE]})

    day: str | None
    day_index: int | None
    program_id: uuid.UUID | None
    program_name: str | None
    no_program: bool = Field(
        description="The member has no program yet: nothing is planned, and any exercise "
        "of the catalog may be logged (a trainer will assign a program)."
    )
    exception_reason: str | None = Field(
        default=None,
        description="Set when the program is off protocol: the trainer's reason for it.",
    )
    local_date: date = Field(description="Today at the kiosk's gym.")
    unit: Unit
    exercises: list[TodayExercise]
    other_logged: list[SetOut] = Field(description="Sets of today of exercises not planned.")
    week: dict[str, WeekPattern]
    stale: bool
    degraded: list[str] = Field(description="Services that did not answer for this plan.")
    news: list[NewsOut] = Field(description="PRs, stalls and milestones of the last 24 hours.")


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
                    "finished_at": "2026-11-25T16:30:00Z",
                }
            ]
        },
    )

    session_id: uuid.UUID
    sets: int
    local_date: date
    finished_at: datetime
