"""The gateway's consumers of the services' events: remember targets, keep member news,
and tell the chain's webhooks of news and finished sessions.

Each applies an event once: a redelivered event finds itself in the inbox and does nothing.
An event about a member the gateway no longer has (erased, while progression's events
about them were on their way) keeps nothing; the member's row is held while the event is
applied, so an erasure in progress waits for it and erases what it kept.
"""

from __future__ import annotations

from datetime import datetime

from gateway_service.domain import webhooks as webhook_rules
from gateway_service.domain.today import KnownTarget
from gateway_service.handlers import webhooks
from gateway_service.repository import GatewayRepository, MemberNews
from myokine.events import (
    MilestoneReached,
    PersonalRecord,
    SessionFinished,
    StallDetected,
    TargetsUpdated,
)
from myokine.unit_of_work import UnitOfWork

Uow = UnitOfWork[GatewayRepository]

# What a piece of news keeps of its event: the rest is the news row's own columns.
_NOT_NEWS = {"event_id", "occurred_at", "chain_id", "request_id", "member_id"}


def on_targets_updated(uow: Uow, event: TargetsUpdated) -> None:
    """Remember the member's new target: the kiosk shows it when progression is down."""
    with uow:
        if uow.first_delivery(event) and uow.repo.hold_member(event.member_id):
            uow.repo.save_last_targets(
                event.member_id,
                {event.exercise: KnownTarget(event.load_kg, event.reps, event.sets)},
                as_of=event.occurred_at,
            )
        uow.commit()


def on_member_news(
    uow: Uow, event: PersonalRecord | StallDetected | MilestoneReached, *, now: datetime
) -> None:
    """Keep a PR, stall or milestone, so the kiosk can show it to the member, and tell the
    chain's webhooks that want it."""
    with uow:
        if uow.first_delivery(event) and uow.repo.hold_member(event.member_id):
            uow.repo.add_member_news(
                MemberNews(
                    id=event.event_id,
                    member_id=event.member_id,
                    kind=event.event_type,
                    payload=event.model_dump(mode="json", exclude=_NOT_NEWS),
                    occurred_at=event.occurred_at,
                )
            )
            _tell_webhooks(uow.repo, event, now)
        uow.commit()


def on_session_finished(uow: Uow, event: SessionFinished, *, now: datetime) -> None:
    """Tell the chain's webhooks that want it that a member finished a session."""
    with uow:
        if uow.first_delivery(event) and uow.repo.hold_member(event.member_id):
            _tell_webhooks(uow.repo, event, now)
        uow.commit()


def _tell_webhooks(repo: GatewayRepository, event: webhook_rules.NewsEvent, now: datetime) -> None:
    def told() -> webhook_rules.IntegrationEvent:
        member = repo.member_in_chain(event.chain_id, event.member_id)
        return webhook_rules.from_event(event, member.external_id if member else None)

    webhooks.tell(repo, event.chain_id, webhook_rules.kind_of(event), told, now=now)
