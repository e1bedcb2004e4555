"""The gateway service's own database, identity and tenancy: its tables and all its SQL.

`GatewayRepository` is what the use cases and queries ask of it; `SqlGatewayRepository`
answers on PostgreSQL within one unit of work's session, and the handler tests use an
in-memory one.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol, cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Insert,
    Integer,
    Numeric,
    Select,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    text,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from gateway_service.domain.pin_lock import FailureRun, Scope
from gateway_service.domain.today import KnownTarget
from gateway_service.principals import KioskPrincipal, MemberPrincipal
from myokine.messaging_tables import define_messaging_tables
from myokine.units import Unit


class Base(DeclarativeBase):
    """The gateway service's tables (its outbox, inbox and dead letters are added below)."""


def _created() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now())


class Chain(Base):
    """A gym chain: the tenant. Nothing of one chain is visible to another."""

    __tablename__ = "chains"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = _created()


class Gym(Base):
    """One gym of a chain, with its local time zone and the unit of its equipment."""

    __tablename__ = "gyms"
    __table_args__ = (
        UniqueConstraint("chain_id", "name"),
        CheckConstraint("unit IN ('kg', 'lb')", name="gyms_unit"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    chain_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("chains.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = _created()


class GymInventory(Base):
    """What a trainer set of a gym's equipment (the kinds left out keep their defaults),
    and its version: +1 on every change, so copies elsewhere keep the newest."""

    __tablename__ = "gym_inventories"

    gym_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("gyms.id"), primary_key=True)
    chain_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("chains.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Kiosk(Base):
    """A kiosk device bound to one gym; only the SHA-256 of its token is stored."""

    __tablename__ = "kiosks"
    __table_args__ = (UniqueConstraint("gym_id", "name"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    chain_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("chains.id"), index=True)
    gym_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("gyms.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = _created()
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Trainer(Base):
    """A trainer or chain admin; signs in with email and an argon2-hashed password."""

    __tablename__ = "trainers"
    __table_args__ = (CheckConstraint("role IN ('trainer', 'chain_admin')", name="trainers_role"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    chain_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("chains.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    # A deactivated trainer's tokens stop working at once (each request reads this row).
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = _created()


class TrainerGym(Base):
    """A gym a trainer works in: they manage its members (a chain admin needs none)."""

    __tablename__ = "trainer_gyms"

    trainer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("trainers.id", ondelete="CASCADE"), primary_key=True
    )
    gym_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("gyms.id"), primary_key=True)


class RefreshToken(Base):
    """A trainer's refresh token, stored as its SHA-256; used once, then replaced."""

    __tablename__ = "refresh_tokens"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    trainer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("trainers.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _created()


class Member(Base):
    """A member of a chain: trains at any of its gyms, identifies with badge and PIN."""

    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("chain_id", "badge"),
        UniqueConstraint("chain_id", "external_id", name="members_chain_external_id"),
        CheckConstraint("unit IN ('kg', 'lb')", name="members_unit"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    chain_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("chains.id"), index=True)
    home_gym_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("gyms.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    badge: Mapped[str] = mapped_column(String(64))
    pin_hash: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(2))
    # A deactivated member's badge stops working; their history stays.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The chain's own id for the member (its CRM's), unique in the chain: imports match on it.
    external_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = _created()


class PinFailureRun(Base):
    """A run of wrong PINs in one scope of the PIN backoff (domain/pin_lock.py): a badge at
    a kiosk, a badge at every kiosk of the chain (`place_id` is then the chain's id), or
    every badge at a kiosk (`badge_digest` is then empty). A badge is kept as its digest,
    whether or not a member holds it; a run forgotten by `forgotten_at` may be deleted."""

    __tablename__ = "pin_failure_runs"
    __table_args__ = (
        CheckConstraint(
            "scope IN ('badge_at_kiosk', 'badge_in_chain', 'kiosk')", name="pin_failure_runs_scope"
        ),
        Index("pin_failure_runs_badge", "chain_id", "badge_digest"),
        Index("pin_failure_runs_forgotten", "forgotten_at"),
    )

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    place_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    badge_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    chain_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("chains.id"))
    failures: Mapped[int] = mapped_column(Integer)
    forgiving_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    forgotten_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MemberVisit(Base):
    """When a member last identified at a kiosk of a gym: a trainer of that gym sees them
    for 30 days after."""

    __tablename__ = "member_visits"
    __table_args__ = (Index("member_visits_gym_seen", "gym_id", "last_seen_at"),)

    member_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    gym_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("gyms.id"), primary_key=True)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LastTarget(Base):
    """The last next-target progression published for a member and exercise.

    The kiosk falls back on these when the progression service does not answer.
    """

    __tablename__ = "last_targets"

    member_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    exercise: Mapped[str] = mapped_column(String(100), primary_key=True)
    load_kg: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    reps: Mapped[int | None] = mapped_column(Integer)
    sets: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MemberNews(Base):
    """Something progression told about a member (a PR, a stall, a milestone) to show them."""

    __tablename__ = "member_news"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Webhook(Base):
    """A chain's subscription: these kinds of integration events, POSTed to this URL,
    signed with this secret (kept as given: signing needs it, and it is shown only once)."""

    __tablename__ = "webhooks"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    chain_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("chains.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSONB)
    secret: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = _created()


class WebhookDelivery(Base):
    """One integration event for one webhook: `pending` until its receiver answers 2xx
    (`delivered`) or every try failed (`failed`, replayable). The table is the webhooks'
    outbox: rows are added in the transaction of what they tell, and sent by the relay."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id"),
        CheckConstraint(
            "state IN ('pending', 'delivered', 'failed')", name="webhook_deliveries_state"
        ),
        Index(
            "webhook_deliveries_due",
            "next_attempt_at",
            postgresql_where=text("state = 'pending'"),
        ),
        Index("webhook_deliveries_log", "webhook_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    webhook_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    chain_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("chains.id"))
    # The member the event is about: their erasure takes the deliveries with it.
    member_id: Mapped[uuid.UUID] = mapped_column(index=True)
    event_id: Mapped[uuid.UUID] = mapped_column()
    event_type: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebhookAttempt(Base):
    """One try of a delivery: when, what the receiver answered (or why nothing), how long."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    duration_ms: Mapped[int] = mapped_column(Integer)


@dataclass(frozen=True)
class DueDelivery:
    """A delivery claimed for sending, with what sending needs of its webhook."""

    id: uuid.UUID
    url: str
    secret: str
    event_type: str
    body: str


TABLES = define_messaging_tables(Base.metadata)
"""The outbox, inbox, dead letters and Idempotency-Key replies of this service."""


class DuplicateError(Exception):
    """A new row collides with one already stored (a name, email or badge is taken)."""


class GatewayRepository(Protocol):
    """What the gateway's use cases and queries read and write in its database.

    Rows come back as the models above; a use case changes them in place and the unit of
    work's commit writes the change. The `add_*` methods store a row at once, so a taken
    name, email or badge raises `DuplicateError` there rather than at commit.
    """

    def add_chain(self, chain: Chain) -> None:
        """Store a new chain; DuplicateError when its name is taken."""
        ...

    def chain(self, chain_id: uuid.UUID) -> Chain | None:
        """The chain, if any."""
        ...

    def chain_by_name(self, name: str) -> Chain | None:
        """The chain of that name, if any."""
        ...

    def all_chains(self) -> list[Chain]:
        """Every chain, by name."""
        ...

    def add_gym(self, gym: Gym) -> None:
        """Store a new gym; DuplicateError when its chain has a gym of that name."""
        ...

    def gym(self, gym_id: uuid.UUID) -> Gym | None:
        """The gym, if any."""
        ...

    def gym_in_chain(self, chain_id: uuid.UUID, gym_id: uuid.UUID) -> Gym | None:
        """The gym, only if it belongs to the chain."""
        ...

    def gyms_in_chain(self, chain_id: uuid.UUID, gym_ids: Collection[uuid.UUID]) -> list[Gym]:
        """The chain's gyms among `gym_ids`."""
        ...

    def gym_by_name(self, chain_id: uuid.UUID, name: str) -> Gym | None:
        """The chain's gym of that name, if any."""
        ...

    def gyms_of_chain(self, chain_id: uuid.UUID) -> list[Gym]:
        """Every gym of the chain, by name."""
        ...

    def all_gyms(self) -> list[Gym]:
        """Every gym of every chain (to send their equipment again to a consumer)."""
        ...

    def gym_with_inventory(self, gym_id: uuid.UUID) -> tuple[Gym, GymInventory | None] | None:
        """The gym with what was set of its equipment, if anything (one statement: every
        read of a card at the kiosk asks it); None if the gym is gone."""
        ...

    def gym_inventory(self, gym_id: uuid.UUID, *, for_update: bool = False) -> GymInventory | None:
        """What was set of the gym's equipment, if anything (changes are written at commit);
        locked until the transaction ends if asked."""
        ...

    def gym_inventories(self) -> dict[uuid.UUID, GymInventory]:
        """What was set of every gym's equipment, by gym."""
        ...

    def add_gym_inventory(self, inventory: GymInventory) -> None:
        """Store the first equipment set for a gym."""
        ...

    def add_kiosk(self, kiosk: Kiosk) -> None:
        """Store a new kiosk; DuplicateError when its gym has a kiosk of that name."""
        ...

    def kiosk(self, kiosk_id: uuid.UUID) -> Kiosk | None:
        """The kiosk, revoked or not, if any."""
        ...

    def kiosk_by_token_hash(self, token_hash: str) -> Kiosk | None:
        """The active kiosk holding the token of that hash."""
        ...

    def kiosk_by_name(self, gym_id: uuid.UUID, name: str) -> Kiosk | None:
        """The gym's kiosk of that name, if any."""
        ...

    def member_at_kiosk(
        self, chain_id: uuid.UUID, member_id: uuid.UUID, kiosk_id: uuid.UUID
    ) -> MemberPrincipal | None:
        """The chain's active member at the chain's active kiosk, as the principal of their
        requests (one statement of five columns: every kiosk request asks it); None if
        either is gone."""
        ...

    def add_trainer(self, trainer: Trainer) -> None:
        """Store a new trainer; DuplicateError when the email is taken."""
        ...

    def trainer(self, trainer_id: uuid.UUID) -> Trainer | None:
        """The trainer, if any."""
        ...

    def trainer_by_email(self, email: str) -> Trainer | None:
        """The trainer signing in with that email (compared case-insensitively)."""
        ...

    def trainers_of_chain(self, chain_id: uuid.UUID) -> list[Trainer]:
        """The chain's trainers and admins, by name."""
        ...

    def trainer_gym_ids(
        self, trainer_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, set[uuid.UUID]]:
        """The gyms each of these trainers works in (those with none are absent)."""
        ...

    def set_trainer_gyms(self, trainer_id: uuid.UUID, gym_ids: Collection[uuid.UUID]) -> None:
        """The trainer now works in exactly these gyms."""
        ...

    def add_refresh_token(self, token: RefreshToken) -> None:
        """Store a new refresh token."""
        ...

    def refresh_token_by_hash(self, token_hash: str) -> RefreshToken | None:
        """The refresh token with that hash, locked until the transaction ends (used once)."""
        ...

    def end_refresh_tokens(self, trainer_id: uuid.UUID, at: datetime) -> None:
        """Mark every unused refresh token of the trainer used: none works any more."""
        ...

    def kiosks_of_chain(self, chain_id: uuid.UUID) -> list[Kiosk]:
        """The chain's kiosks, revoked ones too, by gym and name."""
        ...

    def record_visit(self, member_id: uuid.UUID, gym_id: uuid.UUID, at: datetime) -> None:
        """The member identified at a kiosk of the gym at `at`."""
        ...

    def members_seen_at(
        self,
        gym_ids: Collection[uuid.UUID],
        since: datetime,
        member_ids: Collection[uuid.UUID] | None = None,
    ) -> set[uuid.UUID]:
        """The members (among `member_ids`, if given) who identified at one of the gyms
        since `since`."""
        ...

    def member_by_external_id(self, chain_id: uuid.UUID, external_id: str) -> Member | None:
        """The chain's member with that external id."""
        ...

    def insert_members(self, members: list[Member]) -> set[uuid.UUID]:
        """Store new members at once, skipping those whose badge or external id is taken;
        the ids of those stored."""
        ...

    def update_members(self, changes: list[dict[str, Any]]) -> None:
        """Change members at once: each dict has the member's `id` and the new values."""
        ...

    def add_member(self, member: Member) -> None:
        """Store a new member; DuplicateError when the chain has a member with that badge."""
        ...

    def member_by_badge(
        self, chain_id: uuid.UUID, badge: str, *, for_update: bool = False, for_share: bool = False
    ) -> Member | None:
        """The chain's member with that badge; locked until the transaction ends if asked
        (`for_share`: others may read and share-lock it, nobody may change it)."""
        ...

    def member_in_chain(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> Member | None:
        """The member, only if it belongs to the chain."""
        ...

    def pin_failure_runs(
        self, chain_id: uuid.UUID, kiosk_id: uuid.UUID, badge_digest: str, *, at: datetime
    ) -> dict[Scope, PinFailureRun]:
        """The three runs a PIN attempt at the kiosk with the badge is judged by, made (empty,
        forgotten at `at`) where missing, and locked until the transaction ends: attempts at
        once count one after the other, and attempts that only read them (`hold`) wait for
        the count. Changes are written at commit."""
        ...

    def read_pin_failure_runs(
        self, chain_id: uuid.UUID, kiosk_id: uuid.UUID, badge_digest: str, *, hold: bool = False
    ) -> dict[Scope, FailureRun]:
        """Those of the three runs that exist, as they are, read without changing or locking
        them. With `hold`, read once no attempt is counting in them (`pin_failure_runs`),
        and none starts until the transaction ends; attempts that hold them do not wait for
        each other."""
        ...

    def forget_pin_failures(self, chain_id: uuid.UUID, badge_digests: Collection[str]) -> None:
        """Delete the runs of these badges at every kiosk of the chain and in the chain."""
        ...

    def purge_pin_failure_runs(self, now: datetime, *, limit: int) -> int:
        """Delete up to `limit` runs forgotten before `now` that no other transaction holds;
        how many went."""
        ...

    def members_of_chain(self, chain_id: uuid.UUID) -> list[Member]:
        """The chain's members, by name."""
        ...

    def members_by_ids(
        self, chain_id: uuid.UUID, member_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, Member]:
        """The chain's members among `member_ids`, by id."""
        ...

    def home_members(self, chain_id: uuid.UUID, gym_id: uuid.UUID) -> dict[uuid.UUID, str]:
        """The names of the members whose home is this gym of the chain, by id."""
        ...

    def last_targets(self, member_id: uuid.UUID, exercises: list[str]) -> dict[str, KnownTarget]:
        """The member's last known targets of these exercises, by slug."""
        ...

    def save_last_targets(
        self, member_id: uuid.UUID, targets: Mapping[str, KnownTarget], *, as_of: datetime
    ) -> None:
        """Remember a member's targets (by exercise) as of a time; an older word never wins."""
        ...

    def add_member_news(self, news: MemberNews) -> None:
        """Keep one piece of news about a member."""
        ...

    def recent_member_news(self, member_id: uuid.UUID, since: datetime) -> list[MemberNews]:
        """The member's news since a time, oldest first."""
        ...

    def member_visits(self, member_id: uuid.UUID) -> list[MemberVisit]:
        """The gyms the member identified at, each with the last time, by gym (the export)."""
        ...

    def hold_member(self, member_id: uuid.UUID) -> bool:
        """Whether the member exists; if so, it cannot be erased until the transaction ends
        (a share lock), so what the transaction writes about them is erased with them."""
        ...

    def erase_member(self, member_id: uuid.UUID) -> int:
        """Delete every row of the member (their visits, last targets, news, webhook
        deliveries, the member); how many rows went. The member's row is locked first, so a
        writer that holds it finishes before and its rows go too."""
        ...

    def add_webhook(self, webhook: Webhook) -> None:
        """Store a new webhook."""
        ...

    def webhooks_of_chain(self, chain_id: uuid.UUID) -> list[Webhook]:
        """The chain's webhooks, oldest first."""
        ...

    def webhook_in_chain(self, chain_id: uuid.UUID, webhook_id: uuid.UUID) -> Webhook | None:
        """One webhook of the chain."""
        ...

    def delete_webhook(self, webhook_id: uuid.UUID) -> None:
        """Delete a webhook, its deliveries and their attempts."""
        ...

    def add_webhook_deliveries(self, deliveries: list[WebhookDelivery]) -> None:
        """Store new deliveries; one a webhook already has for the event is left as it is."""
        ...

    def webhook_deliveries(
        self, webhook_id: uuid.UUID, *, state: str | None, limit: int
    ) -> list[WebhookDelivery]:
        """A webhook's latest deliveries (of one state), newest first."""
        ...

    def webhook_attempts(
        self, delivery_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, list[WebhookAttempt]]:
        """The tries of each delivery, in order."""
        ...

    def claim_webhook_deliveries(
        self, now: datetime, lease_until: datetime, limit: int
    ) -> list[DueDelivery]:
        """Pending deliveries due by `now`, oldest first, put off until `lease_until` so no
        other sender takes them meanwhile (one whose sender died comes back then)."""
        ...

    def webhook_delivery(self, delivery_id: uuid.UUID) -> WebhookDelivery | None:
        """One delivery, locked for its outcome."""
        ...

    def add_webhook_attempt(self, attempt: WebhookAttempt) -> None:
        """Store one try of a delivery."""
        ...

    def retry_failed_deliveries(
        self, webhook_id: uuid.UUID, delivery_ids: Collection[uuid.UUID] | None, now: datetime
    ) -> int:
        """Make a webhook's failed deliveries (all, or these) pending again, due at `now`,
        with every try ahead of them again; how many."""
        ...


def _member_at_kiosk() -> Select[Any]:
    """Built once, on the tables (not the mapped classes), with bound parameters: every
    kiosk request runs it, and neither the ORM's loading nor building the statement again
    is worth its cost there."""
    member, kiosk, gym = Member.__table__.c, Kiosk.__table__.c, Gym.__table__.c
    return (
        select(member.name, member.unit, gym.id.label("gym_id"), gym.timezone)
        .select_from(
            Member.__table__.join(
                Kiosk.__table__,
                (kiosk.id == bindparam("kiosk_id")) & (kiosk.chain_id == member.chain_id),
            ).join(Gym.__table__, gym.id == kiosk.gym_id)
        )
        .where(
            member.id == bindparam("member_id"),
            member.chain_id == bindparam("chain_id"),
            member.active.is_(True),
            kiosk.revoked_at.is_(None),
        )
    )


_MEMBER_AT_KIOSK = _member_at_kiosk()

_GYM_WITH_INVENTORY = (
    select(Gym, GymInventory)
    .outerjoin(GymInventory, GymInventory.gym_id == Gym.id)
    .where(Gym.id == bindparam("gym_id", type_=Uuid()))
)

_RUN_KEY = ("scope", "place_id", "badge_digest")


def _run_key() -> tuple[Any, ...]:
    return tuple(getattr(PinFailureRun, column) for column in _RUN_KEY)


def _run_places(
    chain_id: uuid.UUID, kiosk_id: uuid.UUID, badge_digest: str
) -> dict[Scope, tuple[uuid.UUID, str]]:
    """The place and badge digest of each run an attempt at the kiosk is judged by."""
    return {
        Scope.BADGE_AT_KIOSK: (kiosk_id, badge_digest),
        Scope.BADGE_IN_CHAIN: (chain_id, badge_digest),
        Scope.KIOSK: (kiosk_id, ""),
    }


def _run_lock_keys(places: dict[Scope, tuple[uuid.UUID, str]]) -> list[int]:
    """The advisory lock of each run (a run may not exist yet), as PostgreSQL's bigint keys,
    in the one order every attempt takes them, so none deadlocks. Two runs that shared a key
    would only take turns."""
    keys = []
    for scope, (place_id, digest) in places.items():
        named = hashlib.sha256(f"pin_failure_runs:{scope}:{place_id}:{digest}".encode())
        keys.append(int.from_bytes(named.digest()[:8], "big", signed=True))
    return sorted(keys)


def _runs_of_attempt() -> Select[Any]:
    """Built once, on the table, with bound parameters (as `_MEMBER_AT_KIOSK`): every PIN
    attempt reads its runs, most twice."""
    run = PinFailureRun.__table__.c
    chain_id, kiosk_id = bindparam("chain_id", type_=Uuid()), bindparam("kiosk_id", type_=Uuid())
    digest = bindparam("badge_digest", type_=String())
    return select(run.scope, run.failures, run.forgiving_since, run.blocked_until).where(
        or_(
            and_(
                run.scope == Scope.BADGE_AT_KIOSK.value,
                run.place_id == kiosk_id,
                run.badge_digest == digest,
            ),
            and_(
                run.scope == Scope.BADGE_IN_CHAIN.value,
                run.place_id == chain_id,
                run.badge_digest == digest,
            ),
            and_(run.scope == Scope.KIOSK.value, run.place_id == kiosk_id, run.badge_digest == ""),
        )
    )


_RUNS_OF_ATTEMPT = _runs_of_attempt()
# The row locks alone would not do: an attempt that reads the runs must wait for one that
# counts in them, and a run may not have a row yet. unnest() takes the keys in their order.
_LOCK_RUNS = text("SELECT pg_advisory_xact_lock(key) FROM unnest(CAST(:keys AS bigint[])) key")
_SHARE_RUNS = text(
    "SELECT pg_advisory_xact_lock_shared(key) FROM unnest(CAST(:keys AS bigint[])) key"
)


def _save_last_target() -> Insert:
    """One exercise's last target, unless a newer one is remembered; its values are the
    parameters it runs with, named after the columns. Every read of today runs it."""
    table = cast(Table, LastTarget.__table__)
    upsert = insert(table)
    new = upsert.excluded
    return upsert.on_conflict_do_update(
        index_elements=["member_id", "exercise"],
        set_={
            "load_kg": new.load_kg,
            "reps": new.reps,
            "sets": new.sets,
            "updated_at": new.updated_at,
        },
        where=table.c.updated_at <= new.updated_at,
    )


_SAVE_LAST_TARGET = _save_last_target()
# Every read of today runs these three as well.
_LAST_TARGET_COLUMNS = cast(Table, LastTarget.__table__).c
_LAST_TARGETS = select(
    _LAST_TARGET_COLUMNS.exercise,
    _LAST_TARGET_COLUMNS.load_kg,
    _LAST_TARGET_COLUMNS.reps,
    _LAST_TARGET_COLUMNS.sets,
).where(
    _LAST_TARGET_COLUMNS.member_id == bindparam("member_id"),
    _LAST_TARGET_COLUMNS.exercise.in_(bindparam("exercises", expanding=True)),
)
_HOLD_MEMBER = (
    select(Member.id).where(Member.id == bindparam("member_id")).with_for_update(key_share=True)
)
_RECENT_NEWS = (
    select(MemberNews)
    .where(
        MemberNews.member_id == bindparam("member_id"), MemberNews.occurred_at >= bindparam("since")
    )
    .order_by(MemberNews.occurred_at)
)


class SqlGatewayRepository(GatewayRepository):
    """The gateway's rows in its PostgreSQL database, within one session.

    Each method does what `GatewayRepository` says of it.
    """

    def __init__(self, session: Session) -> None:
        self.session = session

    def _store(self, row: Base) -> None:
        # Flushed now, so a unique constraint answers here, inside the use case.
        self.session.add(row)
        try:
            self.session.flush()
        except IntegrityError as exc:
            raise DuplicateError(str(exc.orig)) from exc

    def add_chain(self, chain: Chain) -> None:
        self._store(chain)

    def chain(self, chain_id: uuid.UUID) -> Chain | None:
        return self.session.get(Chain, chain_id)

    def chain_by_name(self, name: str) -> Chain | None:
        return self.session.scalars(select(Chain).where(Chain.name == name)).one_or_none()

    def all_chains(self) -> list[Chain]:
        return list(self.session.scalars(select(Chain).order_by(Chain.name)))

    def add_gym(self, gym: Gym) -> None:
        self._store(gym)

    def gym(self, gym_id: uuid.UUID) -> Gym | None:
        return self.session.get(Gym, gym_id)

    def gym_in_chain(self, chain_id: uuid.UUID, gym_id: uuid.UUID) -> Gym | None:
        return self.session.scalars(
            select(Gym).where(Gym.id == gym_id, Gym.chain_id == chain_id)
        ).one_or_none()

    def gyms_in_chain(self, chain_id: uuid.UUID, gym_ids: Collection[uuid.UUID]) -> list[Gym]:
        if not gym_ids:
            return []
        return list(
            self.session.scalars(
                select(Gym).where(Gym.chain_id == chain_id, Gym.id.in_(list(gym_ids)))
            )
        )

    def gym_by_name(self, chain_id: uuid.UUID, name: str) -> Gym | None:
        return self.session.scalars(
            select(Gym).where(Gym.chain_id == chain_id, Gym.name == name)
        ).one_or_none()

    def gyms_of_chain(self, chain_id: uuid.UUID) -> list[Gym]:
        return list(
            self.session.scalars(select(Gym).where(Gym.chain_id == chain_id).order_by(Gym.name))
        )

    def all_gyms(self) -> list[Gym]:
        return list(self.session.scalars(select(Gym).order_by(Gym.chain_id, Gym.name)))

    def gym_with_inventory(self, gym_id: uuid.UUID) -> tuple[Gym, GymInventory | None] | None:
        row = self.session.execute(_GYM_WITH_INVENTORY, {"gym_id": gym_id}).first()
        return (row[0], row[1]) if row else None

    def gym_inventory(self, gym_id: uuid.UUID, *, for_update: bool = False) -> GymInventory | None:
        return self.session.get(GymInventory, gym_id, with_for_update=for_update)

    def gym_inventories(self) -> dict[uuid.UUID, GymInventory]:
        return {row.gym_id: row for row in self.session.scalars(select(GymInventory))}

    def add_gym_inventory(self, inventory: GymInventory) -> None:
        self._store(inventory)

    def add_kiosk(self, kiosk: Kiosk) -> None:
        self._store(kiosk)

    def kiosk(self, kiosk_id: uuid.UUID) -> Kiosk | None:
        return self.session.get(Kiosk, kiosk_id)

    def kiosk_by_token_hash(self, token_hash: str) -> Kiosk | None:
        return self.session.scalars(
            select(Kiosk).where(Kiosk.token_hash == token_hash, Kiosk.revoked_at.is_(None))
        ).one_or_none()

    def kiosk_by_name(self, gym_id: uuid.UUID, name: str) -> Kiosk | None:
        return self.session.scalars(
            select(Kiosk).where(Kiosk.gym_id == gym_id, Kiosk.name == name)
        ).one_or_none()

    def member_at_kiosk(
        self, chain_id: uuid.UUID, member_id: uuid.UUID, kiosk_id: uuid.UUID
    ) -> MemberPrincipal | None:
        row = self.session.execute(
            _MEMBER_AT_KIOSK, {"member_id": member_id, "chain_id": chain_id, "kiosk_id": kiosk_id}
        ).one_or_none()
        if row is None:
            return None
        kiosk = KioskPrincipal(
            kiosk_id=kiosk_id, chain_id=chain_id, gym_id=row.gym_id, timezone=row.timezone
        )
        return MemberPrincipal(member_id=member_id, name=row.name, unit=Unit(row.unit), kiosk=kiosk)

    def add_trainer(self, trainer: Trainer) -> None:
        self._store(trainer)

    def trainer(self, trainer_id: uuid.UUID) -> Trainer | None:
        return self.session.get(Trainer, trainer_id)

    def trainer_by_email(self, email: str) -> Trainer | None:
        return self.session.scalars(
            select(Trainer).where(func.lower(Trainer.email) == email.lower())
        ).one_or_none()

    def trainers_of_chain(self, chain_id: uuid.UUID) -> list[Trainer]:
        return list(
            self.session.scalars(
                select(Trainer)
                .where(Trainer.chain_id == chain_id)
                .order_by(Trainer.name, Trainer.email)
            )
        )

    def trainer_gym_ids(
        self, trainer_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, set[uuid.UUID]]:
        if not trainer_ids:
            return {}
        rows = self.session.execute(
            select(TrainerGym.trainer_id, TrainerGym.gym_id).where(
                TrainerGym.trainer_id.in_(list(trainer_ids))
            )
        )
        gyms: dict[uuid.UUID, set[uuid.UUID]] = {}
        for trainer_id, gym_id in rows:
            gyms.setdefault(trainer_id, set()).add(gym_id)
        return gyms

    def set_trainer_gyms(self, trainer_id: uuid.UUID, gym_ids: Collection[uuid.UUID]) -> None:
        self.session.execute(delete(TrainerGym).where(TrainerGym.trainer_id == trainer_id))
        for gym_id in gym_ids:
            self.session.add(TrainerGym(trainer_id=trainer_id, gym_id=gym_id))
        self.session.flush()

    def add_refresh_token(self, token: RefreshToken) -> None:
        self._store(token)

    def refresh_token_by_hash(self, token_hash: str) -> RefreshToken | None:
        return self.session.scalars(
            select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
        ).one_or_none()

    def end_refresh_tokens(self, trainer_id: uuid.UUID, at: datetime) -> None:
        self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.trainer_id == trainer_id, RefreshToken.used_at.is_(None))
            .values(used_at=at)
        )

    def kiosks_of_chain(self, chain_id: uuid.UUID) -> list[Kiosk]:
        return list(
            self.session.scalars(
                select(Kiosk).where(Kiosk.chain_id == chain_id).order_by(Kiosk.gym_id, Kiosk.name)
            )
        )

    def record_visit(self, member_id: uuid.UUID, gym_id: uuid.UUID, at: datetime) -> None:
        statement = insert(MemberVisit).values(member_id=member_id, gym_id=gym_id, last_seen_at=at)
        self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[MemberVisit.member_id, MemberVisit.gym_id],
                set_={"last_seen_at": func.greatest(MemberVisit.last_seen_at, at)},
            )
        )

    def members_seen_at(
        self,
        gym_ids: Collection[uuid.UUID],
        since: datetime,
        member_ids: Collection[uuid.UUID] | None = None,
    ) -> set[uuid.UUID]:
        if not gym_ids:
            return set()
        query = select(MemberVisit.member_id).where(
            MemberVisit.gym_id.in_(list(gym_ids)), MemberVisit.last_seen_at >= since
        )
        if member_ids is not None:
            query = query.where(MemberVisit.member_id.in_(list(member_ids)))
        return set(self.session.scalars(query))

    def insert_members(self, members: list[Member]) -> set[uuid.UUID]:
        if not members:
            return set()
        columns: tuple[str, ...] = ("id", "chain_id", "home_gym_id", "name", "badge", "pin_hash")
        columns += ("unit", "active", "external_id")
        statement = (
            insert(Member)
            .values([{c: getattr(m, c) for c in columns} for m in members])
            .on_conflict_do_nothing()
            .returning(Member.id)
        )
        return set(self.session.scalars(statement))

    def update_members(self, changes: list[dict[str, Any]]) -> None:
        if changes:
            self.session.execute(update(Member), changes)

    def member_by_external_id(self, chain_id: uuid.UUID, external_id: str) -> Member | None:
        return self.session.scalars(
            select(Member).where(Member.chain_id == chain_id, Member.external_id == external_id)
        ).one_or_none()

    def add_member(self, member: Member) -> None:
        self._store(member)

    def member_by_badge(
        self, chain_id: uuid.UUID, badge: str, *, for_update: bool = False, for_share: bool = False
    ) -> Member | None:
        """The chain's member with that badge; locked until the transaction ends if asked.

        A PIN check locks it before the badge's runs of wrong PINs, as a PIN reset does, so
        the two take turns and never wait for each other's locks.
        """
        query = select(Member).where(Member.chain_id == chain_id, Member.badge == badge)
        if for_update or for_share:
            query = query.with_for_update(read=not for_update)
        return self.session.scalars(query).one_or_none()

    def member_in_chain(self, chain_id: uuid.UUID, member_id: uuid.UUID) -> Member | None:
        return self.session.scalars(
            select(Member).where(Member.id == member_id, Member.chain_id == chain_id)
        ).one_or_none()

    def pin_failure_runs(
        self, chain_id: uuid.UUID, kiosk_id: uuid.UUID, badge_digest: str, *, at: datetime
    ) -> dict[Scope, PinFailureRun]:
        """Two statements: the runs' advisory locks, then an upsert whose update changes
        nothing but takes the row locks (which PIN resets and the purge take too)."""
        places = _run_places(chain_id, kiosk_id, badge_digest)
        self.session.execute(_LOCK_RUNS, {"keys": _run_lock_keys(places)})
        # In the order every writer locks runs (scope, place, badge), so none deadlocks.
        rows = [
            {
                "scope": scope.value,
                "place_id": place_id,
                "badge_digest": digest,
                "chain_id": chain_id,
                "failures": 0,
                "forgotten_at": at,
            }
            for scope, (place_id, digest) in sorted(places.items())
        ]
        statement = (
            insert(PinFailureRun)
            .values(rows)
            .on_conflict_do_update(
                index_elements=_RUN_KEY, set_={"failures": PinFailureRun.failures}
            )
            .returning(PinFailureRun)
        )
        runs = self.session.scalars(statement, execution_options={"populate_existing": True})
        return {Scope(run.scope): run for run in runs}

    def read_pin_failure_runs(
        self, chain_id: uuid.UUID, kiosk_id: uuid.UUID, badge_digest: str, *, hold: bool = False
    ) -> dict[Scope, FailureRun]:
        """One statement, two with `hold`: the runs' advisory locks shared, then the read
        (a statement of its own, so that it sees what the count it waited for committed)."""
        if hold:
            places = _run_places(chain_id, kiosk_id, badge_digest)
            self.session.execute(_SHARE_RUNS, {"keys": _run_lock_keys(places)})
        rows = self.session.execute(
            _RUNS_OF_ATTEMPT,
            {"chain_id": chain_id, "kiosk_id": kiosk_id, "badge_digest": badge_digest},
        )
        return {
            Scope(scope): FailureRun(failures, forgiving_since, blocked_until)
            for scope, failures, forgiving_since, blocked_until in rows
        }

    def forget_pin_failures(self, chain_id: uuid.UUID, badge_digests: Collection[str]) -> None:
        if not badge_digests:
            return
        key = _run_key()
        runs = (
            select(*key)
            .where(
                PinFailureRun.chain_id == chain_id,
                PinFailureRun.badge_digest.in_(list(badge_digests)),
            )
            .order_by(*key)
            .with_for_update()
        )
        self.session.execute(
            delete(PinFailureRun).where(tuple_(*key).in_(runs)),
            execution_options={"synchronize_session": False},
        )

    def purge_pin_failure_runs(self, now: datetime, *, limit: int) -> int:
        key = _run_key()
        forgotten = (
            select(*key)
            .where(PinFailureRun.forgotten_at < now)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        purged = self.session.execute(
            delete(PinFailureRun).where(tuple_(*key).in_(forgotten)),
            execution_options={"synchronize_session": False},
        )
        return int(purged.rowcount)  # type: ignore[attr-defined]

    def members_of_chain(self, chain_id: uuid.UUID) -> list[Member]:
        return list(
            self.session.scalars(
                select(Member).where(Member.chain_id == chain_id).order_by(Member.name, Member.id)
            )
        )

    def home_members(self, chain_id: uuid.UUID, gym_id: uuid.UUID) -> dict[uuid.UUID, str]:
        rows = self.session.execute(
            select(Member.id, Member.name).where(
                Member.chain_id == chain_id, Member.home_gym_id == gym_id
            )
        )
        return {member_id: name for member_id, name in rows}

    def members_by_ids(
        self, chain_id: uuid.UUID, member_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, Member]:
        if not member_ids:
            return {}
        rows = self.session.scalars(
            select(Member).where(Member.chain_id == chain_id, Member.id.in_(list(member_ids)))
        )
        return {m.id: m for m in rows}

    def last_targets(self, member_id: uuid.UUID, exercises: list[str]) -> dict[str, KnownTarget]:
        if not exercises:
            return {}
        rows = self.session.execute(_LAST_TARGETS, {"member_id": member_id, "exercises": exercises})
        return {row.exercise: KnownTarget(row.load_kg, row.reps, row.sets) for row in rows}

    def save_last_targets(
        self, member_id: uuid.UUID, targets: Mapping[str, KnownTarget], *, as_of: datetime
    ) -> None:
        if not targets:
            return
        # One statement built once, run for each exercise in one batch (psycopg pipelines
        # it); in the exercises' order, so concurrent reads lock the rows in the same order.
        self.session.execute(
            _SAVE_LAST_TARGET,
            [
                {
                    "member_id": member_id,
                    "exercise": exercise,
                    "load_kg": t.load_kg,
                    "reps": t.reps,
                    "sets": t.sets,
                    "updated_at": as_of,
                }
                for exercise, t in sorted(targets.items())
            ],
        )

    def add_member_news(self, news: MemberNews) -> None:
        self.session.add(news)

    def recent_member_news(self, member_id: uuid.UUID, since: datetime) -> list[MemberNews]:
        return list(self.session.scalars(_RECENT_NEWS, {"member_id": member_id, "since": since}))

    def member_visits(self, member_id: uuid.UUID) -> list[MemberVisit]:
        return list(
            self.session.scalars(
                select(MemberVisit)
                .where(MemberVisit.member_id == member_id)
                .order_by(MemberVisit.gym_id)
            )
        )

    def hold_member(self, member_id: uuid.UUID) -> bool:
        held = self.session.execute(_HOLD_MEMBER, {"member_id": member_id}).first()
        return held is not None

    def erase_member(self, member_id: uuid.UUID) -> int:
        """Six statements: the lock, then the rows that name the member, the member last."""
        self.session.execute(select(Member.id).where(Member.id == member_id).with_for_update())
        deleted = 0
        for statement in (
            delete(MemberVisit).where(MemberVisit.member_id == member_id),
            delete(LastTarget).where(LastTarget.member_id == member_id),
            delete(MemberNews).where(MemberNews.member_id == member_id),
            delete(WebhookDelivery).where(WebhookDelivery.member_id == member_id),
            delete(Member).where(Member.id == member_id),
        ):
            deleted += int(self.session.execute(statement).rowcount)  # type: ignore[attr-defined]
        return deleted

    def add_webhook(self, webhook: Webhook) -> None:
        self._store(webhook)

    def webhooks_of_chain(self, chain_id: uuid.UUID) -> list[Webhook]:
        return list(
            self.session.scalars(
                select(Webhook)
                .where(Webhook.chain_id == chain_id)
                .order_by(Webhook.created_at, Webhook.id)
            )
        )

    def webhook_in_chain(self, chain_id: uuid.UUID, webhook_id: uuid.UUID) -> Webhook | None:
        return self.session.scalar(
            select(Webhook).where(Webhook.id == webhook_id, Webhook.chain_id == chain_id)
        )

    def delete_webhook(self, webhook_id: uuid.UUID) -> None:
        self.session.execute(delete(Webhook).where(Webhook.id == webhook_id))

    def add_webhook_deliveries(self, deliveries: list[WebhookDelivery]) -> None:
        if not deliveries:
            return
        rows = [
            {c.key: getattr(d, c.key) for c in WebhookDelivery.__table__.columns}
            for d in deliveries
        ]
        self.session.execute(
            insert(WebhookDelivery)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["webhook_id", "event_id"])
        )

    def webhook_deliveries(
        self, webhook_id: uuid.UUID, *, state: str | None, limit: int
    ) -> list[WebhookDelivery]:
        query = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
        if state is not None:
            query = query.where(WebhookDelivery.state == state)
        query = query.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id).limit(limit)
        return list(self.session.scalars(query))

    def webhook_attempts(
        self, delivery_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, list[WebhookAttempt]]:
        found: dict[uuid.UUID, list[WebhookAttempt]] = {d: [] for d in delivery_ids}
        if delivery_ids:
            for attempt in self.session.scalars(
                select(WebhookAttempt)
                .where(WebhookAttempt.delivery_id.in_(list(delivery_ids)))
                .order_by(WebhookAttempt.id)
            ):
                found[attempt.delivery_id].append(attempt)
        return found

    def claim_webhook_deliveries(
        self, now: datetime, lease_until: datetime, limit: int
    ) -> list[DueDelivery]:
        due = (
            select(WebhookDelivery.id)
            .where(WebhookDelivery.state == "pending", WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        claimed = self.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(due))
            .values(next_attempt_at=lease_until)
            .returning(
                WebhookDelivery.id,
                WebhookDelivery.webhook_id,
                WebhookDelivery.event_type,
                WebhookDelivery.body,
            )
        ).all()
        hooks = {
            hook.id: hook
            for hook in self.session.scalars(
                select(Webhook).where(Webhook.id.in_({row.webhook_id for row in claimed}))
            )
        }
        return [
            DueDelivery(
                id=row.id,
                url=hooks[row.webhook_id].url,
                secret=hooks[row.webhook_id].secret,
                event_type=row.event_type,
                body=row.body,
            )
            for row in claimed
        ]

    def webhook_delivery(self, delivery_id: uuid.UUID) -> WebhookDelivery | None:
        return self.session.scalar(
            select(WebhookDelivery).where(WebhookDelivery.id == delivery_id).with_for_update()
        )

    def add_webhook_attempt(self, attempt: WebhookAttempt) -> None:
        self.session.add(attempt)

    def retry_failed_deliveries(
        self, webhook_id: uuid.UUID, delivery_ids: Collection[uuid.UUID] | None, now: datetime
    ) -> int:
        statement = update(WebhookDelivery).where(
            WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.state == "failed"
        )
        if delivery_ids is not None:
            statement = statement.where(WebhookDelivery.id.in_(list(delivery_ids)))
        result = self.session.execute(
            statement.values(state="pending", attempts=0, next_attempt_at=now)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
