"""Events: the data services exchange, and where each kind of event goes.

An event is a frozen pydantic model with `event_id`, `occurred_at`, `chain_id` and its
payload. It travels as a Celery task named `<consumer>.<EventType>` on the consumer's
queue (one queue per consuming service). Producers never call consumers directly: they
write the event into their outbox, and the relay publishes it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from myokine.inventory import Inventory

ALL_CHAINS = uuid.UUID(int=0)
"""The `chain_id` of an event about every chain (a consumer asking to catch up)."""


def _now() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    """The envelope every event shares."""

    model_config = ConfigDict(frozen=True)

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    kept_once_sent: ClassVar[bool] = True
    """Whether the producer's outbox keeps the row, marked sent, once it is published."""

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    occurred_at: datetime = Field(default_factory=_now)
    chain_id: uuid.UUID
    request_id: str | None = None

    def to_message(self) -> dict[str, Any]:
        """The JSON-ready body that travels on the broker."""
        body = self.model_dump(mode="json")
        body["event_type"] = self.event_type
        body["schema_version"] = self.schema_version
        return body


class MemberEvent(Event):
    """An event about one member, numbered so consumers apply them in the producer's order."""

    member_id: uuid.UUID
    seq: int = Field(ge=1, description="The producer's per-member sequence number.")


# --- program -> progression --------------------------------------------------------


class PlannedExercise(BaseModel):
    """One exercise of an assigned program, with what progression needs to set targets."""

    model_config = ConfigDict(frozen=True)

    exercise: str
    pattern: str
    equipment: str
    load_step_kg: Decimal
    bodyweight: bool = False
    sets: int
    rep_min: int
    rep_max: int
    starting_load_kg: Decimal | None = None


class ProgramAssigned(MemberEvent):
    """A trainer assigned a program version to a member."""

    event_type: ClassVar[str] = "ProgramAssigned"

    assignment_id: uuid.UUID
    program_id: uuid.UUID
    program_version: int
    start_date: date
    weekdays: list[int]
    exercises: list[PlannedExercise]


class AssignmentEnded(MemberEvent):
    """A member's assignment ended (by a trainer, or replaced by a new one)."""

    event_type: ClassVar[str] = "AssignmentEnded"

    assignment_id: uuid.UUID


# --- logging -> progression, program ------------------------------------------------


class LoggedSet(BaseModel):
    """A set as logging stores it; carried whole so consumers need no call back."""

    model_config = ConfigDict(frozen=True)

    set_id: uuid.UUID
    session_id: uuid.UUID
    gym_id: uuid.UUID
    exercise: str
    load_kg: Decimal
    load_value: Decimal
    unit: str
    reps: int
    rpe: Decimal | None = None
    warmup: bool = False
    performed_at: datetime
    local_date: date


class SetLogged(MemberEvent):
    """A member logged a set."""

    event_type: ClassVar[str] = "SetLogged"

    set: LoggedSet


class SetCorrected(MemberEvent):
    """A set was corrected; `set` is the set as it now stands."""

    event_type: ClassVar[str] = "SetCorrected"

    set: LoggedSet
    previous: LoggedSet


class SetVoided(MemberEvent):
    """A set was voided; it no longer counts for anything."""

    event_type: ClassVar[str] = "SetVoided"

    set: LoggedSet


class SessionFinished(MemberEvent):
    """A workout session was finished, at the kiosk or automatically."""

    event_type: ClassVar[str] = "SessionFinished"

    session_id: uuid.UUID
    gym_id: uuid.UUID
    local_date: date
    program_day: str | None = None
    assignment_id: uuid.UUID | None = Field(
        default=None,
        description="The program assignment the session followed (from today's plan), if any.",
    )
    set_count: int
    automatic: bool = False


# --- program -> logging, progression (the chain's catalog, event-carried) ------------


class ExerciseAdded(Event):
    """A chain added an exercise of its own to its catalog (the default one every chain has).

    Consumers keep their own copy of the chain's catalog from these events, so they never
    ask program what an exercise is.
    """

    event_type: ClassVar[str] = "ExerciseAdded"

    slug: str
    name: str
    pattern: str
    equipment: str
    load_step_kg: Decimal
    bodyweight: bool
    version: int = Field(default=1, ge=1, description="1 for a new exercise.")


class ExerciseChanged(ExerciseAdded):
    """A chain's own exercise as it now stands (changed, or sent again to a consumer that
    asked to catch up). A consumer keeps the highest `version` it has seen, so a copy
    that arrives late or twice changes nothing."""

    event_type: ClassVar[str] = "ExerciseChanged"


# --- gateway -> progression (each gym's equipment, event-carried) ---------------------


class InventoryChanged(Event):
    """A gym's equipment as it now stands (set by a trainer, the defaults of a new gym, or
    sent again to a consumer that asked to catch up); the highest `version` wins."""

    event_type: ClassVar[str] = "InventoryChanged"

    gym_id: uuid.UUID
    version: int = Field(ge=0, description="0 for a gym's defaults; +1 on every change.")
    inventory: Inventory


# --- gateway -> program, logging, progression (erasure) ------------------------------


class MemberErased(Event):
    """A chain admin erased a member (GDPR): every service deletes each row that names them.

    The gateway has already deleted its own rows. The event names the member it erases,
    so its outbox row is deleted once published (`kept_once_sent`) rather than kept.
    """

    event_type: ClassVar[str] = "MemberErased"
    kept_once_sent: ClassVar[bool] = False

    member_id: uuid.UUID


# --- any consumer -> the owners of reference data -----------------------------------

CATALOG, INVENTORY = "catalog", "inventory"
"""What a consumer may ask to catch up on (`CatchUpRequested.wants`)."""


class CatchUpRequested(Event):
    """A consumer started and asks the owners of the state it copies (the chains'
    catalogs, the gyms' inventories) to send it all again, in case it missed events.

    Its `chain_id` is `ALL_CHAINS`. The answers are ordinary `ExerciseChanged` and
    `InventoryChanged` events, which every consumer of them applies idempotently.
    """

    event_type: ClassVar[str] = "CatchUpRequested"

    consumer: str
    wants: tuple[str, ...] = Field(description='"catalog" and/or "inventory".')


# --- progression -> gateway ---------------------------------------------------------


class TargetsUpdated(Event):
    """A member's next targets moved."""

    event_type: ClassVar[str] = "TargetsUpdated"

    member_id: uuid.UUID
    exercise: str
    load_kg: Decimal
    reps: int
    sets: int


class PersonalRecord(Event):
    """A member set a personal record."""

    event_type: ClassVar[str] = "PersonalRecord"

    member_id: uuid.UUID
    exercise: str
    kind: str
    value: Decimal
    set_id: uuid.UUID


class StallDetected(Event):
    """A member stalled on an exercise and was deloaded."""

    event_type: ClassVar[str] = "StallDetected"

    member_id: uuid.UUID
    exercise: str
    load_kg: Decimal


class MilestoneReached(Event):
    """A member reached a protocol milestone."""

    event_type: ClassVar[str] = "MilestoneReached"

    member_id: uuid.UUID
    milestone: str


EVENT_TYPES: dict[str, type[Event]] = {
    cls.event_type: cls
    for cls in (
        ProgramAssigned,
        AssignmentEnded,
        SetLogged,
        SetCorrected,
        SetVoided,
        SessionFinished,
        ExerciseAdded,
        ExerciseChanged,
        InventoryChanged,
        MemberErased,
        CatchUpRequested,
        TargetsUpdated,
        PersonalRecord,
        StallDetected,
        MilestoneReached,
    )
}

# Which services consume which events. The relay sends each consumer one message a pass:
# the event's own task when it has one event for it, else the batch task (`BATCH`).
ROUTES: dict[str, tuple[str, ...]] = {
    "ProgramAssigned": ("progression",),
    "AssignmentEnded": ("progression",),
    "SetLogged": ("progression",),
    "SetCorrected": ("progression",),
    "SetVoided": ("progression",),
    "SessionFinished": ("progression", "program", "gateway"),
    "ExerciseAdded": ("logging", "progression"),
    "ExerciseChanged": ("logging", "progression"),
    "InventoryChanged": ("progression",),
    "MemberErased": ("program", "logging", "progression"),
    "CatchUpRequested": ("program", "gateway"),
    "TargetsUpdated": ("gateway",),
    "PersonalRecord": ("gateway",),
    "StallDetected": ("gateway",),
    "MilestoneReached": ("gateway",),
}


BATCH = "events"
"""The task of a batch of events at a consumer: `<consumer>.events`."""


def task_name(consumer: str, event_type: str) -> str:
    """The Celery task name of `event_type` at `consumer`: `<consumer>.<EventType>`."""
    return f"{consumer}.{event_type}"


def parse_event(body: dict[str, Any]) -> Event:
    """Rebuild an event from its broker message."""
    cls = EVENT_TYPES[body["event_type"]]
    fields = {k: v for k, v in body.items() if k not in ("event_type", "schema_version")}
    return cls.model_validate(fields)
