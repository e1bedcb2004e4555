"""A chain admin's bodies and answers: trainers and kiosks (`/v1/trainers`, `/v1/kiosks`)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from gateway_service.schemas.identity import TrainerOut, TrainerRole
from myokine.request_bodies import RequestBody


class TrainerIn(RequestBody):
    """A new trainer: who, their role and the gyms they work in."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "email": "sam@downtown.example",
                    "name": "Sam",
                    "role": "trainer",
                    "gym_ids": ["9a1d3c5e-7f20-4b6a-8c4d-1e2f3a4b5c6d"],
                }
            ]
        },
    )

    email: str = Field(min_length=3, max_length=320)
    name: str = Field(min_length=1, max_length=200)
    role: TrainerRole = "trainer"
    gym_ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)
    password: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Left out: one is generated and answered once.",
    )


class TrainerCreated(TrainerOut):
    """The new trainer; `password` is the generated one, shown this once (null if given)."""

    password: str | None


class TrainerChange(RequestBody):
    """Changes to a trainer: only the fields sent change."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"gym_ids": [], "active": False}]}
    )

    name: str | None = Field(default=None, min_length=1, max_length=200)
    role: TrainerRole | None = None
    gym_ids: list[uuid.UUID] | None = Field(default=None, max_length=500)
    active: bool | None = Field(
        default=None, description="false: their tokens and refresh tokens stop working at once."
    )


class KioskIn(RequestBody):
    """A new kiosk of a gym."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"gym_id": "9a1d3c5e-7f20-4b6a-8c4d-1e2f3a4b5c6d", "name": "Rack 2"}]
        },
    )

    gym_id: uuid.UUID
    name: str = Field(min_length=1, max_length=200)


class KioskOut(BaseModel):
    """A kiosk (never its token)."""

    id: uuid.UUID
    gym_id: uuid.UUID
    name: str
    created_at: datetime
    revoked_at: datetime | None = Field(description="Set once revoked: its token answers 401.")


class KioskCreated(KioskOut):
    """A kiosk with its device token, shown this once (made or rotated)."""

    token: str = Field(description="The device token; only its SHA-256 is kept.")
