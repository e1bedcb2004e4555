"""The progression service's HTTP API (docs/internal-api.md, progression): parse, call a query."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from myokine.internal_api import CallerDep, unit_of_work
from myokine.problems import InvalidInput
from myokine.unit_of_work import UnitOfWork
from progression_service import queries
from progression_service.repository import ProgressionRepository
from progression_service.schemas import AttentionOut, ProgressOut, TargetsOut

MAX_EXERCISES = 50

UowDep = Annotated[UnitOfWork[ProgressionRepository], Depends(unit_of_work)]
LocalDate = Annotated[
    date | None,
    Query(description="The gym's local date; today in the token's gym time zone if left out."),
]

router = APIRouter(prefix="/internal/v1", tags=["progression"])


@router.get("/members/{member_id}/targets", summary="Today's targets for a list of exercises")
def targets(
    caller: CallerDep,
    uow: UowDep,
    member_id: uuid.UUID,
    exercises: Annotated[str, Query(description="Comma-separated exercise slugs.")] = "",
    local_date: LocalDate = None,
) -> TargetsOut:
    """Each exercise's target load, reps and sets for today, and the week so far."""
    slugs = list(dict.fromkeys(s.strip() for s in exercises.split(",") if s.strip()))
    if len(slugs) > MAX_EXERCISES:
        raise InvalidInput(
            f"At most {MAX_EXERCISES} exercises at a time.",
            errors=[{"field": "exercises", "message": f"at most {MAX_EXERCISES} slugs"}],
        )
    return queries.member_targets(uow, caller, member_id, slugs, local_date)


@router.get("/members/{member_id}/progress", summary="A member's progress")
def progress(caller: CallerDep, uow: UowDep, member_id: uuid.UUID) -> ProgressOut:
    """e1RM series, records and targets per exercise; weeks; milestones and streaks."""
    return queries.member_progress(uow, caller, member_id)


@router.get("/gyms/{gym_id}/attention", summary="Members stalled or off protocol this week")
def attention(
    caller: CallerDep, uow: UowDep, gym_id: uuid.UUID, local_date: LocalDate = None
) -> AttentionOut:
    """The gym's members a trainer should look at this week."""
    return queries.gym_attention(uow, caller, gym_id, local_date)
