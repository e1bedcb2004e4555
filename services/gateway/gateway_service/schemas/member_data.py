"""A member's data for a GDPR request: the export of everything the chain holds about them
(`GET /v1/members/{member_id}/export`) and the answer to their erasure
(`DELETE /v1/members/{member_id}`).

Every load is given in kilograms (`*_kg`, exact) and in the member's unit (the same name
without `_kg`); a set also keeps the load as it was entered (`entered_load`, `entered_unit`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from gateway_service.schemas.base import Number, Open
from gateway_service.schemas.members import AssignmentOut
from gateway_service.schemas.progress import (
    Milestone,
    ProgressDecision,
    ProgressNext,
    ProgressSeriesPoint,
    ProgressWeek,
    Streaks,
)
from myokine.units import Unit


class ExportGym(BaseModel):
    """A gym of the chain."""

    id: uuid.UUID
    name: str
    timezone: str
    unit: Unit


class ExportVisit(BaseModel):
    """When the member last identified at a kiosk of a gym."""

    gym_id: uuid.UUID
    gym_name: str | None
    last_seen_at: datetime


class ExportProfile(BaseModel):
    """The member as the gateway holds them (never their PIN, which is kept only hashed)."""

    id: uuid.UUID
    name: str
    badge: str
    external_id: str | None
    unit: Unit
    home_gym: ExportGym
    active: bool
    created_at: datetime
    visits: list[ExportVisit]


class ExportSession(Open):
    """A workout session (logging)."""

    id: uuid.UUID
    gym_id: uuid.UUID
    kiosk_id: uuid.UUID | None
    program_day: str | None
    local_date: date
    opened_at: datetime
    last_set_at: datetime
    finished_at: datetime | None
    finished_automatically: bool


class ExportSetValues(Open):
    """A set's values before or after one change of its audit trail."""

    exercise: str
    load_kg: Number | None
    load: Number | None = Field(description="In the member's unit.")
    unit: Unit
    entered_load: Number | None = Field(description="As it was entered, in `entered_unit`.")
    entered_unit: str | None
    reps: int
    rpe: Number | None
    warmup: bool
    set_number: int | None
    voided_at: datetime | None


class ExportChange(Open):
    """One entry of a set's audit trail: who changed it, when, why, and how."""

    action: Literal["corrected", "voided"]
    changed_by: str
    changed_by_role: str
    changed_at: datetime
    reason: str | None
    before: ExportSetValues
    after: ExportSetValues


class ExportSet(Open):
    """A set as it stands now (voided ones too), with its audit trail, oldest change first."""

    id: uuid.UUID
    session_id: uuid.UUID
    exercise: str
    load_kg: Number | None
    load: Number | None = Field(description="In the member's unit.")
    unit: Unit
    entered_load: Number | None = Field(description="As it was entered, in `entered_unit`.")
    entered_unit: str | None
    reps: int
    rpe: Number | None
    warmup: bool
    performed_at: datetime
    local_date: date
    set_number: int
    logged_at: datetime
    corrected_at: datetime | None
    voided_at: datetime | None
    changes: list[ExportChange]


class ExportTarget(Open):
    """An exercise's standing: its working load and next target, with the decision of each
    finished exposure that led there."""

    working_load_kg: Number | None
    working_load: Number | None
    next: ProgressNext | None
    decisions: list[ProgressDecision]
    stalled: bool
    calibrate: bool
    last_trained: date | None


class ExportRecord(Open):
    """A personal record."""

    kind: str = Field(examples=["e1rm"], description="e1rm, load or reps.")
    date: date
    set_id: uuid.UUID
    reps: int
    load_kg: Number | None
    load: Number | None
    value_kg: Number | None = Field(description="The e1RM or load record in kg; null for reps.")
    value: Number | None = Field(
        description="The record in the member's unit (the rep count for a reps record)."
    )


class ExportRecords(Open):
    """An exercise's records and its best e1RM per training day."""

    best_e1rm_kg: Number | None
    best_e1rm: Number | None
    prs: list[ExportRecord]
    e1rm_series: list[ProgressSeriesPoint]


class MemberExport(BaseModel):
    """Everything the chain holds about a member, one section per kind: the profile
    (gateway), sessions and sets with their audit trail (logging), program assignments
    (program), and targets, records, adherence weeks, streaks and milestones (progression)."""

    member_id: uuid.UUID
    exported_at: datetime
    unit: Unit = Field(description="The member's unit, of every load without `_kg`.")
    profile: ExportProfile
    sessions: list[ExportSession]
    sets: list[ExportSet]
    assignments: list[AssignmentOut] = Field(description="Newest first.")
    targets: dict[str, ExportTarget] = Field(description="By exercise slug.")
    records: dict[str, ExportRecords] = Field(description="By exercise slug.")
    weeks: list[ProgressWeek] = Field(description="Adherence per ISO week, oldest first.")
    streaks: Streaks
    milestones: list[Milestone] = Field(
        description="Loads in a milestone's `detail` are given in kg and in the member's unit."
    )


class ErasureOut(BaseModel):
    """The member is erased in the gateway; the services erase them next."""

    member_id: uuid.UUID
    status: Literal["erasing"]
    detail: str
