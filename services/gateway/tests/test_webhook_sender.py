"""The webhook sender on the real database, POSTing to a real HTTP receiver on this host:
signed deliveries, a receiver that is down and comes back, one that hangs, addresses that
are refused, and two senders that never take the same delivery."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from devstack.testing import WebhookReceiver
from gateway_service.bootstrap import Dependencies
from gateway_service.domain import webhooks as rules
from gateway_service.handlers import events, webhooks
from gateway_service.principals import TrainerPrincipal
from gateway_service.repository import WebhookAttempt, WebhookDelivery
from gateway_service.schemas.webhooks import RetryIn, WebhookCreated, WebhookIn
from gateway_service.settings import Settings
from gateway_service.webhook_sender import WebhookSender
from myokine.db import transaction
from myokine.events import PersonalRecord

from .conftest import World


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    up = WebhookReceiver().start()
    yield up
    up.stop()


def settings_for(deps: Dependencies, **changes: Any) -> Settings:
    base = {
        "webhook_allow_private_urls": True,
        "webhook_retry_first_seconds": 0.2,
        "webhook_retry_max_seconds": 0.5,
        "webhook_timeout_seconds": 1.0,
    }
    return deps.settings.model_copy(update=base | changes)


def admin(world: World) -> TrainerPrincipal:
    return TrainerPrincipal(
        trainer_id=uuid.uuid4(),
        chain_id=uuid.UUID(world.a.chain_id),
        role="chain_admin",
        gym_ids=frozenset(),
    )


def subscribe(deps: Dependencies, world: World, url: str) -> WebhookCreated:
    return webhooks.create_webhook(
        deps.unit_of_work(),
        admin(world),
        WebhookIn(url=url, events=["record.set"]),
        now=datetime.now(UTC),
        allow_private=True,
    )


def tell_a_record(deps: Dependencies, world: World) -> PersonalRecord:
    event = PersonalRecord(
        chain_id=uuid.UUID(world.a.chain_id),
        member_id=uuid.UUID(world.a.member_ids[0]),
        exercise="bench-press",
        kind="e1rm",
        value=Decimal("81.5"),
        set_id=uuid.uuid4(),
    )
    events.on_member_news(deps.unit_of_work(), event, now=datetime.now(UTC))
    return event


def deliveries(deps: Dependencies) -> list[WebhookDelivery]:
    with transaction(deps.runtime.sessions) as session:
        return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.created_at)))


def attempts(deps: Dependencies) -> list[WebhookAttempt]:
    with transaction(deps.runtime.sessions) as session:
        return list(session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id)))


def sender(deps: Dependencies, settings: Settings, **kwargs: Any) -> WebhookSender:
    return WebhookSender(deps.unit_of_work, settings, lambda: datetime.now(UTC), **kwargs)


def send_until_settled(send: WebhookSender, deps: Dependencies, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        send.send_due()
        if all(d.state != "pending" for d in deliveries(deps)):
            return
        time.sleep(0.05)
    raise AssertionError(f"still pending: {[d.state for d in deliveries(deps)]}")


def test_a_delivery_is_posted_signed_and_logged(
    deps: Dependencies, world: World, receiver: WebhookReceiver
) -> None:
    hook = subscribe(deps, world, receiver.url)
    event = tell_a_record(deps, world)
    send = sender(deps, settings_for(deps))

    assert send.send_due() == 1
    send.close()

    [got] = receiver.got
    assert rules.verify(
        hook.secret, got.headers["Myokine-Signature"], got.body, now=int(time.time())
    )
    assert got.headers["Myokine-Event"] == "record.set"
    assert got.headers["Content-Type"] == "application/json"
    document = json.loads(got.body)
    assert (document["id"], document["type"]) == (str(event.event_id), "record.set")
    assert document["data"]["value"] == "81.5"
    [delivery] = deliveries(deps)
    assert got.headers["Myokine-Delivery"] == str(delivery.id)
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)
    assert [a.status for a in attempts(deps)] == [200]


def test_a_receiver_that_is_down_for_a_while_gets_everything_when_it_is_back(
    deps: Dependencies, world: World, receiver: WebhookReceiver
) -> None:
    subscribe(deps, world, receiver.url)
    receiver.stop()
    told = [tell_a_record(deps, world) for _ in range(3)]
    send = sender(deps, settings_for(deps, webhook_max_attempts=50))

    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        send.send_due()
        time.sleep(0.05)
    down = attempts(deps)
    assert len(down) >= 6 and all(a.status is None for a in down)
    assert all("ConnectError" in (a.error or "") for a in down)
    assert {d.state for d in deliveries(deps)} == {"pending"}

    receiver.start()  # the same port
    send_until_settled(send, deps, 10)
    send.close()

    assert {d.state for d in deliveries(deps)} == {"delivered"}
    assert sorted(json.loads(r.body)["id"] for r in receiver.got) == sorted(
        str(e.event_id) for e in told
    )


def test_a_delivery_that_fails_every_try_is_failed_for_good_and_can_be_replayed(
    deps: Dependencies, world: World, receiver: WebhookReceiver
) -> None:
    hook = subscribe(deps, world, receiver.url)
    tell_a_record(deps, world)
    receiver.status = 500
    send = sender(deps, settings_for(deps, webhook_max_attempts=3))

    send_until_settled(send, deps, 10)
    [delivery] = deliveries(deps)
    assert (delivery.state, delivery.attempts, len(receiver.got)) == ("failed", 3, 3)

    receiver.status = 204
    webhooks.retry_deliveries(
        deps.unit_of_work(), admin(world), hook.id, RetryIn(), now=datetime.now(UTC)
    )
    send_until_settled(send, deps, 10)
    send.close()

    [delivery] = deliveries(deps)
    assert delivery.state == "delivered"
    assert [a.status for a in attempts(deps)] == [500, 500, 500, 204]


def test_a_receiver_that_hangs_costs_one_timeout_not_the_others(
    deps: Dependencies, world: World, receiver: WebhookReceiver
) -> None:
    slow = WebhookReceiver(delay=3.0).start()
    try:
        subscribe(deps, world, slow.url)
        subscribe(deps, world, receiver.url)
        tell_a_record(deps, world)
        send = sender(deps, settings_for(deps, webhook_timeout_seconds=0.5))

        started = time.monotonic()
        assert send.send_due() == 2
        took = time.monotonic() - started
        send.close()
    finally:
        slow.stop()

    assert took < 2.0
    by_url = {d.webhook_id: d for d in deliveries(deps)}
    assert sorted(d.state for d in by_url.values()) == ["delivered", "pending"]
    assert any("Timeout" in (a.error or "") for a in attempts(deps))


def test_a_name_that_resolves_to_a_private_address_is_not_called(
    deps: Dependencies, world: World, receiver: WebhookReceiver
) -> None:
    subscribe(deps, world, f"http://crm.example.com:{receiver.port}/hooks")
    tell_a_record(deps, world)
    send = sender(
        deps,
        settings_for(deps, webhook_allow_private_urls=False),
        resolve=lambda host, port: ["10.0.0.7"],
    )

    send.send_due()
    send.close()

    assert receiver.got == []
    [attempt] = attempts(deps)
    assert attempt.error == "crm.example.com resolves to a private address (10.0.0.7)"


def test_two_senders_never_take_the_same_delivery(
    deps: Dependencies, world: World, receiver: WebhookReceiver
) -> None:
    subscribe(deps, world, receiver.url)
    for _ in range(20):
        tell_a_record(deps, world)
    settings = settings_for(deps, webhook_batch_size=7, webhook_timeout_seconds=10.0)
    first, second = sender(deps, settings), sender(deps, settings)

    threads = [
        threading.Thread(target=lambda s=s: [s.send_due() for _ in range(3)])  # type: ignore[misc]
        for s in (first, second)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first.close()
    second.close()

    ids = [json.loads(r.body)["id"] for r in receiver.got]
    assert [(a.status, a.error) for a in attempts(deps)] == [(200, None)] * 20
    assert len(ids) == len(set(ids)) == 20
    assert {d.state for d in deliveries(deps)} == {"delivered"}


def test_a_name_is_resolved_once_and_the_request_goes_to_the_address_checked(
    deps: Dependencies, world: World, receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This host's address stands in for a public one: the CRM's name resolves to it once,
    # and the POST goes there naming the host, with no second lookup to rebind.
    monkeypatch.setattr(rules, "address_is_public", lambda address: True)
    lookups: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    subscribe(deps, world, f"http://crm.example.com:{receiver.port}/hooks")
    tell_a_record(deps, world)
    send = sender(deps, settings_for(deps, webhook_allow_private_urls=False), resolve=resolve)

    send.send_due()
    send.close()

    [got] = receiver.got
    assert got.headers["Host"] == f"crm.example.com:{receiver.port}"
    assert lookups == ["crm.example.com"]
    assert [d.state for d in deliveries(deps)] == ["delivered"]
