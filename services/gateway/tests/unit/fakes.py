"""In-memory twins of the gateway's database and of the services it calls.

`FakeGatewayRepository` keeps rows in dicts and refuses what the database's unique
constraints refuse; `FakeServiceClient` answers canned documents and records each call.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gateway_service.domain.pin_lock import FailureRun, Scope
from gateway_service.domain.today import KnownTarget
from gateway_service.principals import KioskPrincipal, MemberPrincipal
from gateway_service.repository import (
    Chain,
    DueDelivery,
    DuplicateError,
    Gym,
    GymInventory,
    Kiosk,
    LastTarget,
    Member,
    MemberNews,
    MemberVisit,
    PinFailureRun,
    RefreshToken,
    Trainer,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)
from gateway_service.service_clients import Services
from myokine.internal_auth import Caller
from myokine.units import Unit

NOW = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)


class FakeGatewayRepository:
    """The gateway's rows in memory; the same methods as `SqlGatewayRepository`."""

    def __init__(self) -> None:
        self.chains: dict[uuid.UUID, Chain] = {}
        self.gyms: dict[uuid.UUID, Gym] = {}
        self.kiosks: dict[uuid.UUID, Kiosk] = {}
        self.inventories: dict[uuid.UUID, GymInventory] = {}
        self.trainers: dict[uuid.UUID, Trainer] = {}
        self.members: dict[uuid.UUID, Member] = {}
        self.targets: dict[tuple[uuid.UUID, str], LastTarget] = {}
        self.news: list[MemberNews] = []
        self.trainer_gyms: dict[uuid.UUID, set[uuid.UUID]] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.visits: dict[tuple[uuid.UUID, uuid.UUID], datetime] = {}
        self.pin_runs: dict[tuple[str, uuid.UUID, str], PinFailureRun] = {}
        self.pin_runs_locked = 0
        """How often an attempt took the runs' locks (`pin_failure_runs`), to count them."""
        self.webhooks: dict[uuid.UUID, Webhook] = {}
        self.deliveries: dict[uuid.UUID, WebhookDelivery] = {}
        self.attempts: list[WebhookAttempt] = []

    @staticmethod
    def _refuse_if(taken: bool) -> None:
        if taken:
            raise DuplicateError("unique constraint")

    def add_chain(self, chain: Chain) -> None:
        self._refuse_if(any(c.name == chain.name for c in self.chains.values()))
        chain.created_at = NOW
        self.chains[chain.id] = chain

    def chain(self, chain_id: uuid.UUID) -> Chain | None:
        return self.chains.get(chain_id)

    def chain_by_name(self, name: str) -> Chain | None:
        return next((c for c in self.chains.values() if c.name == name), None)

    def all_chains(self) -> list[Chain]:
        return sorted(self.chains.values(), key=lambda c: c.name)

    def add_gym(self, gym: Gym) -> None:
        self._refuse_if(self.gym_by_name(gym.chain_id, gym.name) is not None)
        gym.created_at = NOW
        self.gyms[gym.id] = gym

    def gym(self, gym_id: uuid.UUID) -> Gym | None:
        return self.gyms.get(gym_id)

    def gym_in_chain(self, chain_id: uuid.UUID, gym_id: uuid.UUID) -> Gym | None:
        gym = self.gyms.get(gym_id)
        return gym if gym is not None and gym.chain_id == chain_id else None

    def gyms_in_chain(self, chain_id: uuid.UUID, gym_ids: Collection[uuid.UUID]) -> list[Gym]:
        return [g for g in self.gyms.values() if g.chain_id == chain_id and g.id in gym_ids]

    def gym_by_name(self, chain_id: uuid.UUID, name: str) -> Gym | None:
        return next(
            (g for g in self.gyms.values() if g.chain_id == chain_id and g.name == name), None
        )

    def member_at_kiosk(
        self, chain_id: uuid.UUID, member_id: uuid.UUID, kiosk_id: uuid.UUID
    ) -> MemberPrincipal | None:
        member = self.member_in_chain(chain_id, member_id)
        kiosk = self.kiosks.get(kiosk_id)
        if member is None or kiosk is None or kiosk.revoked_at is not None:
            return None
        if not member.active:
            return None
        if kiosk.chain_id != chain_id:
            return None
        gym = self.gyms[kiosk.gym_id]
        return MemberPrincipal(
            member_id=member.id,
            name=member.name,
            unit=Unit(member.unit),
            kiosk=KioskPrincipal(
                kiosk_id=kiosk.id, chain_id=chain_id, gym_id=gym.id, timezone=gym.timezone
            ),
        )

    def gyms_of_chain(self, chain_id: uuid.UUID) -> list[Gym]:
        return sorted(
            (g for g in self.gyms.values() if g.chain_id == chain_id), key=lambda g: g.name
        )

    def all_gyms(self) -> list[Gym]:
        return sorted(self.gyms.values(), key=lambda g: (str(g.chain_id), g.name))

    def gym_with_inventory(self, gym_id: uuid.UUID) -> tuple[Gym, GymInventory | None] | None:
        gym = self.gyms.get(gym_id)
        return (gym, self.inventories.get(gym_id)) if gym else None

    def gym_inventory(self, gym_id: uuid.UUID, *, for_update: bool = False) -> GymInventory | None:
        return self.inventories.get(gym_id)

    def gym_inventories(self) -> dict[uuid.UUID, GymInventory]:
        return dict(self.inventories)

    def add_gym_inventory(self, inventory: GymInventory) -> None:
        self.inventories[inventory.gym_id] = inventory

    def add_kiosk(self, kiosk: Kiosk) -> None:
        self._refuse_if(
            self.kiosk_by_name(kiosk.gym_id, kiosk.name) is not None
            or any(k.token_hash == kiosk.token_hash for k in self.kiosks.values())
        )
        kiosk.created_at = NOW
        self.kiosks[kiosk.id] = kiosk

    def kiosk(self, kiosk_id: uuid.UUID) -> Kiosk | None:
        return self.kiosks.get(kiosk_id)

    def kiosk_by_token_hash(self, token_hash: str) -> Kiosk | None:
        return next(
            (
                k
                for k in self.kiosks.values()
                if k.token_hash == token_hash and k.revoked_at is None
            ),
            None,
        )

    def kiosk_by_name(self, gym_id: uuid.UUID, name: str) -> Kiosk | None:
        return next(
            (k for k in self.kiosks.values() if k.gym_id == gym_id and k.name == name), None
        )

    def add_trainer(self, trainer: Trainer) -> None:
        self._refuse_if(any(t.email == trainer.email for t in self.trainers.values()))
        trainer.created_at = NOW
        trainer.active = True if trainer.active is None else trainer.active
        self.trainers[trainer.id] = trainer

    def trainer(self, trainer_id: uuid.UUID) -> Trainer | None:
        return self.trainers.get(trainer_id)

    def trainer_by_email(self, email: str) -> Trainer | None:
        return next((t for t in self.trainers.values() if t.email.lower() == email.lower()), None)

    def trainers_of_chain(self, chain_id: uuid.UUID) -> list[Trainer]:
        return sorted(
            (t for t in self.trainers.values() if t.chain_id == chain_id),
            key=lambda t: (t.name, t.email),
        )

    def trainer_gym_ids(
        self, trainer_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, set[uuid.UUID]]:
        return {t: set(g) for t, g in self.trainer_gyms.items() if t in trainer_ids and g}

    def set_trainer_gyms(self, trainer_id: uuid.UUID, gym_ids: Collection[uuid.UUID]) -> None:
        self.trainer_gyms[trainer_id] = set(gym_ids)

    def add_refresh_token(self, token: RefreshToken) -> None:
        self._refuse_if(token.token_hash in self.refresh_tokens)
        token.created_at = NOW
        self.refresh_tokens[token.token_hash] = token

    def refresh_token_by_hash(self, token_hash: str) -> RefreshToken | None:
        return self.refresh_tokens.get(token_hash)

    def end_refresh_tokens(self, trainer_id: uuid.UUID, at: datetime) -> None:
        for token in self.refresh_tokens.values():
            if token.trainer_id == trainer_id and token.used_at is None:
                token.used_at = at

    def kiosks_of_chain(self, chain_id: uuid.UUID) -> list[Kiosk]:
        return sorted(
            (k for k in self.kiosks.values() if k.chain_id == chain_id),
            key=lambda k: (str(k.gym_id), k.name),
        )

    def record_visit(self, member_id: uuid.UUID, gym_id: uuid.UUID, at: datetime) -> None:
        seen = self.visits.get((member_id, gym_id))
        self.visits[(member_id, gym_id)] = max(at, seen) if seen else at

    def members_seen_at(
        self,
        gym_ids: Collection[uuid.UUID],
        since: datetime,
        member_ids: Collection[uuid.UUID] | None = None,
    ) -> set[uuid.UUID]:
        return {
            m
            for (m, g), at in self.visits.items()
            if g in gym_ids and at >= since and (member_ids is None or m in member_ids)
        }

    def insert_members(self, members: list[Member]) -> set[uuid.UUID]:
        stored = set()
        for member in members:
            try:
                self.add_member(member)
            except DuplicateError:
                continue
            stored.add(member.id)
        return stored

    def update_members(self, changes: list[dict[str, Any]]) -> None:
        for change in changes:
            member = self.members[change["id"]]
            for name, value in change.items():
                setattr(member, name, value)

    def member_by_external_id(self, chain_id: uuid.UUID, external_id: str) -> Member | None:
        return next(
            (
                m
                for m in self.members.values()
                if m.chain_id == chain_id and m.external_id == external_id
            ),
            None,
        )

    def add_member(self, member: Member) -> None:
        self._refuse_if(self.member_by_badge(member.chain_id, member.badge) is not None)
        self._refuse_if(
            member.external_id is not None
            and self.member_by_external_id(member.chain_id, member.external_id) is not None
        )
        member.created_at = NOW
        member.active = True if member.active is None else member.active
        self.members[member.id] = member

    def member_by_badge(
        self, chain_id: uuid.UUID, badge: str, *, for_update: bool = False, for_share: bool = False
    ) -> Member | None:
        return next(
            (m for m in self.members.values() if m.chain_id == chain_id and m.badge == badge),
            None,
        )

    def member_in_chain(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> Member | None:
        member = self.members.get(member_id)
        return member if member is not None and member.chain_id == chain_id else None

    def pin_failure_runs(
        self, chain_id: uuid.UUID, kiosk_id: uuid.UUID, badge_digest: str, *, at: datetime
    ) -> dict[Scope, PinFailureRun]:
        places = self._run_places(chain_id, kiosk_id, badge_digest)
        self.pin_runs_locked += 1
        for scope, (place_id, digest) in places.items():
            self.pin_runs.setdefault(
                (scope.value, place_id, digest),
                PinFailureRun(
                    scope=scope.value,
                    place_id=place_id,
                    badge_digest=digest,
                    chain_id=chain_id,
                    failures=0,
                    forgotten_at=at,
                ),
            )
        return {scope: self.pin_runs[(scope.value, *place)] for scope, place in places.items()}

    def read_pin_failure_runs(
        self, chain_id: uuid.UUID, kiosk_id: uuid.UUID, badge_digest: str, *, hold: bool = False
    ) -> dict[Scope, FailureRun]:
        places = self._run_places(chain_id, kiosk_id, badge_digest)
        found = {scope: self.pin_runs.get((scope.value, *place)) for scope, place in places.items()}
        return {
            scope: FailureRun(run.failures, run.forgiving_since, run.blocked_until)
            for scope, run in found.items()
            if run is not None
        }

    @staticmethod
    def _run_places(
        chain_id: uuid.UUID, kiosk_id: uuid.UUID, badge_digest: str
    ) -> dict[Scope, tuple[uuid.UUID, str]]:
        return {
            Scope.BADGE_AT_KIOSK: (kiosk_id, badge_digest),
            Scope.BADGE_IN_CHAIN: (chain_id, badge_digest),
            Scope.KIOSK: (kiosk_id, ""),
        }

    def forget_pin_failures(self, chain_id: uuid.UUID, badge_digests: Collection[str]) -> None:
        for key, run in list(self.pin_runs.items()):
            if run.chain_id == chain_id and run.badge_digest in badge_digests:
                del self.pin_runs[key]

    def purge_pin_failure_runs(self, now: datetime, *, limit: int) -> int:
        forgotten = [key for key, run in self.pin_runs.items() if run.forgotten_at < now]
        for key in forgotten[:limit]:
            del self.pin_runs[key]
        return len(forgotten[:limit])

    def members_of_chain(self, chain_id: uuid.UUID) -> list[Member]:
        return sorted(
            (m for m in self.members.values() if m.chain_id == chain_id),
            key=lambda m: (m.name, str(m.id)),
        )

    def home_members(self, chain_id: uuid.UUID, gym_id: uuid.UUID) -> dict[uuid.UUID, str]:
        return {
            m.id: m.name
            for m in self.members.values()
            if m.chain_id == chain_id and m.home_gym_id == gym_id
        }

    def members_by_ids(
        self, chain_id: uuid.UUID, member_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, Member]:
        return {
            m.id: m for m in self.members.values() if m.chain_id == chain_id and m.id in member_ids
        }

    def last_targets(self, member_id: uuid.UUID, exercises: list[str]) -> dict[str, KnownTarget]:
        remembered = {slug: self.targets.get((member_id, slug)) for slug in exercises}
        return {
            slug: KnownTarget(t.load_kg, t.reps, t.sets)
            for slug, t in remembered.items()
            if t is not None
        }

    def save_last_targets(
        self, member_id: uuid.UUID, targets: Mapping[str, KnownTarget], *, as_of: datetime
    ) -> None:
        for exercise, target in targets.items():
            known = self.targets.get((member_id, exercise))
            if known is not None and known.updated_at > as_of:
                continue
            self.targets[(member_id, exercise)] = LastTarget(
                member_id=member_id,
                exercise=exercise,
                load_kg=target.load_kg,
                reps=target.reps,
                sets=target.sets,
                updated_at=as_of,
            )

    def add_member_news(self, news: MemberNews) -> None:
        self.news.append(news)

    def recent_member_news(self, member_id: uuid.UUID, since: datetime) -> list[MemberNews]:
        return sorted(
            (n for n in self.news if n.member_id == member_id and n.occurred_at >= since),
            key=lambda n: n.occurred_at,
        )

    def member_visits(self, member_id: uuid.UUID) -> list[MemberVisit]:
        return [
            MemberVisit(member_id=m, gym_id=g, last_seen_at=at)
            for (m, g), at in sorted(self.visits.items(), key=lambda item: str(item[0][1]))
            if m == member_id
        ]

    def hold_member(self, member_id: uuid.UUID) -> bool:
        return member_id in self.members

    def erase_member(self, member_id: uuid.UUID) -> int:
        """Delete every row of the member; how many went."""
        visits = [key for key in self.visits if key[0] == member_id]
        targets = [key for key in self.targets if key[0] == member_id]
        for key in visits:
            del self.visits[key]
        for target in targets:
            del self.targets[target]
        news = [n for n in self.news if n.member_id == member_id]
        self.news = [n for n in self.news if n.member_id != member_id]
        deliveries = [d for d in self.deliveries.values() if d.member_id == member_id]
        for delivery in deliveries:
            del self.deliveries[delivery.id]
        member = self.members.pop(member_id, None)
        return len(visits) + len(targets) + len(news) + len(deliveries) + (member is not None)

    def add_webhook(self, webhook: Webhook) -> None:
        self.webhooks[webhook.id] = webhook

    def webhooks_of_chain(self, chain_id: uuid.UUID) -> list[Webhook]:
        return sorted(
            (w for w in self.webhooks.values() if w.chain_id == chain_id),
            key=lambda w: (w.created_at, str(w.id)),
        )

    def webhook_in_chain(self, chain_id: uuid.UUID, webhook_id: uuid.UUID) -> Webhook | None:
        webhook = self.webhooks.get(webhook_id)
        return webhook if webhook is not None and webhook.chain_id == chain_id else None

    def delete_webhook(self, webhook_id: uuid.UUID) -> None:
        self.webhooks.pop(webhook_id, None)
        gone = {d.id for d in self.deliveries.values() if d.webhook_id == webhook_id}
        self.deliveries = {k: d for k, d in self.deliveries.items() if k not in gone}
        self.attempts = [a for a in self.attempts if a.delivery_id not in gone]

    def add_webhook_deliveries(self, deliveries: list[WebhookDelivery]) -> None:
        for delivery in deliveries:
            if not any(
                (d.webhook_id, d.event_id) == (delivery.webhook_id, delivery.event_id)
                for d in self.deliveries.values()
            ):
                self.deliveries[delivery.id] = delivery

    def webhook_deliveries(
        self, webhook_id: uuid.UUID, *, state: str | None, limit: int
    ) -> list[WebhookDelivery]:
        found = [
            d
            for d in self.deliveries.values()
            if d.webhook_id == webhook_id and state in (None, d.state)
        ]
        return sorted(found, key=lambda d: d.created_at, reverse=True)[:limit]

    def webhook_attempts(
        self, delivery_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, list[WebhookAttempt]]:
        return {d: [a for a in self.attempts if a.delivery_id == d] for d in delivery_ids}

    def claim_webhook_deliveries(
        self, now: datetime, lease_until: datetime, limit: int
    ) -> list[DueDelivery]:
        due = sorted(
            (
                d
                for d in self.deliveries.values()
                if d.state == "pending" and d.next_attempt_at <= now
            ),
            key=lambda d: d.next_attempt_at,
        )[:limit]
        for delivery in due:
            delivery.next_attempt_at = lease_until
        return [
            DueDelivery(
                id=d.id,
                url=self.webhooks[d.webhook_id].url,
                secret=self.webhooks[d.webhook_id].secret,
                event_type=d.event_type,
                body=d.body,
            )
            for d in due
        ]

    def webhook_delivery(self, delivery_id: uuid.UUID) -> WebhookDelivery | None:
        return self.deliveries.get(delivery_id)

    def add_webhook_attempt(self, attempt: WebhookAttempt) -> None:
        self.attempts.append(attempt)

    def retry_failed_deliveries(
        self, webhook_id: uuid.UUID, delivery_ids: Collection[uuid.UUID] | None, now: datetime
    ) -> int:
        retried = [
            d
            for d in self.deliveries.values()
            if d.webhook_id == webhook_id
            and d.state == "failed"
            and (delivery_ids is None or d.id in delivery_ids)
        ]
        for delivery in retried:
            delivery.state, delivery.attempts, delivery.next_attempt_at = "pending", 0, now
        return len(retried)


@dataclass(frozen=True)
class Call:
    """One call a handler made to a service."""

    method: str
    path: str
    caller: Caller
    json: Any = None
    params: dict[str, str] | None = None
    idempotency_key: str | None = None


Answer = Any | Exception | Callable[[Call], Any]


@dataclass
class FakeServiceClient:
    """A service that answers what a test gave it for (method, path), or raises it."""

    name: str
    answers: dict[tuple[str, str], Answer] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)

    def answer(self, method: str, path: str, with_: Answer) -> None:
        """Answer `with_` (a document, an exception to raise, or a function of the call)."""
        self.answers[(method, path)] = with_

    def call(
        self,
        method: str,
        path: str,
        caller: Caller,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        made = Call(method, path, caller, json, params, idempotency_key)
        self.calls.append(made)
        answer = self.answers.get((method, path))
        if answer is None:
            raise AssertionError(f"{self.name} was not told how to answer {method} {path}")
        if isinstance(answer, Exception):
            raise answer
        return answer(made) if callable(answer) else answer

    def close(self) -> None:
        pass


def fake_services() -> Services:
    """The three services, each a `FakeServiceClient`."""
    return Services(
        program=FakeServiceClient("program"),  # type: ignore[arg-type]
        logging=FakeServiceClient("logging"),  # type: ignore[arg-type]
        progression=FakeServiceClient("progression"),  # type: ignore[arg-type]
    )
