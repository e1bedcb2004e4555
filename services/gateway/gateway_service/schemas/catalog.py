"""The chain's exercise catalog (`/v1/exercises`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import ConfigDict, Field

from gateway_service.schemas.base import Number, Open
from myokine.catalog import Equipment
from myokine.patterns import Pattern
from myokine.request_bodies import RequestBody

Name = Annotated[str, Field(min_length=1, max_length=100)]
Step = Annotated[Decimal, Field(gt=0, le=50, decimal_places=2)]

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
"""An exercise's slug: lower-case words of letters and digits joined by hyphens."""


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
                    "builtin": True,
                }
            ]
        },
    )

    slug: str = Field(examples=["barbell-back-squat"])
    name: str
    pattern: str
    equipment: str
    load_step_kg: Number
    bodyweight: bool
    builtin: bool = Field(description="Part of the catalog every chain starts with.")


class ExerciseIn(RequestBody):
    """A chain admin's new exercise for the chain's catalog (its slug comes from the name
    unless given, and never changes)."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    pattern: Pattern
    equipment: Equipment
    slug: Annotated[str, Field(pattern=SLUG_PATTERN, max_length=100)] | None = None
    load_step_kg: Step | None = None
    bodyweight: bool | None = None


class ExercisePatch(RequestBody):
    """A change to one of the chain's own exercises: the fields given."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    pattern: Pattern | None = None
    equipment: Equipment | None = None
    load_step_kg: Step | None = None
