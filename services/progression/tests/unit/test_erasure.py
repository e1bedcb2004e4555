"""Erasing a member (`MemberErased`) against the repository in memory: every row and event
that names them goes, once; an event of theirs that arrives after is dropped."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from myokine.events import MemberErased, SessionFinished
from myokine.memory_unit_of_work import MemoryUnitOfWork
from progression_service import handlers

from ..conftest import MemberScript, planned
from .fakes import FakeProgressionRepository
from .test_handlers import FULL, MON, Uow, deliver, fake, weeks_on_protocol


@pytest.fixture
def uow() -> Uow:
    """A unit of work over an empty fake repository."""
    return MemoryUnitOfWork(FakeProgressionRepository())


@pytest.fixture
def member() -> MemberScript:
    """A member of a fresh chain (no database)."""
    return MemberScript(uuid.uuid4())


def names(repo: FakeProgressionRepository, member_id: uuid.UUID) -> list[str]:
    """The fake's tables whose rows name the member (all but the digests of the erased)."""
    return [
        table
        for table, rows in vars(repo).items()
        if table != "erased_members" and str(member_id) in repr(rows)
    ]


def trained(uow: Uow, script: MemberScript) -> None:
    """A program, four weeks on protocol with records, targets and milestones."""
    deliver(uow, script.assign(*(planned(ex, "squat", "barbell", "2.5") for ex in FULL[:1])))
    weeks_on_protocol(uow, script, 4)


def erased(script: MemberScript) -> MemberErased:
    return MemberErased(chain_id=script.chain_id, member_id=script.member_id)


def test_erasing_deletes_every_row_and_event_of_the_member_and_no_other(
    uow: Uow, member: MemberScript
) -> None:
    other = MemberScript(member.chain_id)
    trained(uow, member)
    trained(uow, other)
    repo = fake(uow)
    assert len(names(repo, member.member_id)) >= 8
    kept = names(repo, other.member_id)

    handlers.on_member_erased(uow, erased(member))

    assert names(repo, member.member_id) == []
    assert names(repo, other.member_id) == kept
    assert all(str(member.member_id) not in e.model_dump_json() for e in uow.outbox)
    assert any(str(other.member_id) in e.model_dump_json() for e in uow.outbox)
    assert repo.erased_members == {member.member_id}


def test_an_erasure_delivered_twice_is_applied_once(uow: Uow, member: MemberScript) -> None:
    trained(uow, member)
    event = erased(member)
    handlers.on_member_erased(uow, event)
    commits = uow.commits
    fake(uow).erased_members.clear()
    handlers.on_member_erased(uow, event)
    assert (uow.commits, fake(uow).erased_members) == (commits, set())


def test_events_of_the_member_that_arrive_after_the_erasure_are_dropped(
    uow: Uow, member: MemberScript
) -> None:
    trained(uow, member)
    handlers.on_member_erased(uow, erased(member))
    commits, outbox = uow.commits, list(uow.outbox)

    day = MON + timedelta(weeks=4)
    late = [
        *member.workout(day, *[(ex, "80", 10) for ex in FULL]),
        member.assign(planned(FULL[1], "hinge", "barbell", "2.5")),
    ]
    # A fresh script numbers from 1: the first events of a stream are dropped too.
    again = MemberScript(member.chain_id)
    again.member_id = member.member_id
    late += again.workout(day, (FULL[0], "80", 10))
    deliver(uow, *late)

    assert names(fake(uow), member.member_id) == []
    assert (uow.commits, uow.outbox) == (commits, outbox)
    assert any(isinstance(e, SessionFinished) for e in late)


class RecordingRepository(FakeProgressionRepository):
    """The fake, noting the calls an erasure makes."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str]] = []

    def last_seq(self, member_id: uuid.UUID, producer: str) -> int:
        self.calls.append(("last_seq", producer))
        return super().last_seq(member_id, producer)

    def erase_member(self, member_id: uuid.UUID) -> int:
        self.calls.append(("erase_member", ""))
        return super().erase_member(member_id)


def test_the_erasure_locks_both_of_the_members_streams_first(member: MemberScript) -> None:
    repo = RecordingRepository()
    handlers.on_member_erased(MemoryUnitOfWork(repo), erased(member))
    assert repo.calls == [
        ("last_seq", "logging"),
        ("last_seq", "program"),
        ("erase_member", ""),
    ]
