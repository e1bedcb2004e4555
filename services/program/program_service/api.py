"""The program service's HTTP API (docs/internal-api.md, program): parse, call a handler."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, status

from myokine.idempotency import IdempotentRequest, fingerprint
from myokine.internal_auth import Caller, caller_from_header
from program_service import handlers
from program_service.runtime import runtime
from program_service.schemas import (
    AssignmentIn,
    AssignmentOut,
    CheckOut,
    ExerciseIn,
    ExerciseOut,
    ProgramIn,
    ProgramOut,
    TodayOut,
)


def current_caller(authorization: Annotated[str | None, Header()] = None) -> Caller:
    """The caller the gateway vouched for in the internal token."""
    return caller_from_header(authorization, runtime.settings.internal_token_secret)


CallerDep = Annotated[Caller, Depends(current_caller)]


async def idempotent_request(
    request: Request,
    key: Annotated[
        str | None, Header(alias="Idempotency-Key", min_length=1, max_length=255)
    ] = None,
) -> IdempotentRequest | None:
    """The write's Idempotency-Key with the fingerprint of its request, if a key was sent."""
    if key is None:
        return None
    body = await request.body()
    return IdempotentRequest(key, fingerprint(request.method, request.url.path, body))


IdempotencyDep = Annotated[IdempotentRequest | None, Depends(idempotent_request)]

router = APIRouter(prefix="/internal/v1")


@router.get("/exercises", tags=["catalog"], summary="The chain's exercise catalog")
def list_exercises(caller: CallerDep) -> list[ExerciseOut]:
    """The chain's catalog; the built-in exercises come first, seeded on the first call."""
    return handlers.list_exercises(caller)


@router.post(
    "/exercises",
    tags=["catalog"],
    status_code=status.HTTP_201_CREATED,
    summary="A chain admin adds an exercise",
)
def add_exercise(caller: CallerDep, body: ExerciseIn, idempotency: IdempotencyDep) -> ExerciseOut:
    """Add an exercise; `409` when the slug is taken."""
    return handlers.add_exercise(caller, body, idempotency)


@router.get("/programs", tags=["programs"], summary="The chain's programs")
def list_programs(caller: CallerDep) -> list[ProgramOut]:
    """Every program of the chain at its current version."""
    return handlers.list_programs(caller)


@router.post(
    "/programs", tags=["programs"], status_code=status.HTTP_201_CREATED, summary="Save a program"
)
def create_program(caller: CallerDep, body: ProgramIn, idempotency: IdempotencyDep) -> ProgramOut:
    """Save a program; `422` with `violations` if it breaks the protocol without a reason."""
    return handlers.create_program(caller, body, idempotency)


@router.post("/programs/check", tags=["programs"], summary="Check a program without saving")
def check_program(caller: CallerDep, body: ProgramIn) -> CheckOut:
    """Whether the program conforms, with every violation by pattern, rule and day."""
    return handlers.check_program(caller, body)


@router.get("/programs/{program_id}", tags=["programs"], summary="One program")
def get_program(
    caller: CallerDep,
    program_id: uuid.UUID,
    version: Annotated[int | None, Query(ge=1, description="Defaults to the current one")] = None,
) -> ProgramOut:
    """A program at its current version, or at `version`."""
    return handlers.get_program(caller, program_id, version)


@router.get("/programs/{program_id}/versions", tags=["programs"], summary="A program's versions")
def program_versions(caller: CallerDep, program_id: uuid.UUID) -> list[ProgramOut]:
    """Every version of the program, newest first."""
    return handlers.program_versions(caller, program_id)


@router.put("/programs/{program_id}", tags=["programs"], summary="Edit a program")
def update_program(
    caller: CallerDep, program_id: uuid.UUID, body: ProgramIn, idempotency: IdempotencyDep
) -> ProgramOut:
    """Edit a program; an assigned version is kept and the edit becomes a new version."""
    return handlers.update_program(caller, program_id, body, idempotency)


@router.post(
    "/members/{member_id}/assignments",
    tags=["assignments"],
    status_code=status.HTTP_201_CREATED,
    summary="Assign a program to a member",
)
def assign_program(
    caller: CallerDep, member_id: uuid.UUID, body: AssignmentIn, idempotency: IdempotencyDep
) -> AssignmentOut:
    """Assign a program version; the member's active assignment, if any, ends."""
    return handlers.assign_program(caller, member_id, body, idempotency)


@router.get(
    "/members/{member_id}/assignments", tags=["assignments"], summary="A member's assignments"
)
def assignment_history(caller: CallerDep, member_id: uuid.UUID) -> list[AssignmentOut]:
    """Every assignment of the member, newest first."""
    return handlers.assignment_history(caller, member_id)


@router.delete(
    "/members/{member_id}/assignments/current",
    tags=["assignments"],
    summary="End a member's active assignment",
)
def end_assignment(
    caller: CallerDep, member_id: uuid.UUID, idempotency: IdempotencyDep
) -> AssignmentOut:
    """End the active assignment; `404` (`no-assignment`) when there is none."""
    return handlers.end_assignment(caller, member_id, idempotency)


@router.get("/members/{member_id}/today", tags=["assignments"], summary="A member's next session")
def todays_plan(caller: CallerDep, member_id: uuid.UUID) -> TodayOut:
    """The day of the rotation after the last one trained; `404` (`no-assignment`) without one."""
    return handlers.todays_plan(caller, member_id)
