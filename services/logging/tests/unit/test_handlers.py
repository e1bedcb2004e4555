"""Every use case of the logging service on the in-memory unit of work: no database.

What the integration tests show on PostgreSQL, here in milliseconds: the events that
reach the outbox and their per-member numbers, the answer a retried Idempotency-Key
gets, and that a refused request commits nothing. (Logging consumes no events, so it
has no inbox to test.)
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from logging_service import handlers
from logging_service.domain.changes import Correction
from logging_service.domain.sets import SetEntry
from myokine.events import (
    ALL_CHAINS,
    CATALOG,
    CatchUpRequested,
    ExerciseAdded,
    ExerciseChanged,
    MemberEvent,
    SessionFinished,
    SetCorrected,
    SetLogged,
    SetVoided,
)
from myokine.idempotency import IdempotentRequest
from myokine.internal_auth import Caller
from myokine.problems import BadRequest, Conflict, Forbidden, InvalidInput, NotFound
from myokine.unit_of_work import Reply

from .conftest import BENCH, NOW, Member, Uow, body, key, log, set_id_of
from .fakes import FakeLoggingRepository


def seqs(uow: Uow) -> list[int]:
    return [e.seq for e in uow.outbox if isinstance(e, MemberEvent)]


def assert_nothing_committed(uow: Uow) -> None:
    assert (uow.commits, uow.outbox, uow.replies) == (0, [], {})


# --- log_set ---------------------------------------------------------------------------


def test_the_first_set_opens_the_session_and_emits_set_logged(
    uow: Uow, repo: FakeLoggingRepository, member: Member
) -> None:
    reply = log(uow, member, request=key("k"))
    assert reply.status == 201
    [event] = uow.outbox
    assert isinstance(event, SetLogged)
    assert (event.seq, event.member_id, event.chain_id) == (1, member.member_id, member.chain_id)
    [ws] = repo.sessions.values()
    assert (event.set.set_id, event.set.session_id) == (set_id_of(reply), ws.id)
    assert (ws.gym_id, ws.kiosk_id, str(ws.local_date)) == (
        member.gym_id,
        member.kiosk_id,
        "2026-12-01",
    )
    assert body(reply)["set_number"] == 1
    assert uow.commits == 1


def test_sets_of_one_session_are_numbered_per_exercise(
    uow: Uow, repo: FakeLoggingRepository, member: Member
) -> None:
    squat = SetEntry(exercise="barbell-back-squat", load=Decimal(120), unit="kg", reps=5)
    numbers = [body(log(uow, member, e))["set_number"] for e in (BENCH, squat, BENCH)]
    assert numbers == [1, 1, 2]
    assert len(repo.sessions) == 1
    assert seqs(uow) == [1, 2, 3]


def test_the_same_key_and_body_gets_the_first_answer_and_writes_once(
    uow: Uow, repo: FakeLoggingRepository, member: Member
) -> None:
    first = log(uow, member, request=key("k"))
    again = log(uow, member, request=key("k"))
    assert again == first
    assert len(repo.sets) == len(uow.outbox) == 1
    assert uow.commits == 1


def test_a_retry_does_not_take_the_members_lock(
    uow: Uow, repo: FakeLoggingRepository, member: Member
) -> None:
    log(uow, member, request=key("k"))
    # The lock comes after the claim, before any of the work.
    assert repo.calls[0] == "lock_member"
    repo.calls.clear()
    log(uow, member, request=key("k"))
    assert repo.calls == []


def test_the_same_key_with_another_body_is_a_conflict(
    uow: Uow, repo: FakeLoggingRepository, member: Member
) -> None:
    log(uow, member, request=key("k", "8 reps"))
    with pytest.raises(Conflict):
        log(uow, member, request=key("k", "9 reps"))
    assert len(repo.sets) == len(uow.outbox) == 1


def test_keys_belong_to_one_member_of_one_chain(uow: Uow, member: Member) -> None:
    other = Member(member.chain_id, uuid.uuid4(), member.gym_id, member.kiosk_id)
    trainer = member.caller("trainer")
    log(uow, member, request=key("shared"), caller=trainer)
    log(uow, other, request=key("shared"), caller=trainer)
    assert len(uow.outbox) == 2
    assert {scope for scope, _ in uow.replies} == {
        f"{member.chain_id}:{member.member_id}",
        f"{member.chain_id}:{other.member_id}",
    }


def test_an_invalid_set_commits_nothing_and_leaves_its_key_free(
    uow: Uow, repo: FakeLoggingRepository, member: Member
) -> None:
    typo = SetEntry(exercise="bench-press", load=Decimal(100), unit="kg", reps=500)
    with pytest.raises(InvalidInput) as refused:
        log(uow, member, typo, request=key("k", "500 reps"))
    assert [e["field"] for e in refused.value.errors or []] == ["reps"]
    assert_nothing_committed(uow)
    assert (repo.sets, repo.sessions) == ({}, {})
    # The kiosk fixed the typo and retried with the same key.
    fixed = SetEntry(exercise="bench-press", load=Decimal(100), unit="kg", reps=5)
    assert log(uow, member, fixed, request=key("k", "5 reps")).status == 201


def test_a_member_may_not_log_for_another_member(uow: Uow, member: Member) -> None:
    someone = Member(member.chain_id, uuid.uuid4(), member.gym_id, member.kiosk_id)
    with pytest.raises(Forbidden):
        log(uow, someone, caller=member.caller())
    assert_nothing_committed(uow)


@pytest.mark.parametrize("tz", [None, "Mars/Olympus"])
def test_a_set_needs_a_gym_with_a_known_time_zone(uow: Uow, member: Member, tz: str | None) -> None:
    with pytest.raises(BadRequest):
        log(uow, member, caller=member.caller(tz=tz))
    assert_nothing_committed(uow)


def test_a_set_after_3_idle_hours_finishes_the_session_and_opens_another(
    uow: Uow, repo: FakeLoggingRepository, member: Member
) -> None:
    early = NOW - timedelta(hours=3, minutes=30)
    first = log(uow, member, SetEntry("bench-press", Decimal(100), "kg", 8, performed_at=early))
    second = log(uow, member)
    assert body(first)["session_id"] != body(second)["session_id"]
    assert [type(e) for e in uow.outbox] == [SetLogged, SessionFinished, SetLogged]
    assert seqs(uow) == [1, 2, 3]
    finished = uow.outbox[1]
    assert isinstance(finished, SessionFinished)
    assert (finished.automatic, finished.set_count) == (True, 1)
    old = repo.sessions[uuid.UUID(str(body(first)["session_id"]))]
    assert old.finished_at == early


def test_a_set_at_another_gym_starts_another_session(
    uow: Uow, repo: FakeLoggingRepository, member: Member
) -> None:
    log(uow, member)
    log(uow, member, caller=member.caller(gym=uuid.uuid4()))
    assert len(repo.sessions) == 2
    assert [type(e) for e in uow.outbox] == [SetLogged, SessionFinished, SetLogged]


# --- open_session ----------------------------------------------------------------------


def open_session(
    uow: Uow,
    member: Member,
    program_day: str | None = None,
    request: IdempotentRequest | None = None,
) -> Reply:
    return handlers.open_session(
        uow, member.caller(), member.member_id, program_day, request, now=NOW
    )


def test_opening_a_session_answers_201_then_200_and_emits_nothing(
    uow: Uow, repo: FakeLoggingRepository, member: Member
) -> None:
    first = open_session(uow, member, "A")
    again = open_session(uow, member, "B")
    assert (first.status, again.status) == (201, 200)
    assert body(first)["id"] == body(again)["id"]
    assert (body(again)["program_day"], body(again)["set_count"]) == ("A", 0)
    assert uow.outbox == []
    assert len(repo.sessions) == 1


def test_a_set_keeps_the_session_it_finds_and_fills_in_its_program_day(
    uow: Uow, repo: FakeLoggingRepository, member: Member
) -> None:
    opened = open_session(uow, member)
    logged = log(uow, member, SetEntry("bench-press", Decimal(100), "kg", 8, program_day="Day 1"))
    assert body(logged)["session_id"] == body(opened)["id"]
    [ws] = repo.sessions.values()
    assert ws.program_day == "Day 1"


def test_opening_with_a_key_is_replayed(uow: Uow, member: Member) -> None:
    first = open_session(uow, member, request=key("o"))
    assert open_session(uow, member, request=key("o")) == first
    assert first.status == 201


# --- finish_session --------------------------------------------------------------------


def finish(uow: Uow, member: Member, request: IdempotentRequest | None = None) -> Reply:
    return handlers.finish_session(uow, member.caller(), member.member_id, request, now=NOW)


def test_finishing_counts_the_sets_that_count_and_emits_session_finished(
    uow: Uow, repo: FakeLoggingRepository, member: Member
) -> None:
    log(uow, member)
    void(uow, member, set_id_of(log(uow, member)))
    reply = finish(uow, member)
    assert (reply.status, body(reply)["sets"]) == (200, 1)
    finished = uow.outbox[-1]
    assert isinstance(finished, SessionFinished)
    assert (finished.automatic, finished.set_count, finished.seq) == (False, 1, 4)
    [ws] = repo.sessions.values()
    assert (ws.finished_at, ws.finished_automatically) == (NOW, False)


def test_finishing_without_an_open_session_is_not_found(uow: Uow, member: Member) -> None:
    with pytest.raises(NotFound):
        finish(uow, member, key("f"))
    assert_nothing_committed(uow)


def test_finishing_with_a_key_is_replayed(uow: Uow, member: Member) -> None:
    log(uow, member)
    first = finish(uow, member, key("f"))
    assert finish(uow, member, key("f")) == first
    assert len(uow.outbox) == 2


# --- correct_set -----------------------------------------------------------------------


def correct(
    uow: Uow,
    member: Member,
    set_id: uuid.UUID,
    correction: Correction,
    *,
    caller: Caller | None = None,
    now: datetime = NOW,
    request: IdempotentRequest | None = None,
) -> Reply:
    return handlers.correct_set(
        uow,
        caller or member.caller(),
        member.member_id,
        set_id,
        correction,
        "typo",
        request,
        now=now,
    )


def test_a_correction_changes_the_set_keeps_an_audit_entry_and_emits_set_corrected(
    uow: Uow, repo: FakeLoggingRepository, member: Member
) -> None:
    set_id = set_id_of(log(uow, member))
    reply = correct(uow, member, set_id, Correction(reps=10), now=NOW + timedelta(minutes=5))
    assert (reply.status, body(reply)["reps"]) == (200, 10)
    corrected = uow.outbox[-1]
    assert isinstance(corrected, SetCorrected)
    assert (corrected.seq, corrected.previous.reps, corrected.set.reps) == (2, 8, 10)
    [change] = repo.changes_of_set(set_id)
    assert (change.action, change.before["reps"], change.after["reps"], change.reason) == (
        "corrected",
        8,
        10,
        "typo",
    )


def test_a_new_exercise_gives_the_set_the_next_number_of_that_exercise(
    uow: Uow, member: Member
) -> None:
    log(uow, member, SetEntry("barbell-back-squat", Decimal(100), "kg", 5))
    set_id = set_id_of(log(uow, member))
    reply = correct(uow, member, set_id, Correction(exercise="barbell-back-squat"))
    assert body(reply)["set_number"] == 2


def test_a_member_may_correct_only_within_24_hours_but_staff_always(
    uow: Uow, member: Member
) -> None:
    set_id = set_id_of(log(uow, member))
    later = NOW + timedelta(hours=25)
    commits = uow.commits
    with pytest.raises(Forbidden):
        correct(uow, member, set_id, Correction(reps=9), now=later)
    assert uow.commits == commits
    trainer = member.caller("trainer")
    assert correct(uow, member, set_id, Correction(reps=9), caller=trainer, now=later).status == 200


def test_an_empty_or_invalid_correction_is_refused(uow: Uow, member: Member) -> None:
    set_id = set_id_of(log(uow, member))
    for correction in (Correction(), Correction(reps=500)):
        with pytest.raises(InvalidInput):
            correct(uow, member, set_id, correction)
    assert len(uow.outbox) == 1


def test_an_unknown_set_is_not_found(uow: Uow, member: Member) -> None:
    with pytest.raises(NotFound):
        correct(uow, member, uuid.uuid4(), Correction(reps=9), request=key("c"))
    assert_nothing_committed(uow)


def test_a_correction_with_a_key_is_replayed(uow: Uow, member: Member) -> None:
    set_id = set_id_of(log(uow, member))
    first = correct(uow, member, set_id, Correction(reps=9), request=key("c"))
    assert correct(uow, member, set_id, Correction(reps=9), request=key("c")) == first
    assert len(uow.outbox) == 2


# --- void_set --------------------------------------------------------------------------


def void(
    uow: Uow, member: Member, set_id: uuid.UUID, request: IdempotentRequest | None = None
) -> Reply:
    return handlers.void_set(
        uow, member.caller(), member.member_id, set_id, "wrong", request, now=NOW
    )


def test_a_void_marks_the_set_keeps_an_audit_entry_and_emits_set_voided(
    uow: Uow, repo: FakeLoggingRepository, member: Member
) -> None:
    set_id = set_id_of(log(uow, member))
    reply = void(uow, member, set_id, key("v"))
    assert body(reply)["voided_at"] is not None
    voided = uow.outbox[-1]
    assert isinstance(voided, SetVoided)
    assert (voided.seq, voided.set.set_id) == (2, set_id)
    [change] = repo.changes_of_set(set_id)
    assert (change.action, change.before["voided_at"], change.reason) == ("voided", None, "wrong")
    assert void(uow, member, set_id, key("v")) == reply


def test_a_voided_set_can_no_longer_change(uow: Uow, member: Member) -> None:
    set_id = set_id_of(log(uow, member))
    void(uow, member, set_id)
    commits = uow.commits
    with pytest.raises(Conflict):
        void(uow, member, set_id)
    with pytest.raises(Conflict):
        correct(uow, member, set_id, Correction(reps=9))
    assert (uow.commits, len(uow.outbox)) == (commits, 2)


# --- auto_finish_idle_sessions ---------------------------------------------------------


def test_sessions_idle_for_3_hours_are_finished_each_in_its_own_transaction(
    uow: Uow, repo: FakeLoggingRepository, member: Member
) -> None:
    other = Member(member.chain_id, uuid.uuid4(), member.gym_id, member.kiosk_id)
    recent = Member(member.chain_id, uuid.uuid4(), member.gym_id, member.kiosk_id)
    idle_since = NOW - timedelta(hours=3)
    for m in (member, other):
        log(uow, m, SetEntry("bench-press", Decimal(100), "kg", 8, performed_at=idle_since))
    log(uow, recent, SetEntry("bench-press", Decimal(100), "kg", 8, performed_at=NOW))
    commits = uow.commits
    assert handlers.auto_finish_idle_sessions(uow, now=NOW) == 2
    assert uow.commits == commits + 2
    finished = [e for e in uow.outbox if isinstance(e, SessionFinished)]
    assert {(e.member_id, e.automatic, e.set_count, e.seq) for e in finished} == {
        (member.member_id, True, 1, 2),
        (other.member_id, True, 1, 2),
    }
    assert {ws.finished_at for ws in repo.sessions.values()} == {idle_since, None}
    assert handlers.auto_finish_idle_sessions(uow, now=NOW) == 0


def test_a_session_is_finished_under_its_members_lock(
    uow: Uow, repo: FakeLoggingRepository, member: Member
) -> None:
    log(uow, member, SetEntry("bench-press", Decimal(100), "kg", 8, performed_at=NOW))
    repo.calls.clear()
    handlers.auto_finish_idle_sessions(uow, now=NOW + timedelta(hours=3))
    assert repo.calls[:2] == ["lock_member", "get_session"]


# --- forget_old_idempotency_keys -------------------------------------------------------


def test_answers_older_than_7_days_are_forgotten(uow: Uow, repo: FakeLoggingRepository) -> None:
    repo.reply_times = {"old": NOW - timedelta(days=8), "recent": NOW - timedelta(days=6)}
    assert handlers.forget_old_idempotency_keys(uow, now=NOW) == 1
    assert list(repo.reply_times) == ["recent"]
    assert uow.commits == 1


# --- the chain's catalog ----------------------------------------------------------------


def hack_squat_added(member: Member) -> ExerciseAdded:
    return ExerciseAdded(
        chain_id=member.chain_id,
        slug="hack-squat",
        name="Hack squat",
        pattern="squat",
        equipment="machine",
        load_step_kg=Decimal(5),
        bodyweight=False,
    )


def test_a_set_of_an_exercise_outside_the_catalog_is_refused_and_nothing_is_written(
    uow: Uow, member: Member, repo: FakeLoggingRepository
) -> None:
    for slug in ("zumba", "not-a-real-exercise", "hack-squat"):
        with pytest.raises(InvalidInput) as refused:
            log(uow, member, SetEntry(slug, Decimal(60), "kg", 10), request=key(slug))
        assert [e["field"] for e in refused.value.errors or []] == ["exercise"]
    assert (uow.commits, uow.outbox, repo.sets) == (0, [], {})
    assert uow.replies == {}, "a refused request frees its Idempotency-Key"


def test_an_exercise_the_chain_added_is_accepted_once_its_event_arrived(
    uow: Uow, member: Member
) -> None:
    added = hack_squat_added(member)
    handlers.on_exercise_added(uow, added)
    handlers.on_exercise_added(uow, added)  # redelivered: nothing more
    assert body(log(uow, member, SetEntry("hack-squat", Decimal(60), "kg", 10)))["exercise"] == (
        "hack-squat"
    )
    # Another chain's catalog is not this one's.
    other = Member(uuid.uuid4(), uuid.uuid4(), member.gym_id, member.kiosk_id)
    with pytest.raises(InvalidInput):
        log(uow, other, SetEntry("hack-squat", Decimal(60), "kg", 10))


def hack_squat_changed(member: Member, equipment: str, version: int) -> ExerciseChanged:
    return ExerciseChanged(
        **hack_squat_added(member).model_dump(exclude={"event_id", "occurred_at"})
        | {"equipment": equipment, "version": version}
    )


ASSISTED = SetEntry("hack-squat", Decimal(-20), "kg", 10)


def test_a_change_to_assisted_lets_a_negative_load_through(uow: Uow, member: Member) -> None:
    handlers.on_exercise_added(uow, hack_squat_added(member))
    with pytest.raises(InvalidInput):
        log(uow, member, ASSISTED)
    handlers.on_exercise_changed(uow, hack_squat_changed(member, "assisted", 2))
    assert body(log(uow, member, ASSISTED))["load_kg"] == -20


def test_the_highest_version_wins_whatever_the_order(
    uow: Uow, member: Member, repo: FakeLoggingRepository
) -> None:
    kept = (member.chain_id, "hack-squat")
    handlers.on_exercise_changed(uow, hack_squat_changed(member, "assisted", 3))
    # Late: the add, then a change older than the one kept, then a resent copy of it.
    handlers.on_exercise_added(uow, hack_squat_added(member))
    handlers.on_exercise_changed(uow, hack_squat_changed(member, "machine", 2))
    handlers.on_exercise_changed(uow, hack_squat_changed(member, "machine", 3))
    assert repo.catalog[kept] == ("assisted", 3)
    handlers.on_exercise_changed(uow, hack_squat_changed(member, "cable", 4))
    assert repo.catalog[kept] == ("cable", 4)


def test_a_redelivered_change_is_applied_once(
    uow: Uow, member: Member, repo: FakeLoggingRepository
) -> None:
    changed = hack_squat_changed(member, "assisted", 2)
    handlers.on_exercise_changed(uow, changed)
    handlers.on_exercise_changed(uow, changed)
    assert uow.inbox == {changed.event_id}
    assert repo.catalog == {(member.chain_id, "hack-squat"): ("assisted", 2)}
    assert uow.outbox == []


def test_the_worker_asks_program_for_the_catalog(uow: Uow) -> None:
    handlers.request_catch_up(uow)
    [asked] = uow.outbox
    assert isinstance(asked, CatchUpRequested)
    assert (asked.chain_id, asked.consumer, asked.wants) == (ALL_CHAINS, "logging", (CATALOG,))
    assert uow.commits == 1


def test_a_correction_to_an_exercise_outside_the_catalog_is_refused(
    uow: Uow, member: Member
) -> None:
    set_id = set_id_of(log(uow, member))
    with pytest.raises(InvalidInput) as refused:
        handlers.correct_set(
            uow,
            member.caller(),
            member.member_id,
            set_id,
            Correction(exercise="zumba"),
            None,
            None,
            now=NOW,
        )
    assert [e["field"] for e in refused.value.errors or []] == ["exercise"]
