"""Programs (`/v1/programs`): build, check against the protocol, read."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field

from gateway_service.schemas.base import Open


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


class CheckOut(Open):
    """Whether a program conforms, and why not."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "conforms": False,
                    "violations": [
                        {
                            "pattern": "hinge",
                            "rule": "weekly_min",
                            "day": "A",
                            "detail": "hinge: 0 of 1 sessions train it; at least 1 a week",
                        }
                    ],
                }
            ]
        },
    )

    conforms: bool
    violations: list[Violation]


class ProgramSlotOut(Open):
    """One exercise of a training day, with its catalog name and pattern."""

    exercise: str
    name: str
    pattern: str
    sets: int
    rep_min: int
    rep_max: int
    rest_seconds: int
    notes: str | None


class ProgramDayOut(Open):
    """One training day of a saved program."""

    name: str
    exercises: list[ProgramSlotOut]


class ProgramOut(Open):
    """A saved program, at its current version."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "id": "3d0f6a52-6c8e-4a8f-9a3e-2f1b7c9d0e11",
                    "version": 1,
                    "current_version": 1,
                    "name": _PROGRAM_EXAMPLE["name"],
                    "sessions_per_week": _PROGRAM_EXAMPLE["sessions_per_week"],
                    "days": [
                        {
                            "name": "A",
                            "exercises": [
                                {
                                    "exercise": "barbell-back-squat",
                                    "name": "Barbell back squat",
                                    "pattern": "squat",
                                    "sets": 3,
                                    "rep_min": 6,
                                    "rep_max": 10,
                                    "rest_seconds": 120,
                                    "notes": None,
                                }
                            ],
                        }
                    ],
                    "conforms": True,
                    "violations": [],
                    "exception_reason": None,
                    "ready_made": False,
                    "created_at": "2026-11-25T15:00:00Z",
                    "updated_at": "2026-11-25T15:00:00Z",
                }
            ]
        },
    )

    id: uuid.UUID
    version: int
    current_version: int
    name: str
    sessions_per_week: int
    days: list[ProgramDayOut]
    conforms: bool
    violations: list[Violation]
    exception_reason: str | None
    ready_made: bool
    created_at: datetime
    updated_at: datetime
