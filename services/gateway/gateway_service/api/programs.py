"""Programs: build, check against the protocol, read."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, status

from gateway_service.api.deps import GatewayDep, OptionalIdempotencyKey, TrainerDep
from gateway_service.api.errors import problems
from gateway_service.api.schemas import CheckOut, ProgramIn, ProgramOut
from gateway_service.handlers import trainer as handlers

router = APIRouter(prefix="/v1/programs", tags=["programs"])


@router.get(
    "",
    summary="The chain's programs",
    response_model=None,
    responses={200: {"model": list[ProgramOut]}, **problems(401, 403)},
)
def list_programs(gateway: GatewayDep, trainer: TrainerDep) -> Any:
    """Every program of the trainer's chain."""
    return handlers.list_programs(gateway.services, trainer)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Save a program",
    description="A program that does not conform to the protocol is refused 422 with `violations`.",
    response_model=None,
    responses={201: {"model": ProgramOut}, **problems(401, 403, 409, 422)},
)
def create_program(
    gateway: GatewayDep, trainer: TrainerDep, body: ProgramIn, key: OptionalIdempotencyKey = None
) -> Any:
    """Save a new program of the chain."""
    program = body.model_dump(mode="json", exclude_none=True)
    return handlers.create_program(gateway.services, trainer, program, key)


@router.post(
    "/check",
    summary="Check a program against the protocol without saving it",
    response_model=None,
    responses={200: {"model": CheckOut}, **problems(401, 403, 422)},
)
def check_program(gateway: GatewayDep, trainer: TrainerDep, body: ProgramIn) -> Any:
    """Whether the program conforms, and its violations."""
    program = body.model_dump(mode="json", exclude_none=True)
    return handlers.check_program(gateway.services, trainer, program)


@router.get(
    "/{program_id}",
    summary="One program",
    response_model=None,
    responses={200: {"model": ProgramOut}, **problems(401, 403, 404)},
)
def get_program(gateway: GatewayDep, trainer: TrainerDep, program_id: uuid.UUID) -> Any:
    """A program of the trainer's chain."""
    return handlers.get_program(gateway.services, trainer, program_id)
