"""Gyms of the trainer's chain: who needs attention this week."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from gateway_service.api.deps import DepsDep, TrainerDep, UowDep
from gateway_service.api.errors import problems
from gateway_service.handlers import trainer as handlers
from gateway_service.schemas.gyms import AttentionOut

router = APIRouter(prefix="/v1/gyms", tags=["gyms"])


@router.get(
    "/{gym_id}/attention",
    summary="Members stalled or off protocol this week",
    responses=problems(401, 403, 404),
)
def attention(deps: DepsDep, uow: UowDep, trainer: TrainerDep, gym_id: uuid.UUID) -> AttentionOut:
    """Members of a gym of the chain who stalled or are off protocol this week."""
    return handlers.gym_attention(uow, deps.services, trainer, gym_id)
