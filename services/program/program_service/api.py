"""The program service's HTTP API (docs/internal-api.md, program): parse, call a use case."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from myokine.internal_api import CallerDep, IdempotencyDep, unit_of_work
from myokine.unit_of_work import UnitOfWork
from program_service import handlers, queries
from program_service.repository import ProgramRepository
from program_service.schemas import (
    AssignmentIn,
    AssignmentOut,
    CheckOut,
    ExerciseChange,
    ExerciseIn,
    ExerciseOut,
    MembersIn,
    ProgramIn,
    ProgramOut,
    TodayOut,
)

UowDep = Annotated[UnitOfWork[ProgramRepository], Depends(unit_of_work)]


async def current_time(request: Request) -> datetime:
    """Now, from the clock the app was built with: the time a write stamps its changes with."""
    now: datetime = request.app.state.clock()
    return now


NowDep = Annotated[datetime, Depends(current_time)]

router = APIRouter(prefix="/internal/v1")


@router.get("/exercises", tags=["catalog"], summary="The chain's exercise catalog")
def list_exercises(caller: CallerDep, uow: UowDep) -> list[ExerciseOut]:
    """The chain's catalog; the built-in exercises come first, seeded on the first call."""
    return queries.list_exercises(uow, caller)


@router.post(
    "/exercises",
    tags=["catalog"],
    status_code=status.HTTP_201_CREATED,
    summary="A chain admin adds an exercise",
)
def add_exercise(
    caller: CallerDep, uow: UowDep, body: ExerciseIn, idempotency: IdempotencyDep
) -> ExerciseOut:
    """Add an exercise; `409` when the slug is taken."""
    return handlers.add_exercise(uow, caller, body, idempotency)


@router.patch("/exercises/{slug}", tags=["catalog"], summary="A chain admin changes an exercise")
def change_exercise(
    caller: CallerDep, uow: UowDep, slug: str, body: ExerciseChange, idempotency: IdempotencyDep
) -> ExerciseOut:
    """Change one of the chain's own exercises (the fields sent); `409` for a built-in one."""
    return handlers.change_exercise(uow, caller, slug, body, idempotency)


@router.get("/programs", tags=["programs"], summary="The chain's programs")
def list_programs(caller: CallerDep, uow: UowDep) -> list[ProgramOut]:
    """Every program of the chain at its current version."""
    return queries.list_programs(uow, caller)


@router.post(
    "/programs", tags=["programs"], status_code=status.HTTP_201_CREATED, summary="Save a program"
)
def create_program(
    caller: CallerDep, uow: UowDep, body: ProgramIn, idempotency: IdempotencyDep
) -> ProgramOut:
    """Save a program; `422` with `violations` if it breaks the protocol without a reason."""
    return handlers.create_program(uow, caller, body, idempotency)


@router.post("/programs/check", tags=["programs"], summary="Check a program without saving")
def check_program(caller: CallerDep, uow: UowDep, body: ProgramIn) -> CheckOut:
    """Whether the program conforms, with every violation by pattern, rule and day."""
    return queries.check_program(uow, caller, body)


@router.get("/programs/{program_id}", tags=["programs"], summary="One program")
def get_program(
    caller: CallerDep,
    uow: UowDep,
    program_id: uuid.UUID,
    version: Annotated[int | None, Query(ge=1, description="Defaults to the current one")] = None,
) -> ProgramOut:
    """A program at its current version, or at `version`."""
    return queries.get_program(uow, caller, program_id, version)


@router.get("/programs/{program_id}/versions", tags=["programs"], summary="A program's versions")
def program_versions(caller: CallerDep, uow: UowDep, program_id: uuid.UUID) -> list[ProgramOut]:
    """Every version of the program, newest first."""
    return queries.program_versions(uow, caller, program_id)


@router.put("/programs/{program_id}", tags=["programs"], summary="Edit a program")
def update_program(
    caller: CallerDep,
    uow: UowDep,
    now: NowDep,
    program_id: uuid.UUID,
    body: ProgramIn,
    idempotency: IdempotencyDep,
) -> ProgramOut:
    """Edit a program; an assigned version is kept and the edit becomes a new version."""
    return handlers.update_program(uow, caller, program_id, body, idempotency, now=now)


@router.post(
    "/members/{member_id}/assignments",
    tags=["assignments"],
    status_code=status.HTTP_201_CREATED,
    summary="Assign a program to a member",
)
def assign_program(
    caller: CallerDep,
    uow: UowDep,
    now: NowDep,
    member_id: uuid.UUID,
    body: AssignmentIn,
    idempotency: IdempotencyDep,
) -> AssignmentOut:
    """Assign a program version; the member's active assignment, if any, ends."""
    return handlers.assign_program(uow, caller, member_id, body, idempotency, now=now)


@router.get(
    "/members/{member_id}/assignments", tags=["assignments"], summary="A member's assignments"
)
def assignment_history(caller: CallerDep, uow: UowDep, member_id: uuid.UUID) -> list[AssignmentOut]:
    """Every assignment of the member, newest first."""
    return queries.assignment_history(uow, caller, member_id)


@router.delete(
    "/members/{member_id}/assignments/current",
    tags=["assignments"],
    summary="End a member's active assignment",
)
def end_assignment(
    caller: CallerDep, uow: UowDep, now: NowDep, member_id: uuid.UUID, idempotency: IdempotencyDep
) -> AssignmentOut:
    """End the active assignment; `404` (`no-assignment`) when there is none."""
    return handlers.end_assignment(uow, caller, member_id, idempotency, now=now)


@router.post(
    "/assignments/active",
    tags=["assignments"],
    summary="The active assignments of several members",
)
def active_assignments(caller: CallerDep, uow: UowDep, body: MembersIn) -> list[AssignmentOut]:
    """A read sent as POST so that thousands of member ids fit: those without one are absent."""
    return queries.active_assignments(uow, caller, body.member_ids)


@router.get("/members/{member_id}/today", tags=["assignments"], summary="A member's next session")
def todays_plan(
    caller: CallerDep,
    uow: UowDep,
    member_id: uuid.UUID,
    day: Annotated[
        str | None,
        Query(max_length=64, description="A day of the program to answer instead of the next."),
    ] = None,
) -> TodayOut:
    """The day of the rotation after the last one trained (or the program's day named
    `day`); `404` (`no-assignment`) without one."""
    return queries.todays_plan(uow, caller, member_id, day)
