"""The shapes of the program service's internal API (docs/internal-api.md, program)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)

from myokine.catalog import Equipment
from myokine.patterns import DEFAULT_WORKING_SETS, REP_MAX, REP_MIN, Pattern
from myokine.request_bodies import RequestBody
from program_service.domain.conformance import Violation
from program_service.domain.plans import DEFAULT_REST_SECONDS
from program_service.domain.slugs import MAX_SLUG_LENGTH, SLUG_PATTERN

if TYPE_CHECKING:
    # Only read from: the answers are made from the rows the repository hands out.
    from program_service.repository import Assignment, Exercise, Program, ProgramVersion

Kg = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
"""Kilograms: exact decimals inside, JSON numbers on the wire (as the logging service)."""

Slug = Annotated[str, Field(min_length=1, max_length=MAX_SLUG_LENGTH, pattern=SLUG_PATTERN)]


class Input(RequestBody):
    """Request bodies refuse fields they do not know, so a typo is an error, not a no-op.

    Fields the service itself answers with (`read_only`) are dropped instead, so a client
    may send back what it read, edited (GET, change, PUT).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    read_only: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _drop_read_only(cls, data: Any) -> Any:
        if isinstance(data, dict) and cls.read_only:
            return {k: v for k, v in data.items() if k not in cls.read_only}
        return data


# --- catalog ---------------------------------------------------------------------------


class ExerciseOut(BaseModel):
    """One exercise of the chain's catalog."""

    slug: str
    name: str
    pattern: Pattern
    equipment: Equipment
    load_step_kg: Kg
    bodyweight: bool
    builtin: bool

    @classmethod
    def of(cls, row: Exercise) -> ExerciseOut:
        """The answer for one exercise of the catalog."""
        return cls(
            slug=row.slug,
            name=row.name,
            pattern=Pattern(row.pattern),
            equipment=Equipment(row.equipment),
            load_step_kg=row.load_step_kg,
            bodyweight=row.bodyweight,
            builtin=row.builtin,
        )


class ExerciseIn(Input):
    """A chain admin's new exercise; the slug is made from the name unless given."""

    name: str = Field(min_length=1, max_length=120)
    slug: Slug | None = None
    pattern: Pattern
    equipment: Equipment
    load_step_kg: Decimal | None = Field(default=None, gt=0, le=50, decimal_places=3)
    bodyweight: bool | None = None


class ExerciseChange(Input):
    """A chain admin's change to one of the chain's own exercises: the fields sent change,
    the others stay. The slug (in the path) never changes, and neither does `bodyweight`,
    which was settled when the exercise was added."""

    read_only = frozenset({"slug", "builtin", "bodyweight"})

    name: str | None = Field(default=None, min_length=1, max_length=120)
    pattern: Pattern | None = None
    equipment: Equipment | None = None
    load_step_kg: Decimal | None = Field(default=None, gt=0, le=50, decimal_places=3)

    @field_validator("name", "pattern", "equipment", "load_step_kg", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Left out means "as it is"; an explicit null would have to mean something else.
        if value is None:
            raise ValueError("may be left out, not null")
        return value


# --- programs --------------------------------------------------------------------------


class SlotIn(Input):
    """One exercise of a training day."""

    read_only = frozenset({"name", "pattern"})

    exercise: Slug
    sets: int = Field(default=DEFAULT_WORKING_SETS, ge=1, le=10)
    rep_min: int = Field(default=REP_MIN, ge=1, le=100)
    rep_max: int = Field(default=REP_MAX, ge=1, le=100)
    rest_seconds: int = Field(default=DEFAULT_REST_SECONDS, ge=0, le=900)
    notes: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _range_in_order(self) -> SlotIn:
        if self.rep_min > self.rep_max:
            raise ValueError("rep_min must not be above rep_max")
        return self


class DayIn(Input):
    """One training day of the rotation."""

    name: str = Field(min_length=1, max_length=40)
    exercises: list[SlotIn] = Field(min_length=1, max_length=20)


class ProgramIn(Input):
    """A program as a trainer writes it (POST, PUT and the check)."""

    read_only = frozenset(
        {
            "id",
            "version",
            "current_version",
            "conforms",
            "violations",
            "ready_made",
            "created_at",
            "updated_at",
        }
    )

    name: str = Field(min_length=1, max_length=120)
    sessions_per_week: int = Field(ge=1, le=7)
    days: list[DayIn] = Field(min_length=1, max_length=14)
    exception_reason: str | None = Field(
        default=None,
        max_length=1000,
        description="Saves a program that breaks the protocol; kept and shown with it.",
    )

    @field_validator("days")
    @classmethod
    def _day_names_unique(cls, days: list[DayIn]) -> list[DayIn]:
        names = [day.name for day in days]
        if len(set(names)) != len(names):
            raise ValueError("day names must be unique within a program")
        return days

    @field_validator("exception_reason")
    @classmethod
    def _blank_is_none(cls, reason: str | None) -> str | None:
        return reason or None


class ViolationOut(BaseModel):
    """One way a program breaks the protocol."""

    pattern: Pattern
    rule: str
    day: str
    detail: str
    window: list[str] = []
    count: int | None = None
    min: int | None = None
    max: int | None = None
    exercise: str | None = None

    @classmethod
    def of(cls, v: Violation) -> ViolationOut:
        """The answer for one violation the conformance check found."""
        return cls(
            pattern=v.pattern,
            rule=str(v.rule),
            day=v.day,
            detail=v.detail,
            window=list(v.window),
            count=v.count,
            min=v.minimum,
            max=v.maximum,
            exercise=v.exercise,
        )


class CheckOut(BaseModel):
    """The conformance check of a program."""

    conforms: bool
    violations: list[ViolationOut]


class SlotOut(BaseModel):
    """One exercise of a training day, with its catalog name and pattern."""

    exercise: str
    name: str
    pattern: Pattern
    sets: int
    rep_min: int
    rep_max: int
    rest_seconds: int
    notes: str | None


class DayOut(BaseModel):
    """One training day."""

    name: str
    exercises: list[SlotOut]


class ProgramOut(BaseModel):
    """A program at one version (the current one unless asked otherwise)."""

    id: uuid.UUID
    version: int
    current_version: int
    name: str
    sessions_per_week: int
    days: list[DayOut]
    conforms: bool
    violations: list[ViolationOut]
    exception_reason: str | None
    ready_made: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, program: Program, version: ProgramVersion, names: dict[str, str]) -> ProgramOut:
        """The answer for a program at `version`, naming its exercises from `names` (by slug)."""
        return cls(
            id=program.id,
            version=version.version,
            current_version=program.current_version,
            name=version.name,
            sessions_per_week=version.sessions_per_week,
            days=[
                DayOut(
                    name=day["name"],
                    exercises=[
                        SlotOut(
                            exercise=slot["exercise"],
                            name=names.get(slot["exercise"], slot["exercise"]),
                            pattern=Pattern(slot["pattern"]),
                            sets=slot["sets"],
                            rep_min=slot["rep_min"],
                            rep_max=slot["rep_max"],
                            rest_seconds=slot["rest_seconds"],
                            notes=slot["notes"],
                        )
                        for slot in day["exercises"]
                    ],
                )
                for day in version.days
            ],
            conforms=version.conforms,
            violations=[ViolationOut.model_validate(v) for v in version.violations],
            exception_reason=version.exception_reason,
            ready_made=program.ready_made,
            created_at=program.created_at,
            updated_at=program.updated_at,
        )


# --- assignments -----------------------------------------------------------------------


class AssignmentIn(Input):
    """A trainer assigns a program to a member."""

    program_id: uuid.UUID
    program_version: int | None = Field(
        default=None, ge=1, description="Defaults to the program's current version."
    )
    start_date: date
    weekdays: list[int] = Field(
        min_length=1, max_length=7, description="ISO weekdays: 1 = Monday ... 7 = Sunday."
    )
    starting_loads: dict[str, Decimal] = Field(
        default_factory=dict, description="Starting load in kg per exercise slug."
    )

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, weekdays: list[int]) -> list[int]:
        if any(day < 1 or day > 7 for day in weekdays):
            raise ValueError("weekdays are ISO weekdays, 1 (Monday) to 7 (Sunday)")
        if len(set(weekdays)) != len(weekdays):
            raise ValueError("a weekday may be given once")
        return sorted(weekdays)


class AssignmentOut(BaseModel):
    """An assignment, active or ended."""

    id: uuid.UUID
    member_id: uuid.UUID
    program_id: uuid.UUID
    program_version: int
    program_name: str
    start_date: date
    weekdays: list[int]
    starting_loads: dict[str, Kg]
    exception_reason: str | None
    active: bool
    assigned_at: datetime
    assigned_by: str | None
    ended_at: datetime | None
    ended_by: str | None
    last_trained_day: str | None
    last_trained_on: date | None

    @classmethod
    def of(cls, assignment: Assignment, version: ProgramVersion) -> AssignmentOut:
        """The answer for an assignment of `version`."""
        last_day = (
            version.days[assignment.last_day_index]["name"]
            if assignment.last_day_index is not None
            else None
        )
        return cls(
            id=assignment.id,
            member_id=assignment.member_id,
            program_id=assignment.program_id,
            program_version=assignment.program_version,
            program_name=version.name,
            start_date=assignment.start_date,
            weekdays=assignment.weekdays,
            starting_loads={slug: Decimal(kg) for slug, kg in assignment.starting_loads.items()},
            exception_reason=version.exception_reason,
            active=assignment.ended_at is None,
            assigned_at=assignment.created_at,
            assigned_by=assignment.assigned_by,
            ended_at=assignment.ended_at,
            ended_by=assignment.ended_by,
            last_trained_day=last_day,
            last_trained_on=assignment.last_trained_on,
        )


class Alternative(BaseModel):
    """An exercise of the same pattern that may stand in for a planned one."""

    exercise: str
    name: str
    equipment: Equipment


class MembersIn(Input):
    """Members asked about at once."""

    member_ids: list[uuid.UUID] = Field(max_length=10_000)


class TodayExercise(BaseModel):
    """One exercise of today's plan, with what the kiosk needs to show and log it."""

    exercise: str
    name: str
    pattern: Pattern
    equipment: Equipment
    load_step_kg: Kg
    bodyweight: bool
    sets: int
    rep_min: int
    rep_max: int
    rest_seconds: int
    notes: str | None
    starting_load_kg: Kg | None
    alternatives: list[Alternative] = Field(
        description="The chain's other exercises of this pattern, in catalog order: the "
        "substitutes a kiosk offers when the equipment is taken (it keeps those its gym has)."
    )


class TodayOut(BaseModel):
    """The member's plan for their next session: the day after the last one trained."""

    assignment_id: uuid.UUID
    program_id: uuid.UUID
    program_version: int
    program_name: str
    exception_reason: str | None
    day: str
    day_index: int
    day_count: int
    last_trained_day: str | None
    last_trained_on: date | None
    exercises: list[TodayExercise]
