"""The JSON shapes of the internal API (docs/internal-api.md, logging)."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from logging_service.domain.changes import Correction
from logging_service.domain.sets import SetEntry
from logging_service.repository import LoggedSetRow, SetChange, WorkoutSession
from myokine.request_bodies import RequestBody

Number = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
"""An exact decimal inside the service, a JSON number on the wire."""


class SetBody(RequestBody):
    """`POST /members/{member_id}/sets`."""

    exercise: str
    load: Decimal
    unit: str
    reps: int
    rpe: Decimal | None = None
    warmup: bool = False
    performed_at: datetime | None = Field(
        default=None, description="When the set was done (with offset); default: now."
    )
    program_day: str | None = Field(
        default=None, description="The planned program day, kept on the session it opens."
    )

    def entry(self) -> SetEntry:
        """The set as the domain reads it."""
        return SetEntry(
            exercise=self.exercise,
            load=self.load,
            unit=self.unit,
            reps=self.reps,
            rpe=self.rpe,
            warmup=self.warmup,
            performed_at=self.performed_at,
            program_day=self.program_day,
        )


class CorrectionBody(RequestBody):
    """`PATCH /members/{member_id}/sets/{set_id}`: only the fields sent change."""

    exercise: str | None = None
    load: Decimal | None = None
    unit: str | None = None
    reps: int | None = None
    rpe: Decimal | None = Field(default=None, description="Send null to clear the RPE.")
    warmup: bool | None = None
    reason: str | None = Field(default=None, max_length=500)

    def correction(self) -> Correction:
        """The correction as the domain reads it."""
        return Correction(
            exercise=self.exercise,
            load=self.load,
            unit=self.unit,
            reps=self.reps,
            rpe=self.rpe,
            clear_rpe="rpe" in self.model_fields_set and self.rpe is None,
            warmup=self.warmup,
        )


class OpenSessionBody(RequestBody):
    """`POST /members/{member_id}/sessions`: open a session before the first set."""

    program_day: str | None = Field(default=None, max_length=64)


class SetOut(BaseModel):
    """A logged set."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    session_id: uuid.UUID
    member_id: uuid.UUID
    exercise: str
    load: Number = Field(description="As entered, in `unit`.")
    unit: str
    load_kg: Number = Field(description="Exact kilograms.")
    reps: int
    rpe: Number | None
    warmup: bool
    performed_at: datetime
    local_date: date
    set_number: int
    logged_at: datetime
    corrected_at: datetime | None
    voided_at: datetime | None

    @classmethod
    def of(cls, row: LoggedSetRow) -> SetOut:
        """The set as answered."""
        return cls(
            id=row.id,
            session_id=row.session_id,
            member_id=row.member_id,
            exercise=row.exercise,
            load=row.load_value,
            unit=row.unit,
            load_kg=row.load_kg,
            reps=row.reps,
            rpe=row.rpe,
            warmup=row.warmup,
            performed_at=row.performed_at,
            local_date=row.local_date,
            set_number=row.set_number,
            logged_at=row.logged_at,
            corrected_at=row.corrected_at,
            voided_at=row.voided_at,
        )


class ChangeOut(BaseModel):
    """One entry of a set's audit trail."""

    model_config = ConfigDict(from_attributes=True)

    action: str
    changed_by: str
    changed_by_role: str
    changed_at: datetime
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str | None


class SetDetailOut(SetOut):
    """A set with its audit trail."""

    changes: list[ChangeOut]

    @classmethod
    def with_changes(cls, row: LoggedSetRow, changes: list[SetChange]) -> SetDetailOut:
        """The set and who changed it."""
        return cls(
            **SetOut.of(row).model_dump(),
            changes=[ChangeOut.model_validate(c) for c in changes],
        )


class SessionSummary(BaseModel):
    """A workout session, without its sets."""

    id: uuid.UUID
    member_id: uuid.UUID
    gym_id: uuid.UUID
    kiosk_id: uuid.UUID | None
    program_day: str | None
    local_date: date
    opened_at: datetime
    last_set_at: datetime
    finished_at: datetime | None
    finished_automatically: bool

    @classmethod
    def of(cls, row: WorkoutSession) -> SessionSummary:
        """The session as answered."""
        return cls(
            id=row.id,
            member_id=row.member_id,
            gym_id=row.gym_id,
            kiosk_id=row.kiosk_id,
            program_day=row.program_day,
            local_date=row.local_date,
            opened_at=row.opened_at,
            last_set_at=row.last_set_at,
            finished_at=row.finished_at,
            finished_automatically=row.finished_automatically,
        )


class SessionOut(SessionSummary):
    """A workout session with the sets that count."""

    set_count: int
    sets: list[SetOut]

    @classmethod
    def with_sets(cls, row: WorkoutSession, sets: list[LoggedSetRow]) -> SessionOut:
        """The session and its counting sets, oldest first."""
        return cls(
            **SessionSummary.of(row).model_dump(),
            set_count=len(sets),
            sets=[SetOut.of(s) for s in sets],
        )


class FinishOut(BaseModel):
    """`POST /members/{member_id}/sessions/finish`."""

    session_id: uuid.UUID
    sets: int = Field(description="How many sets of the session count (voided ones do not).")
    local_date: date
    finished_at: datetime


class SetPage(BaseModel):
    """One page of sets, newest first."""

    items: list[SetOut]
    next_cursor: str | None


class AuditPage(BaseModel):
    """One page of sets, voided ones too, each with its audit trail, newest first."""

    items: list[SetDetailOut]
    next_cursor: str | None


class SessionPage(BaseModel):
    """One page of sessions, newest first."""

    items: list[SessionOut]
    next_cursor: str | None


def _cell(value: object) -> str:
    """A CSV cell: exact decimals, ISO times, empty for none."""
    if value is None:
        return ""
    if isinstance(value, date):  # dates and datetimes
        return value.isoformat()
    return str(value)


class Export(BaseModel):
    """Every log of a member."""

    member_id: uuid.UUID
    exported_at: datetime
    sessions: list[SessionSummary]
    sets: list[SetDetailOut] = Field(
        description="Every set, voided ones included (`voided_at`), with its audit trail."
    )

    def as_csv(self) -> str:
        """The sets as CSV: a header of `SetOut`'s fields, then one row per set."""
        columns = tuple(SetOut.model_fields)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in self.sets:
            values = row.model_dump()
            writer.writerow([_cell(values[c]) for c in columns])
        return out.getvalue()
