"""The gateway service's Celery consumers: parse the event, call a handler."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gateway_service.handlers import equipment, events
from myokine.events import (
    CatchUpRequested,
    MilestoneReached,
    PersonalRecord,
    StallDetected,
    TargetsUpdated,
)

if TYPE_CHECKING:
    from gateway_service.bootstrap import Dependencies


def register(deps: Dependencies) -> None:
    """Register the gateway's consumers on its runtime: progression's events, and the
    requests of consumers to catch up on the gyms' equipment."""

    def on_news(event: PersonalRecord | StallDetected | MilestoneReached) -> None:
        events.on_member_news(deps.unit_of_work(), event)

    consume = deps.runtime.consume
    consume(TargetsUpdated, lambda event: events.on_targets_updated(deps.unit_of_work(), event))
    consume(PersonalRecord, on_news)
    consume(StallDetected, on_news)
    consume(MilestoneReached, on_news)
    consume(
        CatchUpRequested,
        lambda event: equipment.on_catch_up_requested(deps.unit_of_work(), event),
    )
