"""The chain's exercise catalog."""

from __future__ import annotations

from fastapi import APIRouter

from gateway_service.api.deps import DepsDep, TrainerDep
from gateway_service.api.errors import problems
from gateway_service.handlers import trainer as handlers
from gateway_service.schemas.catalog import ExerciseOut

router = APIRouter(prefix="/v1/exercises", tags=["catalog"])


@router.get("", summary="The chain's exercise catalog", responses=problems(401, 403))
def list_exercises(deps: DepsDep, trainer: TrainerDep) -> list[ExerciseOut]:
    """Every exercise the chain's programs may use."""
    return handlers.list_exercises(deps.services, trainer)
