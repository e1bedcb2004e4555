"""Gyms of the trainer's chain: who needs attention this week, and each gym's equipment."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from gateway_service.api.deps import DepsDep, NowDep, TrainerDep, UowDep
from gateway_service.api.errors import problems
from gateway_service.handlers import equipment
from gateway_service.handlers import trainer as handlers
from gateway_service.schemas.gyms import AttentionOut, InventoryOut
from myokine.inventory import InventoryUpdate

router = APIRouter(prefix="/v1/gyms", tags=["gyms"])


@router.get(
    "/{gym_id}/attention",
    summary="Members who need a trainer, most urgent first",
    responses=problems(401, 403, 404),
)
def attention(
    deps: DepsDep, uow: UowDep, trainer: TrainerDep, gym_id: uuid.UUID, now: NowDep
) -> AttentionOut:
    """The gym's members who need a trainer, most urgent first, each with its reasons: no
    program, a stalled lift (since when), behind this week's pace (docs/protocol.md §1),
    missed sessions, a record to congratulate. On a Tuesday nobody is behind yet."""
    return handlers.gym_attention(uow, deps.services, trainer, gym_id, now=now)


@router.get(
    "/{gym_id}/inventory",
    summary="A gym's equipment",
    responses=problems(401, 403, 404),
)
def inventory(uow: UowDep, trainer: TrainerDep, gym_id: uuid.UUID) -> InventoryOut:
    """The gym's bars and plates, dumbbells, kettlebells, machine stacks and added-load step,
    in its unit: targets there are made of the loads these make. `defaults` names the
    kinds nobody set, which keep the protocol's defaults."""
    return equipment.gym_inventory(uow, trainer, gym_id)


@router.put(
    "/{gym_id}/inventory",
    summary="Set a gym's equipment",
    responses=problems(401, 403, 404, 422),
)
def set_inventory(
    uow: UowDep, trainer: TrainerDep, now: NowDep, gym_id: uuid.UUID, body: InventoryUpdate
) -> InventoryOut:
    """Set the gym's equipment; a kind left out keeps its default. Members' targets there
    follow within moments (the change travels to progression as an event)."""
    return equipment.set_gym_inventory(uow, trainer, gym_id, body, now=now)
