"""A chain admin's webhooks (`/v1/webhooks`): subscriptions and their delivery log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway_service.domain.webhooks import WebhookEvent
from myokine.request_bodies import RequestBody

DeliveryState = Literal["pending", "delivered", "failed"]


class WebhookIn(RequestBody):
    """A new webhook: where to POST which integration events, and (optionally) the secret
    to sign them with."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://crm.example.com/hooks/myokine",
                    "events": ["member.checked_in", "record.set"],
                }
            ]
        },
    )

    url: str = Field(min_length=8, max_length=2000)
    events: list[WebhookEvent] = Field(min_length=1, max_length=5)
    secret: str | None = Field(
        default=None,
        min_length=16,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Left out: one is generated and answered once.",
    )


class WebhookOut(BaseModel):
    """A webhook, without its secret."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    url: str
    events: list[WebhookEvent]
    created_at: datetime


class WebhookCreated(WebhookOut):
    """The new webhook and its signing secret, shown this once."""

    secret: str


class AttemptOut(BaseModel):
    """One try of a delivery: the receiver's status, or why there was none."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    status: int | None
    error: str | None
    duration_ms: int


class DeliveryOut(BaseModel):
    """One integration event for the webhook: what was sent and how its tries went."""

    id: uuid.UUID
    event_id: uuid.UUID
    event_type: WebhookEvent
    state: DeliveryState
    created_at: datetime
    next_attempt_at: datetime | None = Field(description="When it is tried next (pending).")
    delivered_at: datetime | None
    body: str = Field(description="The JSON body, exactly as it is signed and sent.")
    attempts: list[AttemptOut]


class RetryIn(RequestBody):
    """Which failed deliveries to send again: these, or (left out) every one."""

    model_config = ConfigDict(extra="forbid")

    delivery_ids: list[uuid.UUID] | None = Field(default=None, max_length=1000)


class RetryOut(BaseModel):
    """How many failed deliveries are pending again."""

    retried: int
