"""Members of the trainer's chain (`/v1/members`) and their program assignments."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gateway_service.schemas.base import Number, Open
from gateway_service.schemas.kiosk import SetOut, SetPatch
from myokine.request_bodies import RequestBody
from myokine.units import Unit


class MemberOut(BaseModel):
    """A member of the trainer's chain (never their PIN)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "3f2c1a9e-8d6b-4c1e-9a7f-2b5d8e0c4a11",
                    "name": "Ada Demo",
                    "badge": "1001",
                    "home_gym_id": "9a1d3c5e-7f20-4b6a-8c4d-1e2f3a4b5c6d",
                    "unit": "kg",
                    "created_at": "2026-11-25T15:00:00Z",
                    "active": True,
                    "external_id": "crm-5521",
                }
            ]
        }
    )

    id: uuid.UUID
    name: str
    badge: str
    home_gym_id: uuid.UUID
    unit: Unit
    created_at: datetime
    active: bool = True
    external_id: str | None = None


class MemberIn(RequestBody):
    """A new member: who, their badge, their home gym; PIN and unit optional."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Ada Lovelace",
                    "badge": "1001",
                    "home_gym_id": "9a1d3c5e-7f20-4b6a-8c4d-1e2f3a4b5c6d",
                    "unit": "kg",
                    "external_id": "crm-5521",
                }
            ]
        },
    )

    name: str = Field(min_length=1, max_length=200)
    badge: str = Field(min_length=1, max_length=64)
    pin: str | None = Field(
        default=None,
        description="4-8 digits, not easy to guess (no 0000, 1212, 1234, 4321 or the most "
        "common PINs); left out, one is generated and answered once.",
    )
    home_gym_id: uuid.UUID
    unit: Unit | None = Field(default=None, description="Left out: the home gym's unit.")
    external_id: str | None = Field(
        default=None, min_length=1, max_length=100, description="The chain's own id (its CRM's)."
    )


class MemberCreated(MemberOut):
    """The new member; `pin` is the generated PIN, shown this once (null when one was given)."""

    pin: str | None


class MemberChange(RequestBody):
    """Changes to a member: only the fields sent change."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"unit": "lb"}, {"active": False}]}
    )

    name: str | None = Field(default=None, min_length=1, max_length=200)
    badge: str | None = Field(default=None, min_length=1, max_length=64)
    home_gym_id: uuid.UUID | None = None
    unit: Unit | None = None
    external_id: str | None = Field(default=None, min_length=1, max_length=100)
    active: bool | None = Field(
        default=None, description="false: the badge stops working at once; history stays."
    )


class PinIn(RequestBody):
    """A new PIN, or none to have one generated."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}, {"pin": "4821"}]})

    pin: str | None = Field(
        default=None, description="4-8 digits, not easy to guess (as a new member's)."
    )


class PinOut(BaseModel):
    """The member with a new PIN (their badge's wrong PINs forgotten); `pin` is a generated
    one, shown once."""

    member: MemberOut
    pin: str | None


class ImportRowError(BaseModel):
    """Why one row of an import was left out (rows count from 1, after a CSV header)."""

    row: int
    field: str
    message: str


class GeneratedPin(BaseModel):
    """The PIN generated for a new member whose row gave none, shown this once."""

    row: int
    badge: str
    pin: str


class ImportOut(BaseModel):
    """What an import did. The rows in `errors` were left out; every other row holds."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "created": 2,
                    "updated": 1,
                    "unchanged": 7,
                    "errors": [{"row": 4, "field": "pin", "message": "a PIN is 4 to 8 digits"}],
                    "pins": [{"row": 2, "badge": "1002", "pin": "5813"}],
                }
            ]
        }
    )

    created: int
    updated: int
    unchanged: int
    errors: list[ImportRowError]
    pins: list[GeneratedPin] = Field(description="PINs generated for new members, shown once.")


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
    program_version: int | None = Field(
        default=None,
        ge=1,
        description="A version of the program; its current one when left out (to move a "
        "member to a program's new version, assign it again).",
    )
    start_date: date
    weekdays: list[int]
    starting_loads: dict[str, Decimal] | None = Field(
        default=None, description="Per exercise slug, in the member's unit."
    )


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
                    "program_name": "Myokine Protocol A/B",
                    "start_date": "2026-11-30",
                    "weekdays": [1, 3, 5],
                    "starting_loads": {"barbell-back-squat": 60},
                    "starting_loads_kg": {"barbell-back-squat": 60},
                    "active": True,
                }
            ]
        },
    )

    id: uuid.UUID
    member_id: uuid.UUID
    program_id: uuid.UUID
    program_version: int
    program_name: str
    start_date: date
    weekdays: list[int]
    starting_loads: dict[str, Number] = Field(description="In the member's unit.")
    starting_loads_kg: dict[str, Number] = Field(default_factory=dict)
    active: bool


class SetChangeOut(Open):
    """One entry of a set's audit trail: who changed what, when and why."""

    action: str = Field(examples=["corrected"])
    changed_by: str
    changed_by_role: str
    changed_at: datetime
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str | None


class AuditedSetOut(SetOut):
    """A set with its audit trail; `voided_at` is set for a voided one."""

    voided_at: datetime | None = None
    changes: list[SetChangeOut]


class MemberSetsOut(BaseModel):
    """A page of a member's sets, newest first; ask again with `cursor=next_cursor`."""

    items: list[AuditedSetOut]
    next_cursor: str | None


class TrainerSetPatch(SetPatch):
    """A trainer's correction: the fields that change, and the reason (kept in the trail)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reps": 10, "reason": "Counted 10 on the video"}]},
    )

    reason: str = Field(min_length=1, max_length=500, description="Kept in the audit trail.")
