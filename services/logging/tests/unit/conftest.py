"""Fixtures of the handler and query tests: a member, the fake repository, its unit of work."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from logging_service import handlers
from logging_service.domain.sets import SetEntry
from logging_service.repository import LoggingRepository
from myokine.idempotency import IdempotentRequest
from myokine.internal_auth import Caller, Role
from myokine.memory_unit_of_work import MemoryUnitOfWork
from myokine.unit_of_work import Reply

from .fakes import FakeLoggingRepository

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
GYM_TZ = "Europe/Berlin"
BENCH = SetEntry(exercise="bench-press", load=Decimal(100), unit="kg", reps=8)


@dataclass(frozen=True)
class Member:
    """A member of a chain, at a gym, at a kiosk."""

    chain_id: uuid.UUID
    member_id: uuid.UUID
    gym_id: uuid.UUID
    kiosk_id: uuid.UUID

    def caller(
        self, role: Role = "member", *, gym: uuid.UUID | None = None, tz: str | None = GYM_TZ
    ) -> Caller:
        return Caller(
            sub=str(self.member_id) if role == "member" else str(uuid.uuid4()),
            role=role,
            chain_id=self.chain_id,
            gym_id=gym or self.gym_id,
            gym_timezone=tz,
            kiosk_id=self.kiosk_id if role == "member" else None,
        )


@pytest.fixture
def member() -> Member:
    """A fresh member (this folder's own, with no HTTP paths)."""
    return Member(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4())


@pytest.fixture
def repo() -> FakeLoggingRepository:
    """The logging repository in memory."""
    return FakeLoggingRepository()


@pytest.fixture
def uow(repo: FakeLoggingRepository) -> MemoryUnitOfWork[LoggingRepository]:
    """The in-memory unit of work over `repo`."""
    return MemoryUnitOfWork(repo)


Uow = MemoryUnitOfWork[LoggingRepository]


def key(name: str, body: str = "the body") -> IdempotentRequest:
    return IdempotentRequest(name, f"fingerprint of {body}")


def log(
    uow: Uow,
    member: Member,
    entry: SetEntry = BENCH,
    *,
    request: IdempotentRequest | None = None,
    caller: Caller | None = None,
    now: datetime = NOW,
) -> Reply:
    return handlers.log_set(
        uow, caller or member.caller(), member.member_id, entry, request, now=now
    )


def body(reply: Reply) -> dict[str, object]:
    out: dict[str, object] = json.loads(reply.body)
    return out


def set_id_of(reply: Reply) -> uuid.UUID:
    return uuid.UUID(str(body(reply)["id"]))
