"""Webhooks: a chain admin's subscriptions, the deliveries made for them, and each try.

A delivery is written in the transaction of what it tells (a check-in, or the consumer of
a service's event), never sent there: the relay's sender (`webhook_sender.py`) claims due
deliveries, POSTs them, and records each outcome here. So a slow or dead receiver never
holds up a kiosk or the event path, and nothing is told that was not committed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from gateway_service.domain import webhooks as rules
from gateway_service.principals import TrainerPrincipal
from gateway_service.repository import (
    DueDelivery,
    GatewayRepository,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)
from gateway_service.schemas.webhooks import (
    AttemptOut,
    DeliveryOut,
    RetryIn,
    RetryOut,
    WebhookCreated,
    WebhookIn,
    WebhookOut,
)
from myokine.problems import Conflict, Forbidden, InvalidInput, NotFound
from myokine.unit_of_work import UnitOfWork

Uow = UnitOfWork[GatewayRepository]

MAX_WEBHOOKS_PER_CHAIN = 25


def _admin_only(caller: TrainerPrincipal) -> None:
    if not caller.is_admin:
        raise Forbidden("Only a chain admin manages the chain's webhooks.")


def create_webhook(
    uow: Uow, caller: TrainerPrincipal, body: WebhookIn, *, now: datetime, allow_private: bool
) -> WebhookCreated:
    """A new webhook of the caller's chain; a generated secret is answered this once."""
    _admin_only(caller)
    problem = rules.url_problem(body.url, allow_private=allow_private)
    if problem:
        raise InvalidInput(
            f"Invalid value for: url ({problem})", errors=[{"field": "url", "message": problem}]
        )
    secret = body.secret or rules.new_secret()
    with uow:
        if len(uow.repo.webhooks_of_chain(caller.chain_id)) >= MAX_WEBHOOKS_PER_CHAIN:
            raise Conflict(f"A chain has at most {MAX_WEBHOOKS_PER_CHAIN} webhooks.")
        webhook = Webhook(
            id=uuid.uuid4(),
            chain_id=caller.chain_id,
            url=body.url,
            events=list(dict.fromkeys(body.events)),
            secret=secret,
            created_at=now,
        )
        uow.repo.add_webhook(webhook)
        uow.commit()
        return WebhookCreated(
            **WebhookOut.model_validate(webhook).model_dump(), secret=webhook.secret
        )


def list_webhooks(uow: Uow, caller: TrainerPrincipal) -> list[WebhookOut]:
    """The chain's webhooks, oldest first, without their secrets."""
    _admin_only(caller)
    with uow:
        return [WebhookOut.model_validate(w) for w in uow.repo.webhooks_of_chain(caller.chain_id)]


def _webhook(repo: GatewayRepository, caller: TrainerPrincipal, webhook_id: uuid.UUID) -> Webhook:
    webhook = repo.webhook_in_chain(caller.chain_id, webhook_id)
    if webhook is None:
        raise NotFound(f"No webhook {webhook_id} in this chain.")
    return webhook


def delete_webhook(uow: Uow, caller: TrainerPrincipal, webhook_id: uuid.UUID) -> None:
    """Stop a webhook: its pending deliveries are not sent, and its log goes with it."""
    _admin_only(caller)
    with uow:
        uow.repo.delete_webhook(_webhook(uow.repo, caller, webhook_id).id)
        uow.commit()


def list_deliveries(
    uow: Uow,
    caller: TrainerPrincipal,
    webhook_id: uuid.UUID,
    *,
    state: str | None,
    limit: int,
) -> list[DeliveryOut]:
    """A webhook's latest deliveries (newest first), each with its tries."""
    _admin_only(caller)
    with uow:
        webhook = _webhook(uow.repo, caller, webhook_id)
        deliveries = uow.repo.webhook_deliveries(webhook.id, state=state, limit=limit)
        attempts = uow.repo.webhook_attempts([d.id for d in deliveries])
        return [
            DeliveryOut(
                id=d.id,
                event_id=d.event_id,
                event_type=d.event_type,
                state=d.state,
                created_at=d.created_at,
                next_attempt_at=d.next_attempt_at if d.state == "pending" else None,
                delivered_at=d.delivered_at,
                body=d.body,
                attempts=[AttemptOut.model_validate(a) for a in attempts[d.id]],
            )
            for d in deliveries
        ]


def retry_deliveries(
    uow: Uow, caller: TrainerPrincipal, webhook_id: uuid.UUID, body: RetryIn, *, now: datetime
) -> RetryOut:
    """Send a webhook's failed deliveries again (its dead letters), with every try ahead."""
    _admin_only(caller)
    with uow:
        webhook = _webhook(uow.repo, caller, webhook_id)
        retried = uow.repo.retry_failed_deliveries(webhook.id, body.delivery_ids, now)
        uow.commit()
        return RetryOut(retried=retried)


# --- telling: called inside the transaction of what happened -------------------------------


def tell(
    repo: GatewayRepository,
    chain_id: uuid.UUID,
    kind: str,
    build: Callable[[], rules.IntegrationEvent],
    *,
    now: datetime,
) -> int:
    """Add a delivery of the event `build()` makes for each webhook of the chain that wants
    `kind`; how many. The event is built only when one does (building may read the member).
    A delivery a webhook already has (the same event again) is left as it was."""
    hooks = [w for w in repo.webhooks_of_chain(chain_id) if kind in w.events]
    if not hooks:
        return 0
    event = build()
    body = json.dumps(event.body(), separators=(",", ":"))
    repo.add_webhook_deliveries(
        [
            WebhookDelivery(
                id=uuid.uuid4(),
                webhook_id=hook.id,
                chain_id=event.chain_id,
                member_id=event.member_id,
                event_id=event.id,
                event_type=event.kind,
                body=body,
                state="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
            for hook in hooks
        ]
    )
    return len(hooks)


# --- sending: the relay's sender claims, POSTs, and records ----------------------------------


def claim_due(uow: Uow, *, now: datetime, lease: timedelta, limit: int) -> list[DueDelivery]:
    """Take up to `limit` due deliveries for sending; another sender skips them until the
    lease ends (and takes them then, if this sender died before recording an outcome)."""
    with uow:
        claimed = uow.repo.claim_webhook_deliveries(now, now + lease, limit)
        uow.commit()
        return claimed


@dataclass(frozen=True)
class Outcome:
    """What one try of a delivery came to: the receiver's status, or why there was none."""

    status: int | None
    error: str | None
    duration_ms: int

    @property
    def delivered(self) -> bool:
        """Whether the receiver took it (any 2xx)."""
        return self.status is not None and 200 <= self.status < 300


def record_outcome(
    uow: Uow,
    delivery_id: uuid.UUID,
    outcome: Outcome,
    *,
    now: datetime,
    policy: rules.RetryPolicy,
    jitter: Callable[[], float],
) -> str | None:
    """Log a try and move the delivery on: delivered, due again after its wait, or failed
    for good. The delivery's new state; None when it is gone (its webhook was deleted) or
    was settled meanwhile (its lease ran out and another sender delivered it)."""
    with uow:
        delivery = uow.repo.webhook_delivery(delivery_id)
        if delivery is None or delivery.state != "pending":
            return None
        error = outcome.error[:500] if outcome.error else None
        uow.repo.add_webhook_attempt(
            WebhookAttempt(
                delivery_id=delivery.id,
                at=now,
                status=outcome.status,
                error=error,
                duration_ms=outcome.duration_ms,
            )
        )
        delivery.attempts += 1
        delivery.last_status = outcome.status
        delivery.last_error = error
        if outcome.delivered:
            delivery.state = "delivered"
            delivery.delivered_at = now
        else:
            wait = policy.wait_after(delivery.attempts, jitter())
            if wait is None:
                delivery.state = "failed"
            else:
                delivery.next_attempt_at = now + wait
        uow.commit()
        return delivery.state
