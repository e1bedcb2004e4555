"""Erasing a member (`MemberErased`) on the in-memory unit of work: every row and message
that names them goes, once; a write that comes after stores nothing."""

from __future__ import annotations

import uuid

import pytest

from logging_service import handlers, queries
from logging_service.domain.changes import Correction
from myokine.events import MemberErased, MemberEvent
from myokine.problems import NotFound

from .conftest import NOW, Member, Uow, key, log, set_id_of
from .fakes import FakeLoggingRepository


def history(uow: Uow, member: Member) -> None:
    """Two sets, one corrected and one voided (an audit entry each), the session finished;
    each write under an Idempotency-Key."""
    first = set_id_of(log(uow, member, request=key(f"{member.member_id}-1")))
    second = set_id_of(log(uow, member, request=key(f"{member.member_id}-2")))
    caller = member.caller()
    handlers.correct_set(
        uow, caller, member.member_id, first, Correction(reps=9), "typo", None, now=NOW
    )
    handlers.void_set(uow, caller, member.member_id, second, "twice", None, now=NOW)
    handlers.finish_session(uow, caller, member.member_id, None, now=NOW)


def erased(member: Member) -> MemberErased:
    return MemberErased(chain_id=member.chain_id, member_id=member.member_id)


@pytest.fixture
def other(member: Member) -> Member:
    """Another member of the chain, at the same kiosk."""
    return Member(member.chain_id, uuid.uuid4(), member.gym_id, member.kiosk_id)


def test_erasing_deletes_every_row_event_and_answer_of_the_member_and_no_other(
    uow: Uow, repo: FakeLoggingRepository, member: Member, other: Member
) -> None:
    history(uow, member)
    history(uow, other)

    handlers.on_member_erased(uow, erased(member))

    everything = [*repo.sets.values(), *repo.sessions.values(), *repo.changes]
    assert {row.member_id for row in everything} == {other.member_id}
    assert set(repo.seqs) == {other.member_id}
    assert {e.member_id for e in uow.outbox if isinstance(e, MemberEvent)} == {other.member_id}
    assert {scope for scope, _ in uow.replies} == {f"{other.chain_id}:{other.member_id}"}
    assert repo.erased_members == {member.member_id}
    assert repo.calls[-2:] == ["lock_member", "erase_member"]


def test_an_erasure_delivered_twice_is_applied_once(
    uow: Uow, repo: FakeLoggingRepository, member: Member
) -> None:
    history(uow, member)
    event = erased(member)
    handlers.on_member_erased(uow, event)
    commits = uow.commits
    repo.calls.clear()

    handlers.on_member_erased(uow, event)

    assert (uow.commits, repo.calls) == (commits, [])


def test_a_write_after_the_erasure_stores_nothing_even_with_a_key_used_before(
    uow: Uow, repo: FakeLoggingRepository, member: Member
) -> None:
    log(uow, member, request=key("k"))
    handlers.on_member_erased(uow, erased(member))
    commits = uow.commits

    with pytest.raises(NotFound):
        log(uow, member, request=key("k"))
    with pytest.raises(NotFound):
        handlers.open_session(uow, member.caller(), member.member_id, None, None, now=NOW)

    assert (uow.commits, repo.sets, repo.sessions, uow.replies) == (commits, {}, {}, {})


def test_a_write_asks_whether_the_member_was_erased_under_their_lock(
    uow: Uow, repo: FakeLoggingRepository, member: Member
) -> None:
    log(uow, member)
    assert repo.calls[:2] == ["lock_member", "member_state"]


def test_the_export_holds_each_sets_audit_trail(uow: Uow, member: Member) -> None:
    history(uow, member)
    export = queries.export(uow, member.caller("trainer"), member.member_id, now=NOW)
    trails = [[(c.action, c.reason) for c in s.changes] for s in export.sets]
    assert trails == [[("corrected", "typo")], [("voided", "twice")]]
    assert export.sets[0].changes[0].before["reps"] == 8
    assert export.sets[0].changes[0].after["reps"] == 9
