"""The progression service's Celery consumers: parse the event, call a handler."""

from __future__ import annotations

from myokine.events import (
    AssignmentEnded,
    ProgramAssigned,
    SessionFinished,
    SetCorrected,
    SetLogged,
    SetVoided,
)
from myokine.service_runtime import ServiceRuntime
from progression_service import handlers


def register(runtime: ServiceRuntime) -> None:
    """Register this service's consumers on its Celery app (`progression.<EventType>`)."""
    runtime.consume(ProgramAssigned, handlers.on_program_assigned)
    runtime.consume(AssignmentEnded, handlers.on_assignment_ended)
    runtime.consume(SetLogged, handlers.on_set_logged)
    runtime.consume(SetCorrected, handlers.on_set_corrected)
    runtime.consume(SetVoided, handlers.on_set_voided)
    runtime.consume(SessionFinished, handlers.on_session_finished)
