"""The progression service's Celery consumers: parse the event, call a handler."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from myokine.events import (
    AssignmentEnded,
    Event,
    ExerciseAdded,
    ExerciseChanged,
    InventoryChanged,
    MemberErased,
    ProgramAssigned,
    SessionFinished,
    SetCorrected,
    SetLogged,
    SetVoided,
)
from progression_service import handlers

if TYPE_CHECKING:
    from myokine.unit_of_work import UnitOfWork
    from progression_service.bootstrap import Dependencies
    from progression_service.repository import ProgressionRepository

E = TypeVar("E", bound=Event)


def register(deps: Dependencies) -> None:
    """Register this service's consumers on its Celery app (`progression.<EventType>`),
    and have its worker ask on start for the reference data it copies."""

    def consumer(
        handle: Callable[[UnitOfWork[ProgressionRepository], E], None],
    ) -> Callable[[E], None]:
        return lambda event: handle(deps.unit_of_work(), event)

    deps.runtime.consume(ProgramAssigned, consumer(handlers.on_program_assigned))
    deps.runtime.consume(AssignmentEnded, consumer(handlers.on_assignment_ended))
    deps.runtime.consume(SetLogged, consumer(handlers.on_set_logged))
    deps.runtime.consume_together(
        SetLogged, lambda events: handlers.on_sets_logged(deps.unit_of_work(), events)
    )
    deps.runtime.consume(SetCorrected, consumer(handlers.on_set_corrected))
    deps.runtime.consume(SetVoided, consumer(handlers.on_set_voided))
    deps.runtime.consume(SessionFinished, consumer(handlers.on_session_finished))
    deps.runtime.consume(ExerciseAdded, consumer(handlers.on_exercise_added))
    deps.runtime.consume(ExerciseChanged, consumer(handlers.on_exercise_added))
    deps.runtime.consume(InventoryChanged, consumer(handlers.on_inventory_changed))
    deps.runtime.consume(MemberErased, consumer(handlers.on_member_erased))
    deps.runtime.on_worker_start(lambda: handlers.request_catch_up(deps.unit_of_work()))
