"""The chain's exercise catalog."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from gateway_service.api.deps import GatewayDep, TrainerDep
from gateway_service.api.errors import problems
from gateway_service.api.schemas import ExerciseOut
from gateway_service.handlers import trainer as handlers

router = APIRouter(prefix="/v1/exercises", tags=["catalog"])


@router.get(
    "",
    summary="The chain's exercise catalog",
    response_model=None,
    responses={200: {"model": list[ExerciseOut]}, **problems(401, 403)},
)
def list_exercises(gateway: GatewayDep, trainer: TrainerDep) -> Any:
    """Every exercise the chain's programs may use."""
    return handlers.list_exercises(gateway.services, trainer)
