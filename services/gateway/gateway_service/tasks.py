"""The gateway service's Celery consumers: parse the event, call a handler; and its
periodic purge of the runs of wrong PINs that count nothing any more."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from gateway_service.handlers import equipment, events, identity
from myokine.events import (
    CatchUpRequested,
    MilestoneReached,
    PersonalRecord,
    SessionFinished,
    StallDetected,
    TargetsUpdated,
)

if TYPE_CHECKING:
    from gateway_service.bootstrap import Dependencies

log = logging.getLogger(__name__)

PIN_RUNS_PURGED_EVERY_SECONDS = 60.0
PIN_RUNS_PURGED_AT_ONCE = 1000


def register(deps: Dependencies) -> None:
    """Register the gateway's consumers on its runtime: progression's events, finished
    sessions (for webhooks), and the requests of consumers to catch up on the gyms'
    equipment; and the purge of forgotten runs of wrong PINs, beside the relay."""

    def on_news(event: PersonalRecord | StallDetected | MilestoneReached) -> None:
        events.on_member_news(deps.unit_of_work(), event, now=datetime.now(UTC))

    def on_session_finished(event: SessionFinished) -> None:
        events.on_session_finished(deps.unit_of_work(), event, now=datetime.now(UTC))

    consume = deps.runtime.consume
    consume(TargetsUpdated, lambda event: events.on_targets_updated(deps.unit_of_work(), event))
    consume(PersonalRecord, on_news)
    consume(StallDetected, on_news)
    consume(MilestoneReached, on_news)
    consume(SessionFinished, on_session_finished)
    consume(
        CatchUpRequested,
        lambda event: equipment.on_catch_up_requested(deps.unit_of_work(), event),
    )
    # Beat runs in one service's worker only (logging's), and workers scale out: the purge
    # runs beside the gateway's relay, which runs once.
    deps.runtime.beside_the_relay(
        lambda *, poll_interval, should_stop: purge_pin_runs_forever(
            deps, poll_interval=poll_interval, should_stop=should_stop
        )
    )


def purge_pin_runs_forever(
    deps: Dependencies,
    *,
    poll_interval: float,
    should_stop: Callable[[], bool],
    every: float = PIN_RUNS_PURGED_EVERY_SECONDS,
) -> None:
    """Delete the runs of wrong PINs forgotten by now, at once and then every `every`
    seconds, until `should_stop()` (checked each `poll_interval`). Attempts never purge:
    a run forgotten but not yet deleted counts and refuses nothing. A pass that fails (the
    database is down) is tried again at the next."""
    due = time.monotonic()
    while not should_stop():
        if time.monotonic() >= due:
            due = time.monotonic() + every
            try:
                while not should_stop():
                    purged = identity.purge_forgotten_pin_runs(
                        deps.unit_of_work(), now=deps.clock(), limit=PIN_RUNS_PURGED_AT_ONCE
                    )
                    if purged < PIN_RUNS_PURGED_AT_ONCE:
                        break
            except Exception:  # the database is down: keep the loop alive
                log.exception("purging forgotten runs of wrong PINs failed")
        time.sleep(poll_interval)
