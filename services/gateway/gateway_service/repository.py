"""The gateway service's tables and queries, on its own database: identity and tenancy."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from myokine.messaging_tables import define_messaging_tables


class Base(DeclarativeBase):
    """The gateway service's tables (its outbox, inbox and dead letters are added by main)."""


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
    created_at: Mapped[datetime] = _created()


class Member(Base):
    """A member of a chain: trains at any of its gyms, identifies with badge and PIN."""

    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("chain_id", "badge"),
        CheckConstraint("unit IN ('kg', 'lb')", name="members_unit"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    chain_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("chains.id"), index=True)
    home_gym_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("gyms.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    badge: Mapped[str] = mapped_column(String(64))
    pin_hash: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(2))
    failed_pins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _created()


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


def chain_by_name(session: Session, name: str) -> Chain | None:
    """The chain of that name, if any."""
    return session.scalars(select(Chain).where(Chain.name == name)).one_or_none()


def gym_in_chain(session: Session, chain_id: uuid.UUID, gym_id: uuid.UUID) -> Gym | None:
    """The gym, only if it belongs to the chain."""
    return session.scalars(
        select(Gym).where(Gym.id == gym_id, Gym.chain_id == chain_id)
    ).one_or_none()


def gym_by_name(session: Session, chain_id: uuid.UUID, name: str) -> Gym | None:
    """The chain's gym of that name, if any."""
    return session.scalars(
        select(Gym).where(Gym.chain_id == chain_id, Gym.name == name)
    ).one_or_none()


def kiosk_by_token_hash(session: Session, token_hash: str) -> Kiosk | None:
    """The active kiosk holding the token of that hash."""
    return session.scalars(
        select(Kiosk).where(Kiosk.token_hash == token_hash, Kiosk.revoked_at.is_(None))
    ).one_or_none()


def kiosk_by_name(session: Session, gym_id: uuid.UUID, name: str) -> Kiosk | None:
    """The gym's kiosk of that name, if any."""
    return session.scalars(
        select(Kiosk).where(Kiosk.gym_id == gym_id, Kiosk.name == name)
    ).one_or_none()


def trainer_by_email(session: Session, email: str) -> Trainer | None:
    """The trainer signing in with that email (compared case-insensitively)."""
    return session.scalars(
        select(Trainer).where(func.lower(Trainer.email) == email.lower())
    ).one_or_none()


def member_by_badge(
    session: Session, chain_id: uuid.UUID, badge: str, *, for_update: bool = False
) -> Member | None:
    """The chain's member with that badge; locked for the PIN check when asked."""
    query = select(Member).where(Member.chain_id == chain_id, Member.badge == badge)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def member_in_chain(session: Session, chain_id: uuid.UUID, member_id: uuid.UUID) -> Member | None:
    """The member, only if it belongs to the chain."""
    return session.scalars(
        select(Member).where(Member.id == member_id, Member.chain_id == chain_id)
    ).one_or_none()


def members_of_chain(session: Session, chain_id: uuid.UUID) -> list[Member]:
    """The chain's members, by name."""
    return list(
        session.scalars(
            select(Member).where(Member.chain_id == chain_id).order_by(Member.name, Member.id)
        )
    )


def members_by_ids(
    session: Session, chain_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Member]:
    """The chain's members among `ids`, by id."""
    if not ids:
        return {}
    rows = session.scalars(select(Member).where(Member.chain_id == chain_id, Member.id.in_(ids)))
    return {m.id: m for m in rows}


def last_targets(
    session: Session, member_id: uuid.UUID, exercises: list[str]
) -> dict[str, LastTarget]:
    """The member's last known targets of these exercises, by slug."""
    if not exercises:
        return {}
    rows = session.scalars(
        select(LastTarget).where(
            LastTarget.member_id == member_id, LastTarget.exercise.in_(exercises)
        )
    )
    return {t.exercise: t for t in rows}


def save_last_target(
    session: Session,
    member_id: uuid.UUID,
    exercise: str,
    *,
    load_kg: Decimal | None,
    reps: int | None,
    sets: int | None,
    as_of: datetime,
) -> None:
    """Remember a member's target of an exercise as of a time; an older word never wins."""
    values = {"load_kg": load_kg, "reps": reps, "sets": sets, "updated_at": as_of}
    stmt = insert(LastTarget).values(member_id=member_id, exercise=exercise, **values)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["member_id", "exercise"],
            set_=values,
            where=LastTarget.updated_at <= stmt.excluded.updated_at,
        )
    )


def add_member_news(
    session: Session,
    news_id: uuid.UUID,
    member_id: uuid.UUID,
    kind: str,
    payload: dict[str, Any],
    occurred_at: datetime,
) -> None:
    """Keep one piece of news about a member."""
    session.add(
        MemberNews(
            id=news_id, member_id=member_id, kind=kind, payload=payload, occurred_at=occurred_at
        )
    )


def recent_member_news(session: Session, member_id: uuid.UUID, since: datetime) -> list[MemberNews]:
    """The member's news since a time, oldest first."""
    return list(
        session.scalars(
            select(MemberNews)
            .where(MemberNews.member_id == member_id, MemberNews.occurred_at >= since)
            .order_by(MemberNews.occurred_at)
        )
    )


TABLES = define_messaging_tables(Base.metadata)
"""The outbox, inbox, dead letters and Idempotency-Key replies of this service."""
