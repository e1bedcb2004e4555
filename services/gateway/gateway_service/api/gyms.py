"""Gyms of the trainer's chain: who needs attention this week."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from gateway_service.api.deps import GatewayDep, TrainerDep
from gateway_service.api.errors import problems
from gateway_service.api.schemas import AttentionOut
from gateway_service.handlers import trainer as handlers

router = APIRouter(prefix="/v1/gyms", tags=["gyms"])


@router.get(
    "/{gym_id}/attention",
    summary="Members stalled or off protocol this week",
    response_model=None,
    responses={200: {"model": AttentionOut}, **problems(401, 403, 404)},
)
def attention(gateway: GatewayDep, trainer: TrainerDep, gym_id: uuid.UUID) -> Any:
    """Members of a gym of the chain who stalled or are off protocol this week."""
    return handlers.gym_attention(gateway.sessions, gateway.services, trainer, gym_id)
