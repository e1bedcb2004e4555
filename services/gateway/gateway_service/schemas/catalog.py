"""The chain's exercise catalog (`/v1/exercises`)."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from gateway_service.schemas.base import Number, Open


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
