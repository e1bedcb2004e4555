"""The gateway service's Celery consumers: parse the event, call a handler."""

from __future__ import annotations

from gateway_service.handlers import events
from myokine.events import MilestoneReached, PersonalRecord, StallDetected, TargetsUpdated
from myokine.service_runtime import ServiceRuntime


def register(runtime: ServiceRuntime) -> None:
    """Register the gateway's consumers of progression's events on its runtime."""
    runtime.consume(TargetsUpdated, lambda e: events.on_targets_updated(runtime, e))
    runtime.consume(PersonalRecord, lambda e: events.on_member_news(runtime, e))
    runtime.consume(StallDetected, lambda e: events.on_member_news(runtime, e))
    runtime.consume(MilestoneReached, lambda e: events.on_member_news(runtime, e))
