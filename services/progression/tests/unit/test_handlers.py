"""Every progression handler against the repository in memory: no database, no broker.

Each test delivers events the way the worker does (a fresh transaction per event) and
looks at what reached the outbox, what the unit of work committed and what the fake
repository holds.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from myokine.consumers import RetryLater
from myokine.events import (
    AssignmentEnded,
    Event,
    ExerciseAdded,
    ExerciseChanged,
    InventoryChanged,
    MilestoneReached,
    PersonalRecord,
    ProgramAssigned,
    SessionFinished,
    SetCorrected,
    SetLogged,
    SetVoided,
    StallDetected,
    TargetsUpdated,
)
from myokine.internal_auth import Caller
from myokine.memory_unit_of_work import MemoryUnitOfWork
from progression_service import handlers, queries
from progression_service.domain.milestones import Milestone
from progression_service.repository import ProgressionRepository

from ..conftest import MemberScript, planned
from .fakes import FakeProgressionRepository

MON = date(2026, 1, 5)
SQUAT = "barbell-back-squat"
FULL = (SQUAT, "deadlift", "bench-press", "barbell-row")
REST = (SQUAT, "bench-press", "barbell-row")

Uow = MemoryUnitOfWork[ProgressionRepository]

HANDLERS: dict[type[Event], Callable[[Any, Any], None]] = {
    ProgramAssigned: handlers.on_program_assigned,
    AssignmentEnded: handlers.on_assignment_ended,
    SetLogged: handlers.on_set_logged,
    SetCorrected: handlers.on_set_corrected,
    SetVoided: handlers.on_set_voided,
    SessionFinished: handlers.on_session_finished,
    ExerciseAdded: handlers.on_exercise_added,
    ExerciseChanged: handlers.on_exercise_added,
    InventoryChanged: handlers.on_inventory_changed,
}


@pytest.fixture
def uow() -> Uow:
    """A unit of work over an empty fake repository."""
    return MemoryUnitOfWork(FakeProgressionRepository())


@pytest.fixture
def member() -> MemberScript:
    """A member of a fresh chain."""
    return MemberScript(uuid.uuid4())


def deliver(uow: Uow, *events: Event) -> None:
    """Apply events in the order given, each in its own transaction."""
    for event in events:
        HANDLERS[type(event)](uow, event)


def fake(uow: Uow) -> FakeProgressionRepository:
    """The fake behind a unit of work."""
    assert isinstance(uow.repo, FakeProgressionRepository)
    return uow.repo


def sent(uow: Uow, kind: type[Event] | None = None) -> list[Any]:
    """The events committed to the outbox (of one kind, if given)."""
    return [e for e in uow.outbox if kind is None or isinstance(e, kind)]


def weeks_on_protocol(uow: Uow, script: MemberScript, weeks: int) -> SetLogged:
    """`weeks` weeks on protocol (all four patterns Monday, three on Wednesday); the
    last Monday's deadlift set."""
    hinge = None
    for w in range(weeks):
        monday = MON + timedelta(weeks=w)
        logged = [script.log(ex, "60", 8, monday) for ex in FULL]
        hinge = logged[1]
        deliver(uow, *logged, script.finish(monday))
        deliver(uow, *script.workout(monday + timedelta(days=2), *[(ex, "60", 8) for ex in REST]))
    assert hinge is not None
    return hinge


# --- ordering and exactly-once ------------------------------------------------------------


def test_a_logged_set_is_stored_and_its_week_counted_without_an_announcement(
    uow: Uow, member: MemberScript
) -> None:
    logged = member.log(SQUAT, "60", 10, MON)
    deliver(uow, logged)
    repo = fake(uow)
    assert set(repo.sets) == {logged.set.set_id}
    assert repo.sets[logged.set.set_id].pattern == "squat"
    assert repo.week_days(member.member_id, MON) == {"squat": 1}
    assert repo.exercise_standing(member.member_id, SQUAT) is not None
    # The session is not finished: the target holds, the first day is the records' baseline.
    assert uow.outbox == []
    assert uow.commits == 1
    assert repo.streams[(member.member_id, "logging")] == 1


def test_a_redelivered_event_is_a_no_op(uow: Uow, member: MemberScript) -> None:
    events = member.workout(MON, *[(SQUAT, "60", 12)] * 3)
    deliver(uow, *events)
    outbox, commits, sets = list(uow.outbox), uow.commits, dict(fake(uow).sets)
    deliver(uow, *events)
    assert uow.outbox == outbox
    assert uow.commits == commits
    assert fake(uow).sets == sets
    assert uow.rollbacks == len(events)


def test_an_event_before_its_turn_waits_and_commits_nothing(uow: Uow, member: MemberScript) -> None:
    first, second = member.log("deadlift", "100", 8, MON), member.log("deadlift", "100", 8, MON)
    with pytest.raises(RetryLater, match="waits for #1"):
        deliver(uow, second)
    assert (uow.commits, uow.inbox, fake(uow).sets) == (0, set(), {})
    deliver(uow, first, second)
    assert len(fake(uow).sets) == 2
    assert fake(uow).streams[(member.member_id, "logging")] == 2


def test_an_event_applied_already_under_another_id_is_a_no_op(
    uow: Uow, member: MemberScript
) -> None:
    logged = member.log("deadlift", "100", 8, MON)
    deliver(uow, logged)
    other_set = member.lifted(SQUAT, 1, 1, MON)
    copy = logged.model_copy(update={"event_id": uuid.uuid4(), "set": other_set})
    deliver(uow, copy)
    assert list(fake(uow).sets) == [logged.set.set_id]
    assert uow.commits == 1


def test_program_events_keep_their_own_order(uow: Uow, member: MemberScript) -> None:
    assigned = member.assign(planned("deadlift", "hinge", "barbell", "2.5"))
    ended = member.end(assigned)
    with pytest.raises(RetryLater):
        deliver(uow, ended)
    # Logging's numbers are another stream: a set does not wait for the program.
    deliver(uow, member.log("deadlift", "100", 8, MON))
    deliver(uow, assigned, ended)
    assert fake(uow).assignments[assigned.assignment_id].ended


# --- events from program ------------------------------------------------------------------


def test_an_assignment_stores_one_plan_per_exercise(uow: Uow, member: MemberScript) -> None:
    assigned = member.assign(
        planned(SQUAT, "squat", "barbell", "2.5", rep_min=8, rep_max=10),
        planned(SQUAT, "squat", "barbell", "2.5", rep_min=6, rep_max=8),
        planned("deadlift", "hinge", "barbell", "2.5"),
    )
    deliver(uow, assigned)
    plans = fake(uow).plans_by_exercise(member.member_id)
    assert sorted(plans) == [SQUAT, "deadlift"]
    assert (plans[SQUAT][0].plan.rep_min, plans[SQUAT][0].plan.rep_max) == (8, 10)
    assert fake(uow).members[member.member_id].chain_id == member.chain_id
    assert uow.outbox == []


def test_a_substitute_counts_for_its_pattern_and_leaves_the_planned_lift_alone(
    uow: Uow, member: MemberScript
) -> None:
    # The rack is taken: the member swaps the planned back squat for goblet squats.
    deliver(uow, member.assign(planned(SQUAT, "squat", "barbell", "2.5"), start=MON))
    deliver(uow, *member.workout(MON, *[("goblet-squat", "24", 10)] * 3))
    repo = fake(uow)
    assert repo.week_days(member.member_id, MON) == {"squat": 1}
    assert repo.exercise_standing(member.member_id, SQUAT) is None
    moved = sent(uow, TargetsUpdated)
    assert {e.exercise for e in moved} == {"goblet-squat"}


def test_a_late_assignment_refolds_the_days_it_covers(uow: Uow, member: MemberScript) -> None:
    deliver(uow, *member.workout(MON, *[(SQUAT, "60", 10)] * 3))
    assert [(e.load_kg, e.reps) for e in sent(uow, TargetsUpdated)] == [(Decimal(60), 11)]
    deliver(
        uow,
        member.assign(planned(SQUAT, "squat", "barbell", "2.5", rep_min=8, rep_max=10), start=MON),
    )
    moved = sent(uow, TargetsUpdated)[-1]
    assert (moved.load_kg, moved.reps, moved.sets) == (Decimal("62.5"), 8, 3)


def test_an_ended_assignment_is_marked_and_an_unknown_one_ignored(
    uow: Uow, member: MemberScript
) -> None:
    assigned = member.assign(planned("deadlift", "hinge", "barbell", "2.5"))
    deliver(uow, assigned, member.end(assigned))
    unknown = AssignmentEnded(
        chain_id=member.chain_id,
        member_id=member.member_id,
        seq=member.seq["program"] + 1,
        assignment_id=uuid.uuid4(),
    )
    deliver(uow, unknown)
    assert fake(uow).assignments[assigned.assignment_id].ended
    assert uow.commits == 3
    assert uow.outbox == []


# --- events from logging ------------------------------------------------------------------


def test_a_finished_session_moves_the_target_and_reaches_the_first_session(
    uow: Uow, member: MemberScript
) -> None:
    deliver(uow, member.assign(planned(SQUAT, "squat", "barbell", "2.5")))
    deliver(uow, *member.workout(MON, *[(SQUAT, "60", 12)] * 3))
    assert [type(e) for e in uow.outbox] == [TargetsUpdated, MilestoneReached]
    (target,), (milestone,) = sent(uow, TargetsUpdated), sent(uow, MilestoneReached)
    assert (target.load_kg, target.reps, target.sets) == (Decimal("62.5"), 6, 3)
    assert milestone.milestone == Milestone.FIRST_SESSION
    assert fake(uow).members[member.member_id].first_session == MON
    assert fake(uow).members[member.member_id].gym_id == member.gym_id


def test_records_after_the_baseline_are_announced_once(uow: Uow, member: MemberScript) -> None:
    deliver(uow, *member.workout(MON, ("bench-press", "100", 6), ("bench-press", "100", 8)))
    assert sent(uow, PersonalRecord) == []
    deliver(uow, *member.workout(MON + timedelta(days=2), ("bench-press", "100", 10)))
    records = sent(uow, PersonalRecord)
    assert sorted((r.kind, r.value) for r in records) == [
        ("e1rm", Decimal("133.33")),
        ("reps", Decimal(10)),
    ]
    # Finishing the session folds the day again; its records are known already.
    assert len(fake(uow).records(member.member_id)["bench-press"]) == 2


def test_a_stall_is_announced_once_with_its_load(uow: Uow, member: MemberScript) -> None:
    for i in range(4):
        deliver(uow, *member.workout(MON + timedelta(days=2 * i), *[("barbell-row", "80", 8)] * 3))
    (stall,) = sent(uow, StallDetected)
    assert stall.load_kg == Decimal(80)
    assert fake(uow).stalled_exercises([member.member_id]) == {member.member_id: ["barbell-row"]}
    assert sent(uow, TargetsUpdated)[-1].load_kg == Decimal("72.5")
    trainer = Caller(sub="trainer-1", role="trainer", chain_id=member.chain_id)
    today = MON + timedelta(days=7)
    (seen,) = queries.gym_attention(uow, trainer, member.gym_id, today).members
    assert [(s.exercise, s.since) for s in seen.stalls] == [
        ("barbell-row", MON + timedelta(days=6))
    ]
    assert seen.trained_days == [MON + timedelta(days=2 * i) for i in range(4)]


def test_the_attention_read_names_the_last_weeks_records(uow: Uow, member: MemberScript) -> None:
    deliver(uow, *member.workout(MON, ("bench-press", "100", 8)))
    deliver(uow, *member.workout(MON + timedelta(days=2), ("bench-press", "100", 10)))
    trainer = Caller(sub="trainer-1", role="trainer", chain_id=member.chain_id)
    (seen,) = queries.gym_attention(uow, trainer, member.gym_id, MON + timedelta(days=3)).members
    assert sorted((r.exercise, r.kind) for r in seen.records) == [
        ("bench-press", "e1rm"),
        ("bench-press", "reps"),
    ]
    (later,) = queries.gym_attention(uow, trainer, member.gym_id, MON + timedelta(days=20)).members
    assert (later.records, later.trained_days) == ([], [])


def test_correcting_an_old_set_equals_logging_it_right(uow: Uow) -> None:
    chain_id = uuid.uuid4()
    wrong, right = MemberScript(chain_id), MemberScript(chain_id)
    days = [MON + timedelta(days=2 * i) for i in range(4)]
    typo = wrong.log(SQUAT, "600", 12, days[0])
    deliver(uow, typo, *[wrong.log(SQUAT, "60", 12, days[0]) for _ in range(2)])
    deliver(uow, wrong.finish(days[0]))
    deliver(uow, *right.workout(days[0], *[(SQUAT, "60", 12)] * 3))
    for day in days[1:]:
        for script in (wrong, right):
            deliver(uow, *script.workout(day, *[(SQUAT, "62.5", 10)] * 3))
    deliver(uow, wrong.correct(typo, load_kg=typo.set.load_kg / 10))

    def view(script: MemberScript) -> Any:
        standing = fake(uow).exercise_standing(script.member_id, SQUAT)
        assert standing is not None
        series = fake(uow).e1rm_series(script.member_id)[SQUAT]
        return standing.state, series, len(fake(uow).records(script.member_id).get(SQUAT, []))

    assert view(wrong) == view(right)


def test_voiding_a_set_forgets_it_and_its_day(uow: Uow, member: MemberScript) -> None:
    light, heavy = member.log("deadlift", "100", 6, MON), member.log("deadlift", "140", 6, MON)
    deliver(uow, light, heavy, member.void(heavy))
    assert list(fake(uow).sets) == [light.set.set_id]
    assert fake(uow).e1rm_series(member.member_id) == {"deadlift": [(MON, Decimal("120.00"))]}
    deliver(uow, member.void(light))
    assert fake(uow).sets == {}
    assert fake(uow).exposures_from(member.member_id, "deadlift", MON) == []
    assert fake(uow).week_days(member.member_id, MON) == {}


def test_weeks_on_protocol_reach_the_milestones_in_order(uow: Uow, member: MemberScript) -> None:
    weeks_on_protocol(uow, member, 4)
    assert [e.milestone for e in sent(uow, MilestoneReached)] == [
        "first_session",
        "first_protocol_week",
        "initial_adaptation",
    ]
    reached = fake(uow).milestones(member.member_id)
    assert reached[Milestone.INITIAL_ADAPTATION].on == date(2026, 1, 28)


def test_a_void_takes_a_milestone_away_without_a_retraction(uow: Uow, member: MemberScript) -> None:
    last_hinge = weeks_on_protocol(uow, member, 4)
    announced = len(sent(uow, MilestoneReached))
    deliver(uow, member.void(last_hinge))
    assert Milestone.INITIAL_ADAPTATION not in fake(uow).milestones(member.member_id)
    assert len(sent(uow, MilestoneReached)) == announced


def test_twelve_weeks_after_the_first_session_the_strength_check(
    uow: Uow, member: MemberScript
) -> None:
    deliver(uow, *member.workout(MON, (SQUAT, "100", 10), ("goblet-squat", "24", 10)))
    later = MON + timedelta(weeks=12)
    deliver(uow, *member.workout(later, (SQUAT, "110", 10), ("goblet-squat", "28", 10)))
    check = fake(uow).milestones(member.member_id)[Milestone.STRENGTH_CHECK]
    assert check.on == later
    assert check.detail["squat"] == {
        "exercise": SQUAT,
        "baseline_e1rm_kg": "133.33",
        "current_e1rm_kg": "146.67",
        "change_kg": "13.34",
        "change_pct": "10.0",
    }


def test_voiding_the_first_session_moves_it(uow: Uow, member: MemberScript) -> None:
    first = member.log(SQUAT, "100", 10, MON)
    deliver(uow, first, member.finish(MON))
    deliver(uow, *member.workout(MON + timedelta(days=2), (SQUAT, "100", 8)))
    deliver(uow, member.void(first))
    assert fake(uow).members[member.member_id].first_session == MON + timedelta(days=2)
    reached = fake(uow).milestones(member.member_id)[Milestone.FIRST_SESSION]
    assert reached.on == MON + timedelta(days=2)
    assert len(sent(uow, MilestoneReached)) == 1


# --- a member's sets together (the worker's batches) --------------------------------------


def _training_script(member: MemberScript) -> list[Event]:
    """Six weeks of a program: progress, milestones, a set after its session finished."""
    events: list[Event] = [
        member.assign(
            planned(SQUAT, "squat", "barbell", "2.5"),
            planned("deadlift", "hinge", "barbell", "2.5"),
            start=MON,
        )
    ]
    for week in range(6):
        load = str(60 + 5 * min(week, 3))
        for offset in (0, 2):
            day = MON + timedelta(weeks=week, days=offset)
            sets = [(ex, load, 12 if week < 3 else 6) for ex in FULL for _ in range(2)]
            events += member.workout(day, *sets)
        events.append(member.log("deadlift", "70", 8, MON + timedelta(weeks=week)))
    return events


def _in_runs(events: list[Event]) -> list[list[Event]]:
    """The events with each stretch of consecutive sets logged as one run."""
    runs: list[list[Event]] = []
    for event in events:
        if runs and isinstance(event, SetLogged) and isinstance(runs[-1][-1], SetLogged):
            runs[-1].append(event)
        else:
            runs.append([event])
    return runs


def _state(uow: Uow, member: MemberScript) -> tuple[Any, ...]:
    repo = fake(uow)
    return (
        repo.standings(member.member_id, member.chain_id),
        repo.weeks(member.member_id),
        repo.milestones(member.member_id),
        repo.records(member.member_id),
        repo.members[member.member_id].first_session,
    )


def test_a_members_sets_applied_together_leave_the_state_they_leave_one_by_one(
    member: MemberScript,
) -> None:
    events = _training_script(member)
    one_by_one: Uow = MemoryUnitOfWork(FakeProgressionRepository())
    together: Uow = MemoryUnitOfWork(FakeProgressionRepository())

    deliver(one_by_one, *events)
    for run in _in_runs(events):
        if isinstance(run[0], SetLogged):
            handlers.on_sets_logged(together, [e for e in run if isinstance(e, SetLogged)])
        else:
            deliver(together, *run)

    assert _state(together, member) == _state(one_by_one, member)
    assert together.commits < one_by_one.commits
    announced = {type(e) for e in together.outbox}
    assert announced == {type(e) for e in one_by_one.outbox}
    assert {MilestoneReached, PersonalRecord, TargetsUpdated} <= announced


def test_sets_together_that_come_again_change_nothing(uow: Uow, member: MemberScript) -> None:
    sets = [member.log(SQUAT, "60", 10, MON) for _ in range(3)]
    handlers.on_sets_logged(uow, sets)
    before, commits = _state(uow, member), uow.commits

    handlers.on_sets_logged(uow, sets)

    assert _state(uow, member) == before
    assert uow.commits == commits


def test_sets_together_apply_only_those_not_applied_before(uow: Uow, member: MemberScript) -> None:
    first, second, third = [member.log(SQUAT, "60", 10, MON) for _ in range(3)]
    handlers.on_sets_logged(uow, [first])

    handlers.on_sets_logged(uow, [first, second, third])

    assert set(fake(uow).sets) == {e.set.set_id for e in (first, second, third)}
    assert fake(uow).last_seq(member.member_id, "logging") == third.seq
    commits = uow.commits
    handlers.on_sets_logged(uow, [second, third])
    assert uow.commits == commits, "sets applied before are not applied again"


def test_sets_together_that_came_early_wait_for_their_turn(uow: Uow, member: MemberScript) -> None:
    first, *later = [member.log(SQUAT, "60", 10, MON) for _ in range(3)]

    with pytest.raises(RetryLater):
        handlers.on_sets_logged(uow, later)

    assert uow.commits == 0
    handlers.on_sets_logged(uow, [first])
    handlers.on_sets_logged(uow, later)
    assert fake(uow).weeks(member.member_id)[0].days == {"squat": 1}


# --- restoring a member -------------------------------------------------------------------


def test_rebuilding_leaves_the_incremental_state_and_announces_nothing_known(
    uow: Uow, member: MemberScript
) -> None:
    last_hinge = weeks_on_protocol(uow, member, 5)
    deliver(uow, member.void(last_hinge))
    repo = fake(uow)
    before = (
        repo.standings(member.member_id, member.chain_id),
        repo.weeks(member.member_id),
        repo.milestones(member.member_id),
        repo.records(member.member_id),
    )
    announced = list(uow.outbox)
    repo.reached.clear()
    handlers.rebuild_member(uow, member.chain_id, member.member_id)
    after = (
        repo.standings(member.member_id, member.chain_id),
        repo.weeks(member.member_id),
        repo.milestones(member.member_id),
        repo.records(member.member_id),
    )
    assert after == before
    # The wiped milestones are reached again (and announced); nothing else is.
    assert [type(e) for e in uow.outbox[len(announced) :]] == [MilestoneReached] * 3


def test_rebuilding_a_member_without_sets_changes_nothing(uow: Uow) -> None:
    chain_id, member_id = uuid.uuid4(), uuid.uuid4()
    handlers.rebuild_member(uow, chain_id, member_id)
    assert uow.outbox == []
    assert fake(uow).members[member_id].first_session is None


# --- the reads over the same repository ---------------------------------------------------


def test_the_reads_answer_from_the_repository(uow: Uow, member: MemberScript) -> None:
    deliver(uow, *member.workout(MON, *[(SQUAT, "60", 12)] * 3))
    trainer = Caller(sub="trainer-1", role="trainer", chain_id=member.chain_id)
    targets = queries.member_targets(uow, trainer, member.member_id, [SQUAT], MON)
    assert targets.exercises[SQUAT].target_load_kg == Decimal("62.5")
    assert targets.week["squat"].done == 1
    progress = queries.member_progress(uow, trainer, member.member_id)
    assert [m.milestone for m in progress.milestones] == ["first_session"]
    attention = queries.gym_attention(uow, trainer, member.gym_id, MON)
    assert [m.member_id for m in attention.members] == [member.member_id]
    assert uow.commits == 4, "reads commit nothing"
