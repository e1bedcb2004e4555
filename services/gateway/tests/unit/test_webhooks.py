"""Webhooks without I/O: the signature, the retry waits, which URLs are refused, and the
use cases on the in-memory repository (subscribing, telling, trying, giving up, replaying)."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from gateway_service.domain import webhooks as rules
from gateway_service.handlers import events, identity, webhooks
from gateway_service.principals import TrainerPrincipal
from gateway_service.schemas.webhooks import RetryIn, WebhookIn
from myokine.events import MilestoneReached, PersonalRecord, SessionFinished
from myokine.problems import Conflict, Forbidden, InvalidInput, NotFound

from .conftest import PIN, Tenant, Uow, assert_nothing_committed
from .fakes import NOW, FakeGatewayRepository
from .test_handlers import POLICY as PINS

POLICY = rules.RetryPolicy(first=timedelta(seconds=10), longest=timedelta(hours=6), attempts=10)
CRM = "https://crm.example.com/hooks/myokine"


def admin_of(tenant: Tenant) -> TrainerPrincipal:
    return replace(tenant.signed_in, role="chain_admin")


def subscribe(uow: Uow, tenant: Tenant, *kinds: str, url: str = CRM) -> uuid.UUID:
    made = webhooks.create_webhook(
        uow,
        admin_of(tenant),
        WebhookIn(url=url, events=list(kinds)),  # type: ignore[arg-type]
        now=NOW,
        allow_private=False,
    )
    return made.id


def record(tenant: Tenant, value: str = "100") -> PersonalRecord:
    return PersonalRecord(
        chain_id=tenant.chain.id,
        member_id=tenant.member.id,
        exercise="barbell-back-squat",
        kind="e1rm",
        value=Decimal(value),
        set_id=uuid.uuid4(),
        occurred_at=NOW,
    )


# --- the signature -------------------------------------------------------------------------


def test_the_signature_is_an_hmac_sha256_of_the_timestamp_a_dot_and_the_body() -> None:
    body = b'{"id":"1","type":"record.set"}'
    expected = hmac.new(b"whsec_abc", b"1700000000." + body, hashlib.sha256).hexdigest()

    assert rules.signature("whsec_abc", 1700000000, body) == f"t=1700000000,v1={expected}"


def test_a_receiver_accepts_a_fresh_signature_and_nothing_else() -> None:
    body = b'{"id":"1"}'
    header = rules.signature("whsec_abc", 1700000000, body)

    assert rules.verify("whsec_abc", header, body, now=1700000100)
    assert not rules.verify("whsec_other", header, body, now=1700000100)
    assert not rules.verify("whsec_abc", header, body + b" ", now=1700000100)
    assert not rules.verify("whsec_abc", header, body, now=1700000000 + 301)
    assert not rules.verify("whsec_abc", "v1=abc", body, now=1700000000)


def test_a_generated_secret_is_long_and_new_each_time() -> None:
    first, second = rules.new_secret(), rules.new_secret()

    assert first.startswith("whsec_") and len(first) > 40 and first != second


# --- retries ---------------------------------------------------------------------------------


def test_waits_grow_threefold_up_to_the_longest_then_give_up() -> None:
    waits = [POLICY.wait_after(n, jitter=0.5) for n in range(1, 11)]

    assert waits[:4] == [timedelta(seconds=s) for s in (10, 30, 90, 270)]
    assert waits[8] == timedelta(hours=6)
    assert waits[9] is None


def test_jitter_spreads_a_wait_by_a_fifth_either_way() -> None:
    assert POLICY.wait_after(1, jitter=0.0) == timedelta(seconds=8)
    assert POLICY.wait_after(1, jitter=0.999999) == pytest.approx(
        timedelta(seconds=12), abs=timedelta(milliseconds=1)
    )


# --- URLs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://crm.example.com/x", "http or https"),
        ("https:///nohost", "http or https"),
        ("https://user:pw@crm.example.com/x", "user name or password"),
        ("https://crm.example.com/x#frag", "fragment"),
        ("http://localhost:8001/internal", "this host"),
        ("http://api.localhost/x", "this host"),
        ("http://127.0.0.1:8002/internal/sets", "private address"),
        ("http://10.1.2.3/x", "private address"),
        ("http://192.168.0.10/x", "private address"),
        ("http://169.254.169.254/latest/meta-data", "private address"),
        ("http://[::1]/x", "private address"),
        ("http://0.0.0.0/x", "private address"),
    ],
)
def test_urls_a_webhook_may_not_name(url: str, why: str) -> None:
    problem = rules.url_problem(url, allow_private=False)

    assert problem is not None and why in problem


def test_public_urls_are_fine_and_private_ones_when_allowed() -> None:
    assert rules.url_problem("https://crm.example.com/hooks?x=1", allow_private=False) is None
    assert rules.url_problem("https://8.8.8.8/hooks", allow_private=False) is None
    assert rules.url_problem("http://127.0.0.1:9000/x", allow_private=True) is None
    assert rules.url_problem("ftp://127.0.0.1/x", allow_private=True) is not None


# --- subscribing -----------------------------------------------------------------------------


def test_a_chain_admin_subscribes_and_the_secret_is_shown_once(uow: Uow, tenant: Tenant) -> None:
    made = webhooks.create_webhook(
        uow,
        admin_of(tenant),
        WebhookIn(url=CRM, events=["record.set", "record.set", "member.checked_in"]),
        now=NOW,
        allow_private=False,
    )

    assert made.secret.startswith("whsec_")
    assert made.events == ["record.set", "member.checked_in"]
    listed = webhooks.list_webhooks(uow, admin_of(tenant))
    assert [w.id for w in listed] == [made.id]
    assert "secret" not in listed[0].model_dump()


def test_a_given_secret_is_kept(uow: Uow, tenant: Tenant, repo: FakeGatewayRepository) -> None:
    made = webhooks.create_webhook(
        uow,
        admin_of(tenant),
        WebhookIn(url=CRM, events=["record.set"], secret="a-secret-of-our-own"),
        now=NOW,
        allow_private=False,
    )

    assert made.secret == "a-secret-of-our-own" == repo.webhooks[made.id].secret


def test_a_trainer_may_not_manage_webhooks(uow: Uow, tenant: Tenant) -> None:
    with pytest.raises(Forbidden):
        webhooks.create_webhook(
            uow,
            tenant.signed_in,
            WebhookIn(url=CRM, events=["record.set"]),
            now=NOW,
            allow_private=False,
        )
    with pytest.raises(Forbidden):
        webhooks.list_webhooks(uow, tenant.signed_in)
    assert_nothing_committed(uow)


def test_a_private_url_is_refused_naming_the_field(uow: Uow, tenant: Tenant) -> None:
    with pytest.raises(InvalidInput) as refused:
        subscribe(uow, tenant, "record.set", url="http://127.0.0.1:8002/internal")

    assert refused.value.errors == [{"field": "url", "message": "must not name a private address"}]
    assert_nothing_committed(uow)


def test_a_chain_has_at_most_25_webhooks(uow: Uow, tenant: Tenant) -> None:
    for n in range(webhooks.MAX_WEBHOOKS_PER_CHAIN):
        subscribe(uow, tenant, "record.set", url=f"{CRM}/{n}")

    with pytest.raises(Conflict):
        subscribe(uow, tenant, "record.set")


def test_another_chains_webhook_is_not_found(uow: Uow, tenant: Tenant, other: Tenant) -> None:
    theirs = subscribe(uow, other, "record.set")

    with pytest.raises(NotFound):
        webhooks.delete_webhook(uow, admin_of(tenant), theirs)
    with pytest.raises(NotFound):
        webhooks.list_deliveries(uow, admin_of(tenant), theirs, state=None, limit=10)


# --- telling ---------------------------------------------------------------------------------


def test_an_event_is_told_to_the_webhooks_that_want_it_once(
    uow: Uow, tenant: Tenant, other: Tenant, repo: FakeGatewayRepository
) -> None:
    tenant.member.external_id = "crm-42"
    wants = subscribe(uow, tenant, "record.set")
    subscribe(uow, tenant, "session.finished")
    subscribe(uow, other, "record.set")
    event = record(tenant)

    events.on_member_news(uow, event, now=NOW)
    events.on_member_news(uow, event, now=NOW)

    [delivery] = repo.deliveries.values()
    assert (delivery.webhook_id, delivery.state, delivery.next_attempt_at) == (
        wants,
        "pending",
        NOW,
    )
    assert json.loads(delivery.body) == {
        "id": str(event.event_id),
        "type": "record.set",
        "occurred_at": NOW.isoformat(),
        "chain_id": str(tenant.chain.id),
        "data": {
            "member_id": str(tenant.member.id),
            "external_id": "crm-42",
            "exercise": "barbell-back-squat",
            "kind": "e1rm",
            "value": "100",
            "set_id": str(event.set_id),
        },
    }


def test_a_finished_session_and_a_milestone_are_told(
    uow: Uow, tenant: Tenant, repo: FakeGatewayRepository
) -> None:
    subscribe(uow, tenant, "session.finished", "milestone.reached")
    finished = SessionFinished(
        chain_id=tenant.chain.id,
        member_id=tenant.member.id,
        seq=3,
        session_id=uuid.uuid4(),
        gym_id=tenant.gym.id,
        local_date=date(2026, 11, 25),
        program_day="A",
        set_count=9,
    )
    milestone = MilestoneReached(
        chain_id=tenant.chain.id, member_id=tenant.member.id, milestone="first_session"
    )

    events.on_session_finished(uow, finished, now=NOW)
    events.on_member_news(uow, milestone, now=NOW)

    bodies = {d.event_type: json.loads(d.body)["data"] for d in repo.deliveries.values()}
    assert bodies["session.finished"]["set_count"] == 9
    assert bodies["session.finished"]["local_date"] == "2026-11-25"
    assert bodies["milestone.reached"]["milestone"] == "first_session"


def test_nothing_is_told_of_a_member_who_is_gone(
    uow: Uow, tenant: Tenant, repo: FakeGatewayRepository
) -> None:
    subscribe(uow, tenant, "record.set")
    repo.erase_member(tenant.member.id)

    events.on_member_news(uow, record(tenant), now=NOW)

    assert repo.deliveries == {}


def test_a_check_in_is_one_per_member_gym_and_day(tenant: Tenant) -> None:
    def check_in(hours: int, day: date) -> rules.IntegrationEvent:
        return rules.checked_in(
            tenant.chain.id,
            tenant.member.id,
            None,
            tenant.gym.id,
            tenant.kiosk.id,
            NOW + timedelta(hours=hours),
            day,
        )

    assert check_in(0, date(2026, 11, 25)).id == check_in(1, date(2026, 11, 25)).id
    assert check_in(0, date(2026, 11, 25)).id != check_in(24, date(2026, 11, 26)).id


# --- trying, giving up, replaying --------------------------------------------------------------


def told(uow: Uow, tenant: Tenant, repo: FakeGatewayRepository) -> uuid.UUID:
    hook = subscribe(uow, tenant, "record.set")
    events.on_member_news(uow, record(tenant), now=NOW)
    [delivery] = [d for d in repo.deliveries.values() if d.webhook_id == hook]
    return delivery.id


def attempt(uow: Uow, delivery: uuid.UUID, status: int | None, at: timedelta) -> str | None:
    outcome = webhooks.Outcome(status=status, error=None if status else "refused", duration_ms=3)
    return webhooks.record_outcome(
        uow, delivery, outcome, now=NOW + at, policy=POLICY, jitter=lambda: 0.5
    )


def test_a_claimed_delivery_is_leased_then_delivered(
    uow: Uow, tenant: Tenant, repo: FakeGatewayRepository
) -> None:
    delivery = told(uow, tenant, repo)

    [claimed] = webhooks.claim_due(uow, now=NOW, lease=timedelta(seconds=40), limit=10)
    assert claimed.id == delivery and claimed.url == CRM
    assert webhooks.claim_due(uow, now=NOW, lease=timedelta(seconds=40), limit=10) == []
    assert attempt(uow, delivery, 204, timedelta(seconds=1)) == "delivered"

    assert repo.deliveries[delivery].delivered_at == NOW + timedelta(seconds=1)
    assert webhooks.claim_due(uow, now=NOW + timedelta(days=1), lease=timedelta(1), limit=10) == []


def test_a_failed_try_waits_and_the_last_one_gives_up_for_good(
    uow: Uow, tenant: Tenant, repo: FakeGatewayRepository
) -> None:
    delivery = told(uow, tenant, repo)

    assert attempt(uow, delivery, 503, timedelta(0)) == "pending"
    assert repo.deliveries[delivery].next_attempt_at == NOW + timedelta(seconds=10)
    for n in range(2, 10):
        assert attempt(uow, delivery, None, timedelta(minutes=n)) == "pending"
    assert attempt(uow, delivery, 500, timedelta(hours=20)) == "failed"

    log = webhooks.list_deliveries(
        uow, admin_of(tenant), repo.deliveries[delivery].webhook_id, state="failed", limit=5
    )
    assert [a.status for a in log[0].attempts] == [503, *[None] * 8, 500]
    assert log[0].next_attempt_at is None


def test_replaying_sends_a_failed_delivery_again_with_every_try_ahead(
    uow: Uow, tenant: Tenant, repo: FakeGatewayRepository
) -> None:
    delivery = told(uow, tenant, repo)
    hook = repo.deliveries[delivery].webhook_id
    for n in range(10):
        attempt(uow, delivery, 500, timedelta(minutes=n))

    later = NOW + timedelta(days=2)
    retried = webhooks.retry_deliveries(uow, admin_of(tenant), hook, RetryIn(), now=later)

    assert retried.retried == 1
    assert (repo.deliveries[delivery].state, repo.deliveries[delivery].attempts) == ("pending", 0)
    [claimed] = webhooks.claim_due(uow, now=later, lease=timedelta(seconds=40), limit=10)
    assert claimed.id == delivery


def test_a_deleted_webhooks_deliveries_are_not_sent(
    uow: Uow, tenant: Tenant, repo: FakeGatewayRepository
) -> None:
    delivery = told(uow, tenant, repo)
    webhooks.claim_due(uow, now=NOW, lease=timedelta(seconds=40), limit=10)

    webhooks.delete_webhook(uow, admin_of(tenant), repo.deliveries[delivery].webhook_id)

    assert attempt(uow, delivery, 200, timedelta(seconds=1)) is None
    assert repo.deliveries == {} and repo.attempts == []


def test_erasing_a_member_takes_their_deliveries(
    uow: Uow, tenant: Tenant, repo: FakeGatewayRepository
) -> None:
    told(uow, tenant, repo)

    repo.erase_member(tenant.member.id)

    assert repo.deliveries == {}


def test_signing_in_checks_the_member_in_once_a_day_at_a_gym(
    uow: Uow, tenant: Tenant, repo: FakeGatewayRepository
) -> None:
    tenant.member.external_id = "crm-7"
    subscribe(uow, tenant, "member.checked_in")
    for minutes in (0, 40):
        identity.identify_member(
            uow,
            tenant.at_kiosk,
            tenant.member.badge,
            PIN,
            PINS,
            now=NOW + timedelta(minutes=minutes),
        )
    identity.identify_member(
        uow, tenant.at_kiosk, tenant.member.badge, PIN, PINS, now=NOW + timedelta(days=1)
    )

    told = sorted(
        (json.loads(d.body) for d in repo.deliveries.values()), key=lambda b: b["occurred_at"]
    )
    assert [b["data"]["local_date"] for b in told] == ["2026-11-25", "2026-11-26"]
    assert told[0]["data"] == {
        "member_id": str(tenant.member.id),
        "external_id": "crm-7",
        "gym_id": str(tenant.gym.id),
        "kiosk_id": str(tenant.kiosk.id),
        "local_date": "2026-11-25",
    }
    assert told[0]["occurred_at"] == NOW.isoformat()


@pytest.mark.parametrize(
    ("url", "address", "sent_to", "host", "sni"),
    [
        (
            "https://crm.example.com/hooks?x=1",
            "203.0.113.7",
            "https://203.0.113.7/hooks?x=1",
            "crm.example.com",
            "crm.example.com",
        ),
        (
            "http://crm.example.com:8080/h",
            "203.0.113.7",
            "http://203.0.113.7:8080/h",
            "crm.example.com:8080",
            None,
        ),
        (
            "https://crm.example.com/h",
            "2001:db8::5",
            "https://[2001:db8::5]/h",
            "crm.example.com",
            "crm.example.com",
        ),
    ],
)
def test_a_request_goes_to_the_address_that_was_checked(
    url: str, address: str, sent_to: str, host: str, sni: str | None
) -> None:
    request = rules.pinned(url, address)

    assert (request.url, request.host_header, request.sni_hostname) == (sent_to, host, sni)
