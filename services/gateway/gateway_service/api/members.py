"""Members of the trainer's chain: list, read, assign a program, see progress."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from gateway_service import queries
from gateway_service.api.deps import DepsDep, OptionalIdempotencyKey, TrainerDep, UowDep
from gateway_service.api.errors import problems
from gateway_service.handlers import trainer as handlers
from gateway_service.schemas.members import AssignmentIn, AssignmentOut, MemberOut
from gateway_service.schemas.progress import ProgressOut

router = APIRouter(prefix="/v1/members", tags=["members"])


@router.get("", summary="Members of the trainer's chain", responses=problems(401, 403))
def list_members(uow: UowDep, trainer: TrainerDep) -> list[MemberOut]:
    """Every member of the chain, by name."""
    return queries.list_members(uow, trainer)


@router.get("/{member_id}", summary="One member", responses=problems(401, 403, 404))
def get_member(uow: UowDep, trainer: TrainerDep, member_id: uuid.UUID) -> MemberOut:
    """A member of the trainer's chain (another chain's member is not found)."""
    return queries.get_member(uow, trainer, member_id)


@router.post(
    "/{member_id}/assignments",
    status_code=status.HTTP_201_CREATED,
    summary="Assign a program to a member",
    responses=problems(401, 403, 404, 409, 422),
)
def assign_program(
    deps: DepsDep,
    uow: UowDep,
    trainer: TrainerDep,
    member_id: uuid.UUID,
    body: AssignmentIn,
    key: OptionalIdempotencyKey = None,
) -> AssignmentOut:
    """Assign a program of the chain; it replaces the member's current one."""
    return handlers.assign_program(uow, deps.services, trainer, member_id, body, key)


@router.get(
    "/{member_id}/progress",
    summary="A member's progress",
    responses=problems(401, 403, 404),
)
def member_progress(
    deps: DepsDep, uow: UowDep, trainer: TrainerDep, member_id: uuid.UUID
) -> ProgressOut:
    """The member's progress, as their kiosk shows it."""
    return handlers.member_progress(uow, deps.services, trainer, member_id)
