"""Programs: build, check against the protocol, read."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from gateway_service.api.deps import DepsDep, OptionalIdempotencyKey, TrainerDep
from gateway_service.api.errors import problems
from gateway_service.handlers import trainer as handlers
from gateway_service.schemas.programs import CheckOut, ProgramIn, ProgramOut

router = APIRouter(prefix="/v1/programs", tags=["programs"])


@router.get("", summary="The chain's programs", responses=problems(401, 403))
def list_programs(deps: DepsDep, trainer: TrainerDep) -> list[ProgramOut]:
    """Every program of the trainer's chain."""
    return handlers.list_programs(deps.services, trainer)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Save a program",
    description="A program that does not conform to the protocol is refused 422 with `violations`.",
    responses=problems(401, 403, 409, 422),
)
def create_program(
    deps: DepsDep, trainer: TrainerDep, body: ProgramIn, key: OptionalIdempotencyKey = None
) -> ProgramOut:
    """Save a new program of the chain."""
    return handlers.create_program(deps.services, trainer, body, key)


@router.post(
    "/check",
    summary="Check a program against the protocol without saving it",
    responses=problems(401, 403, 422),
)
def check_program(deps: DepsDep, trainer: TrainerDep, body: ProgramIn) -> CheckOut:
    """Whether the program conforms, and its violations."""
    return handlers.check_program(deps.services, trainer, body)


@router.get("/{program_id}", summary="One program", responses=problems(401, 403, 404))
def get_program(deps: DepsDep, trainer: TrainerDep, program_id: uuid.UUID) -> ProgramOut:
    """A program of the trainer's chain."""
    return handlers.get_program(deps.services, trainer, program_id)


@router.put(
    "/{program_id}",
    summary="Edit a program",
    description="The edit becomes the program's new version; members keep the version they "
    "were assigned until moved (assign the program again). A program that does not conform "
    "is refused 422 with `violations`.",
    responses=problems(401, 403, 404, 409, 422),
)
def update_program(
    deps: DepsDep,
    trainer: TrainerDep,
    program_id: uuid.UUID,
    body: ProgramIn,
    key: OptionalIdempotencyKey = None,
) -> ProgramOut:
    """Save a new version of a program of the chain."""
    return handlers.update_program(deps.services, trainer, program_id, body, key)


@router.get(
    "/{program_id}/versions",
    summary="A program's versions",
    responses=problems(401, 403, 404),
)
def program_versions(deps: DepsDep, trainer: TrainerDep, program_id: uuid.UUID) -> list[ProgramOut]:
    """Every version of the program, newest first."""
    return handlers.program_versions(deps.services, trainer, program_id)
