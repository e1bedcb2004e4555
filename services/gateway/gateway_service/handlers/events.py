"""The gateway's consumers of progression's events: remember targets, keep member news."""

from __future__ import annotations

from gateway_service import repository as repo
from myokine.db import transaction
from myokine.events import MilestoneReached, PersonalRecord, StallDetected, TargetsUpdated
from myokine.inbox import first_delivery
from myokine.service_runtime import ServiceRuntime


def on_targets_updated(runtime: ServiceRuntime, event: TargetsUpdated) -> None:
    """Remember the member's new target: the kiosk shows it when progression is down."""
    with transaction(runtime.sessions) as session:
        if not first_delivery(session, runtime.tables.inbox, event):
            return
        repo.save_last_target(
            session,
            event.member_id,
            event.exercise,
            load_kg=event.load_kg,
            reps=event.reps,
            sets=event.sets,
            as_of=event.occurred_at,
        )


def on_member_news(
    runtime: ServiceRuntime, event: PersonalRecord | StallDetected | MilestoneReached
) -> None:
    """Keep a PR, stall or milestone, so the kiosk can show it to the member."""
    with transaction(runtime.sessions) as session:
        if not first_delivery(session, runtime.tables.inbox, event):
            return
        payload = event.model_dump(
            mode="json", exclude={"event_id", "occurred_at", "chain_id", "request_id", "member_id"}
        )
        repo.add_member_news(
            session, event.event_id, event.member_id, event.event_type, payload, event.occurred_at
        )
