"""Fixtures of the handler and query tests: callers, the fake repository, its unit of work."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from myokine.idempotency import IdempotentRequest
from myokine.internal_auth import Caller, Role
from myokine.memory_unit_of_work import MemoryUnitOfWork
from program_service import handlers, queries
from program_service.repository import ProgramRepository
from program_service.schemas import AssignmentIn, AssignmentOut, DayIn, ProgramIn, SlotIn

from .fakes import FakeProgramRepository

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

Uow = MemoryUnitOfWork[ProgramRepository]


@pytest.fixture
def chain_id() -> uuid.UUID:
    """A fresh chain."""
    return uuid.uuid4()


@pytest.fixture
def repo() -> FakeProgramRepository:
    """The program repository in memory."""
    return FakeProgramRepository()


@pytest.fixture
def uow(repo: FakeProgramRepository) -> Uow:
    """The in-memory unit of work over `repo`."""
    return MemoryUnitOfWork[ProgramRepository](repo)


def caller(chain_id: uuid.UUID, role: Role = "trainer", sub: str = "trainer-1") -> Caller:
    """A caller of the chain (a trainer unless told)."""
    return Caller(sub=sub, role=role, chain_id=chain_id)


def key(name: str, body: str = "the body") -> IdempotentRequest:
    """An Idempotency-Key sent with a request whose fingerprint is that of `body`."""
    return IdempotentRequest(name, f"fingerprint of {body}")


def draft(*days: tuple[str, list[str]], sessions: int = 3, reason: str | None = None) -> ProgramIn:
    """A program of `days` (name, exercise slugs), 3 a week unless told."""
    return ProgramIn(
        name="Full body",
        sessions_per_week=sessions,
        days=[
            DayIn(name=name, exercises=[SlotIn(exercise=slug) for slug in slugs])
            for name, slugs in days
        ],
        exception_reason=reason,
    )


def conforming() -> ProgramIn:
    """docs/protocol.md's example: A = squat, push, pull; B = hinge, squat, push, pull."""
    return draft(
        ("A", ["barbell-back-squat", "bench-press", "barbell-row"]),
        ("B", ["deadlift", "goblet-squat", "overhead-press", "pull-up"]),
    )


def squat_only() -> ProgramIn:
    """A program that trains nothing but squats: it breaks the protocol."""
    return draft(("A", ["barbell-back-squat"]), sessions=1)


def ready_made(uow: Uow, chain_id: uuid.UUID, sessions: int) -> uuid.UUID:
    """The id of the chain's ready-made program for `sessions` a week."""
    programs = queries.list_programs(uow, caller(chain_id))
    return next(p.id for p in programs if p.ready_made and p.sessions_per_week == sessions)


def assign(
    uow: Uow,
    chain_id: uuid.UUID,
    member_id: uuid.UUID,
    program_id: uuid.UUID,
    *,
    request: IdempotentRequest | None = None,
    now: datetime = NOW,
    **extra: object,
) -> AssignmentOut:
    """Assign a program to a member, from 1 December on Monday, Wednesday and Friday."""
    body = AssignmentIn.model_validate(
        {"program_id": program_id, "start_date": date(2026, 12, 1), "weekdays": [1, 3, 5]} | extra
    )
    return handlers.assign_program(uow, caller(chain_id), member_id, body, request, now=now)
