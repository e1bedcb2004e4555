"""A chain admin's webhooks: subscribe a CRM to integration events, read the delivery log,
send failed deliveries again."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from gateway_service.api.deps import DepsDep, NowDep, TrainerDep, UowDep
from gateway_service.api.errors import problems
from gateway_service.handlers import webhooks
from gateway_service.schemas.webhooks import (
    DeliveryOut,
    DeliveryState,
    RetryIn,
    RetryOut,
    WebhookCreated,
    WebhookIn,
    WebhookOut,
)

router = APIRouter(tags=["webhooks"])


@router.post(
    "/v1/webhooks",
    status_code=status.HTTP_201_CREATED,
    summary="Add a webhook",
    responses=problems(401, 403, 409, 422),
)
def add_webhook(
    uow: UowDep, trainer: TrainerDep, body: WebhookIn, now: NowDep, deps: DepsDep
) -> WebhookCreated:
    """Chain admin: POST these integration events, as JSON signed with the secret
    (`Myokine-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`), to `url`. A
    secret left out is generated; either way it is answered this once."""
    return webhooks.create_webhook(
        uow, trainer, body, now=now, allow_private=deps.settings.webhook_allow_private_urls
    )


@router.get("/v1/webhooks", summary="The chain's webhooks", responses=problems(401, 403))
def list_webhooks(uow: UowDep, trainer: TrainerDep) -> list[WebhookOut]:
    """Chain admin: every webhook of the chain (never their secrets)."""
    return webhooks.list_webhooks(uow, trainer)


@router.delete(
    "/v1/webhooks/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a webhook",
    responses=problems(401, 403, 404),
)
def delete_webhook(uow: UowDep, trainer: TrainerDep, webhook_id: uuid.UUID) -> Response:
    """Chain admin: nothing more is sent to it, pending deliveries included; its delivery
    log goes with it."""
    webhooks.delete_webhook(uow, trainer, webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/v1/webhooks/{webhook_id}/deliveries",
    summary="A webhook's delivery log",
    responses=problems(401, 403, 404, 422),
)
def list_deliveries(
    uow: UowDep,
    trainer: TrainerDep,
    webhook_id: uuid.UUID,
    state: Annotated[DeliveryState | None, Query(description="Only these.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[DeliveryOut]:
    """Chain admin: the latest deliveries, newest first, each with the body sent and every
    try (its time, the receiver's status or why there was none, how long it took).
    `failed` ones tried every time and gave up: send them again with `.../retry`."""
    return webhooks.list_deliveries(uow, trainer, webhook_id, state=state, limit=limit)


@router.post(
    "/v1/webhooks/{webhook_id}/retry",
    summary="Send failed deliveries again",
    responses=problems(401, 403, 404, 422),
)
def retry_deliveries(
    uow: UowDep, trainer: TrainerDep, webhook_id: uuid.UUID, body: RetryIn, now: NowDep
) -> RetryOut:
    """Chain admin: the webhook's failed deliveries (these `delivery_ids`, or every one)
    are pending again, due now, with all their tries ahead of them."""
    return webhooks.retry_deliveries(uow, trainer, webhook_id, body, now=now)
