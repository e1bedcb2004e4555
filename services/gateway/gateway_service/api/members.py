"""Members of the trainer's chain: list, read, assign a program, see progress."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, status

from gateway_service.api.deps import GatewayDep, OptionalIdempotencyKey, TrainerDep
from gateway_service.api.errors import problems
from gateway_service.api.schemas import AssignmentIn, AssignmentOut, MemberOut, ProgressOut
from gateway_service.handlers import trainer as handlers

router = APIRouter(prefix="/v1/members", tags=["members"])


@router.get(
    "",
    summary="Members of the trainer's chain",
    response_model=list[MemberOut],
    responses=problems(401, 403),
)
def list_members(gateway: GatewayDep, trainer: TrainerDep) -> list[dict[str, Any]]:
    """Every member of the chain, by name."""
    return handlers.list_members(gateway.sessions, trainer)


@router.get(
    "/{member_id}",
    summary="One member",
    response_model=MemberOut,
    responses=problems(401, 403, 404),
)
def get_member(gateway: GatewayDep, trainer: TrainerDep, member_id: uuid.UUID) -> dict[str, Any]:
    """A member of the trainer's chain (another chain's member is not found)."""
    return handlers.get_member(gateway.sessions, trainer, member_id)


@router.post(
    "/{member_id}/assignments",
    status_code=status.HTTP_201_CREATED,
    summary="Assign a program to a member",
    response_model=None,
    responses={201: {"model": AssignmentOut}, **problems(401, 403, 404, 409, 422)},
)
def assign_program(
    gateway: GatewayDep,
    trainer: TrainerDep,
    member_id: uuid.UUID,
    body: AssignmentIn,
    key: OptionalIdempotencyKey = None,
) -> Any:
    """Assign a program of the chain; it replaces the member's current one."""
    assignment = body.model_dump(mode="json", exclude_none=True)
    return handlers.assign_program(
        gateway.sessions, gateway.services, trainer, member_id, assignment, key
    )


@router.get(
    "/{member_id}/progress",
    summary="A member's progress",
    response_model=None,
    responses={200: {"model": ProgressOut}, **problems(401, 403, 404)},
)
def member_progress(gateway: GatewayDep, trainer: TrainerDep, member_id: uuid.UUID) -> Any:
    """The member's progress, as their kiosk shows it."""
    return handlers.member_progress(gateway.sessions, gateway.services, trainer, member_id)
