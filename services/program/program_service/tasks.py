"""The program service's Celery consumers: parse the event, call a handler."""

from __future__ import annotations

from myokine.events import SessionFinished
from myokine.service_runtime import ServiceRuntime
from program_service import handlers


def register(runtime: ServiceRuntime) -> None:
    """Register this service's consumers on its Celery app (`program.<EventType>`)."""
    runtime.consume(SessionFinished, handlers.on_session_finished)
