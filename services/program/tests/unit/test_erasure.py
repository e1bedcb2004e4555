"""Erasing a member (`MemberErased`) on the in-memory unit of work: their assignments, their
events and the stored answers that name them go, once; a later write stores nothing."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from myokine.events import MemberErased, MemberEvent, SessionFinished
from myokine.problems import NotFound
from program_service import handlers, queries

from .conftest import NOW, Uow, assign, caller, key, ready_made
from .fakes import FakeProgramRepository


def assigned_twice(uow: Uow, chain_id: uuid.UUID, member_id: uuid.UUID) -> None:
    """Two assignments (the first ended by the second), each under a key."""
    for sessions in (2, 3):
        program = ready_made(uow, chain_id, sessions)
        assign(uow, chain_id, member_id, program, request=key(f"{member_id}-{sessions}"))


def test_erasing_deletes_the_members_assignments_events_and_answers_only(
    uow: Uow, repo: FakeProgramRepository, chain_id: uuid.UUID
) -> None:
    member, other = uuid.uuid4(), uuid.uuid4()
    assigned_twice(uow, chain_id, member)
    assigned_twice(uow, chain_id, other)

    handlers.on_member_erased(uow, MemberErased(chain_id=chain_id, member_id=member))

    assert {a.member_id for a in repo.assignments} == {other}
    assert set(repo.member_seqs) == {other}
    assert {e.member_id for e in uow.outbox if isinstance(e, MemberEvent)} == {other}
    assert all(str(member) not in answer.body for _, answer in uow.replies.values() if answer)
    assert len(uow.replies) == 2, "the other member's answers stay"
    assert repo.erased_members == {member}
    assert queries.assignment_history(uow, caller(chain_id), member) == []


def test_an_erasure_delivered_twice_is_applied_once(
    uow: Uow, repo: FakeProgramRepository, chain_id: uuid.UUID
) -> None:
    event = MemberErased(chain_id=chain_id, member_id=uuid.uuid4())
    handlers.on_member_erased(uow, event)
    commits = uow.commits
    repo.erased_members.clear()
    handlers.on_member_erased(uow, event)
    assert (uow.commits, repo.erased_members) == (commits, set())


def test_a_write_after_the_erasure_stores_nothing(
    uow: Uow, repo: FakeProgramRepository, chain_id: uuid.UUID
) -> None:
    member = uuid.uuid4()
    program = ready_made(uow, chain_id, 3)
    assign(uow, chain_id, member, program, request=key("k"))
    handlers.on_member_erased(uow, MemberErased(chain_id=chain_id, member_id=member))
    commits = uow.commits

    with pytest.raises(NotFound):
        assign(uow, chain_id, member, program, request=key("k"))
    with pytest.raises(NotFound):
        handlers.end_assignment(uow, caller(chain_id), member, now=NOW)

    assert (uow.commits, repo.assignments) == (commits, [])


def test_a_finished_session_that_arrives_after_the_erasure_moves_nothing(
    uow: Uow, repo: FakeProgramRepository, chain_id: uuid.UUID
) -> None:
    member = uuid.uuid4()
    assign(uow, chain_id, member, ready_made(uow, chain_id, 3))
    handlers.on_member_erased(uow, MemberErased(chain_id=chain_id, member_id=member))

    late = SessionFinished(
        chain_id=chain_id,
        member_id=member,
        seq=1,
        session_id=uuid.uuid4(),
        gym_id=uuid.uuid4(),
        local_date=date(2026, 12, 2),
        program_day="A",
        set_count=3,
    )
    handlers.on_session_finished(uow, late)

    assert (repo.assignments, repo.member_seqs) == ([], {})
