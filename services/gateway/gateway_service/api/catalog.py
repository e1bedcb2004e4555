"""The chain's exercise catalog."""

from __future__ import annotations

from fastapi import APIRouter

from gateway_service.api.deps import DepsDep, OptionalIdempotencyKey, SlugPath, TrainerDep
from gateway_service.api.errors import problems
from gateway_service.handlers import trainer as handlers
from gateway_service.schemas.catalog import ExerciseIn, ExerciseOut, ExercisePatch

router = APIRouter(prefix="/v1/exercises", tags=["catalog"])


@router.get("", summary="The chain's exercise catalog", responses=problems(401, 403))
def list_exercises(deps: DepsDep, trainer: TrainerDep) -> list[ExerciseOut]:
    """Every exercise the chain's programs may use."""
    return handlers.list_exercises(deps.services, trainer)


@router.post(
    "",
    status_code=201,
    summary="Add an exercise to the chain's catalog",
    responses=problems(401, 403, 409, 422),
)
def add_exercise(
    deps: DepsDep, trainer: TrainerDep, body: ExerciseIn, key: OptionalIdempotencyKey = None
) -> ExerciseOut:
    """A chain admin adds an exercise of the chain's own (pattern and equipment say how it
    counts and which loads it is made of). Kiosks log it, and progression sets its targets,
    within moments: the catalog travels to the services as an event."""
    return handlers.add_exercise(deps.services, trainer, body, key)


@router.patch(
    "/{slug}",
    summary="Change one of the chain's own exercises",
    responses=problems(401, 403, 404, 409, 422),
)
def change_exercise(
    deps: DepsDep,
    trainer: TrainerDep,
    slug: SlugPath,
    body: ExercisePatch,
    key: OptionalIdempotencyKey = None,
) -> ExerciseOut:
    """A chain admin changes the name, pattern, equipment or load step of an exercise the
    chain added (the built-in ones never change; 409)."""
    return handlers.change_exercise(deps.services, trainer, slug, body, key)
