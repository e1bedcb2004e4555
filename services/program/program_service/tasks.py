"""The program service's Celery consumers: parse the event, call a handler."""

from __future__ import annotations

from typing import TYPE_CHECKING

from myokine.events import CatchUpRequested, MemberErased, SessionFinished
from program_service import handlers

if TYPE_CHECKING:
    # bootstrap imports this module to register the consumers.
    from program_service.bootstrap import Dependencies


def register(deps: Dependencies) -> None:
    """Register this service's consumers on its Celery app (`program.<EventType>`)."""

    def on_session_finished(event: SessionFinished) -> None:
        handlers.on_session_finished(deps.unit_of_work(), event)

    def on_catch_up_requested(event: CatchUpRequested) -> None:
        handlers.on_catch_up_requested(deps.unit_of_work(), event)

    def on_member_erased(event: MemberErased) -> None:
        handlers.on_member_erased(deps.unit_of_work(), event)

    deps.runtime.consume(SessionFinished, on_session_finished)
    deps.runtime.consume(CatchUpRequested, on_catch_up_requested)
    deps.runtime.consume(MemberErased, on_member_erased)
