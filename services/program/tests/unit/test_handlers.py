"""Every use case of handlers.py on the in-memory unit of work: no database, no broker.

What a handler commits is what the unit of work keeps: the events in `uow.outbox`, the
answers under Idempotency-Keys in `uow.replies`, the consumed events in `uow.inbox`.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest

from myokine.catalog import DEFAULT_CATALOG, Equipment
from myokine.events import (
    ALL_CHAINS,
    CATALOG,
    INVENTORY,
    AssignmentEnded,
    CatchUpRequested,
    ExerciseAdded,
    ExerciseChanged,
    MemberEvent,
    ProgramAssigned,
    SessionFinished,
)
from myokine.internal_auth import Caller, Role
from myokine.patterns import Pattern
from myokine.problems import Conflict, Forbidden, InvalidInput, NotFound
from program_service import handlers, queries
from program_service.domain.ready_made import READY_MADE
from program_service.problems import NoAssignment, NonConformingProgram
from program_service.schemas import (
    AssignmentIn,
    AssignmentOut,
    ExerciseChange,
    ExerciseIn,
    ExerciseOut,
    ProgramOut,
)

from .conftest import (
    NOW,
    Uow,
    assign,
    caller,
    conforming,
    draft,
    key,
    ready_made,
    squat_only,
)
from .fakes import FakeProgramRepository

HACK_SQUAT = ExerciseIn(name="Hack squat", pattern=Pattern.SQUAT, equipment=Equipment.MACHINE)


def admin(chain_id: uuid.UUID) -> Caller:
    return caller(chain_id, "chain_admin", "admin-1")


def finished(
    chain_id: uuid.UUID,
    member_id: uuid.UUID,
    seq: int,
    day: str | None,
    *,
    assignment_id: uuid.UUID | None = None,
    set_count: int = 9,
) -> SessionFinished:
    return SessionFinished(
        chain_id=chain_id,
        member_id=member_id,
        seq=seq,
        session_id=uuid.uuid4(),
        gym_id=uuid.uuid4(),
        local_date=date(2026, 12, 1) + timedelta(days=seq),
        program_day=day,
        assignment_id=assignment_id,
        set_count=set_count,
    )


def member_events(uow: Uow) -> list[MemberEvent]:
    """The committed events, each about a member, in order."""
    events = [e for e in uow.outbox if isinstance(e, MemberEvent)]
    assert len(events) == len(uow.outbox)
    return events


def today(uow: Uow, chain_id: uuid.UUID, member_id: uuid.UUID) -> str:
    return queries.todays_plan(uow, caller(chain_id), member_id).day


# --- the chain's starting content --------------------------------------------------------


def test_a_chains_first_write_seeds_its_catalog_and_programs_once(
    uow: Uow, repo: FakeProgramRepository, chain_id: uuid.UUID
) -> None:
    handlers.add_exercise(uow, admin(chain_id), HACK_SQUAT)
    handlers.add_exercise(uow, admin(chain_id), HACK_SQUAT.model_copy(update={"name": "Sissy"}))
    builtin = [row for row in repo.exercises if row.builtin]
    assert [row.slug for row in builtin] == [item.slug for item in DEFAULT_CATALOG]
    assert len(repo.programs) == len(READY_MADE)
    assert all(program.ready_made for program in repo.programs.values())
    assert all(version.conforms for version in repo.versions.values())


def test_each_chain_gets_its_own_content(uow: Uow, repo: FakeProgramRepository) -> None:
    for chain in (uuid.uuid4(), uuid.uuid4()):
        handlers.add_exercise(uow, admin(chain), HACK_SQUAT)
    assert len(repo.chains) == 2
    assert len(repo.programs) == 2 * len(READY_MADE)


# --- add_exercise ------------------------------------------------------------------------


def test_an_admin_adds_an_exercise_with_a_slug_from_its_name(uow: Uow, chain_id: uuid.UUID) -> None:
    added = handlers.add_exercise(uow, admin(chain_id), HACK_SQUAT)
    assert added == ExerciseOut(
        slug="hack-squat",
        name="Hack squat",
        pattern=Pattern.SQUAT,
        equipment=Equipment.MACHINE,
        load_step_kg=Decimal(5),
        bodyweight=False,
        builtin=False,
    )
    assert uow.commits == 1
    # The chain's other services learn of it from the event, never by asking program.
    [event] = uow.outbox
    assert isinstance(event, ExerciseAdded)
    assert (event.chain_id, event.slug, event.pattern, event.equipment) == (
        chain_id,
        "hack-squat",
        "squat",
        "machine",
    )


def test_an_assisted_exercise_counts_body_weight_unless_told(uow: Uow, chain_id: uuid.UUID) -> None:
    dips = ExerciseIn(name="Assisted dip", pattern=Pattern.PUSH, equipment=Equipment.ASSISTED)
    assert handlers.add_exercise(uow, admin(chain_id), dips).bodyweight is True
    told = dips.model_copy(update={"name": "Band dip", "bodyweight": False})
    assert handlers.add_exercise(uow, admin(chain_id), told).bodyweight is False


def test_a_retried_add_gets_the_first_answer_and_adds_once(
    uow: Uow, repo: FakeProgramRepository, chain_id: uuid.UUID
) -> None:
    first = handlers.add_exercise(uow, admin(chain_id), HACK_SQUAT, key("add-1"))
    again = handlers.add_exercise(uow, admin(chain_id), HACK_SQUAT, key("add-1"))
    assert again == first
    assert [row.slug for row in repo.exercises if not row.builtin] == ["hack-squat"]
    (_, reply) = uow.replies[(str(chain_id), "add-1")]
    assert reply is not None and reply.status == 201
    assert ExerciseOut.model_validate_json(reply.body) == first


def test_a_key_used_with_another_request_is_a_conflict(uow: Uow, chain_id: uuid.UUID) -> None:
    handlers.add_exercise(uow, admin(chain_id), HACK_SQUAT, key("add-1"))
    sissy = HACK_SQUAT.model_copy(update={"name": "Sissy squat"})
    with pytest.raises(Conflict):
        handlers.add_exercise(uow, admin(chain_id), sissy, key("add-1", "another body"))
    assert uow.commits == 1


def test_a_taken_slug_is_a_conflict_and_commits_nothing(uow: Uow, chain_id: uuid.UUID) -> None:
    handlers.add_exercise(uow, admin(chain_id), HACK_SQUAT)
    with pytest.raises(Conflict):
        handlers.add_exercise(
            uow, admin(chain_id), HACK_SQUAT.model_copy(update={"name": "Hack Squat"}), key("k")
        )
    assert (uow.commits, uow.rollbacks) == (1, 1)
    assert uow.replies == {}


@pytest.mark.parametrize("role", ["trainer", "member", "kiosk"])
def test_only_a_chain_admin_adds_exercises(uow: Uow, chain_id: uuid.UUID, role: Role) -> None:
    with pytest.raises(Forbidden):
        handlers.add_exercise(uow, caller(chain_id, role), HACK_SQUAT)
    assert uow.commits == 0


def test_a_name_without_letters_needs_a_slug(uow: Uow, chain_id: uuid.UUID) -> None:
    nameless = HACK_SQUAT.model_copy(update={"name": "!!!"})
    with pytest.raises(InvalidInput):
        handlers.add_exercise(uow, admin(chain_id), nameless)
    assert uow.commits == 0
    with_slug = nameless.model_copy(update={"slug": "bang"})
    assert handlers.add_exercise(uow, admin(chain_id), with_slug).slug == "bang"


# --- change_exercise ---------------------------------------------------------------------


def to_assisted() -> ExerciseChange:
    return ExerciseChange(equipment=Equipment.ASSISTED, load_step_kg=Decimal("2.5"))


def test_an_admin_changes_an_own_exercise_and_the_change_is_its_next_version(
    uow: Uow, chain_id: uuid.UUID
) -> None:
    handlers.add_exercise(uow, admin(chain_id), HACK_SQUAT)
    changed = handlers.change_exercise(uow, admin(chain_id), "hack-squat", to_assisted())
    assert changed == ExerciseOut(
        slug="hack-squat",
        name="Hack squat",
        pattern=Pattern.SQUAT,
        equipment=Equipment.ASSISTED,
        load_step_kg=Decimal("2.5"),
        bodyweight=False,
        builtin=False,
    )
    assert queries.list_exercises(uow, caller(chain_id))[-1] == changed
    added, event = uow.outbox
    assert isinstance(added, ExerciseAdded) and added.version == 1
    # The whole exercise as it now stands, so a consumer needs nothing else to apply it.
    assert event == ExerciseChanged(
        event_id=event.event_id,
        occurred_at=event.occurred_at,
        chain_id=chain_id,
        slug="hack-squat",
        name="Hack squat",
        pattern="squat",
        equipment="assisted",
        load_step_kg=Decimal("2.5"),
        bodyweight=False,
        version=2,
    )
    renamed = ExerciseChange(name="Hack squat (machine 2)")
    handlers.change_exercise(uow, admin(chain_id), "hack-squat", renamed)
    latest = uow.outbox[-1]
    assert isinstance(latest, ExerciseChanged)
    assert (latest.version, latest.name, latest.equipment) == (3, renamed.name, "assisted")


def test_a_change_of_nothing_answers_the_exercise_with_no_version_or_event(
    uow: Uow, repo: FakeProgramRepository, chain_id: uuid.UUID
) -> None:
    added = handlers.add_exercise(uow, admin(chain_id), HACK_SQUAT)
    same = ExerciseChange(name="Hack squat", equipment=Equipment.MACHINE, load_step_kg=Decimal(5))
    for change in (ExerciseChange(), same):
        assert handlers.change_exercise(uow, admin(chain_id), "hack-squat", change) == added
    assert [type(e) for e in uow.outbox] == [ExerciseAdded]
    row = repo.find_exercise(chain_id, "hack-squat")
    assert row is not None and row.version == 1


def test_a_retried_change_gets_the_first_answer_and_changes_once(
    uow: Uow, chain_id: uuid.UUID
) -> None:
    handlers.add_exercise(uow, admin(chain_id), HACK_SQUAT)
    first = handlers.change_exercise(uow, admin(chain_id), "hack-squat", to_assisted(), key("c"))
    again = handlers.change_exercise(uow, admin(chain_id), "hack-squat", to_assisted(), key("c"))
    assert again == first
    assert [type(e) for e in uow.outbox] == [ExerciseAdded, ExerciseChanged]
    (_, reply) = uow.replies[(str(chain_id), "c")]
    assert reply is not None and reply.status == 200


@pytest.mark.parametrize("role", ["trainer", "member", "kiosk"])
def test_only_a_chain_admin_changes_exercises(uow: Uow, chain_id: uuid.UUID, role: Role) -> None:
    handlers.add_exercise(uow, admin(chain_id), HACK_SQUAT)
    with pytest.raises(Forbidden):
        handlers.change_exercise(uow, caller(chain_id, role), "hack-squat", to_assisted())
    assert [type(e) for e in uow.outbox] == [ExerciseAdded]


def test_an_unknown_or_another_chains_exercise_is_404(uow: Uow, chain_id: uuid.UUID) -> None:
    handlers.add_exercise(uow, admin(chain_id), HACK_SQUAT)
    for chain, slug in ((chain_id, "moon-walk"), (uuid.uuid4(), "hack-squat")):
        with pytest.raises(NotFound):
            handlers.change_exercise(uow, admin(chain), slug, to_assisted(), key(slug))
    assert [type(e) for e in uow.outbox] == [ExerciseAdded]
    assert list(uow.replies) == [], "a refused change frees its Idempotency-Key"


def test_a_builtin_exercise_is_every_chains_and_cannot_be_changed(
    uow: Uow, repo: FakeProgramRepository, chain_id: uuid.UUID
) -> None:
    squat = DEFAULT_CATALOG[0].slug
    queries.list_exercises(uow, caller(chain_id))
    with pytest.raises(Conflict) as refused:
        handlers.change_exercise(uow, admin(chain_id), squat, ExerciseChange(name="Squat"))
    assert "built-in" in str(refused.value)
    row = repo.find_exercise(chain_id, squat)
    assert row is not None and (row.name, row.version) == (DEFAULT_CATALOG[0].name, 1)
    assert uow.outbox == []


# --- create_program ----------------------------------------------------------------------


def test_a_conforming_program_is_saved_as_version_1(uow: Uow, chain_id: uuid.UUID) -> None:
    saved = handlers.create_program(uow, caller(chain_id), conforming())
    assert (saved.version, saved.current_version, saved.conforms) == (1, 1, True)
    assert saved.violations == [] and saved.exception_reason is None
    assert saved.days[0].exercises[0].name == "Barbell back squat"
    assert saved.days[1].exercises[0].pattern == Pattern.HINGE
    assert not saved.ready_made
    assert queries.get_program(uow, caller(chain_id), saved.id, None) == saved


def test_a_program_breaking_the_protocol_is_refused_and_its_key_stays_free(
    uow: Uow, repo: FakeProgramRepository, chain_id: uuid.UUID
) -> None:
    with pytest.raises(NonConformingProgram) as refused:
        handlers.create_program(uow, caller(chain_id), squat_only(), key("create-1"))
    assert refused.value.extensions["violations"]
    assert uow.commits == 0 and uow.replies == {}

    excepted = squat_only().model_copy(update={"exception_reason": "rehab"})
    saved = handlers.create_program(
        uow, caller(chain_id), excepted, key("create-1", "with a reason")
    )
    assert (saved.conforms, saved.exception_reason) == (False, "rehab")
    assert saved.violations


def test_a_reason_on_a_conforming_program_is_dropped(uow: Uow, chain_id: uuid.UUID) -> None:
    reasoned = conforming().model_copy(update={"exception_reason": "no need"})
    assert handlers.create_program(uow, caller(chain_id), reasoned).exception_reason is None


def test_a_program_naming_unknown_exercises_is_refused_naming_them(
    uow: Uow, chain_id: uuid.UUID
) -> None:
    unknown = draft(("A", ["barbell-back-squat", "moon-walk"]))
    with pytest.raises(InvalidInput) as refused:
        handlers.create_program(uow, caller(chain_id), unknown)
    assert refused.value.errors == [
        {"field": "days.0.exercises.1.exercise", "message": "unknown exercise 'moon-walk'"}
    ]
    assert uow.commits == 0


def test_a_retried_create_saves_one_program(
    uow: Uow, repo: FakeProgramRepository, chain_id: uuid.UUID
) -> None:
    first = handlers.create_program(uow, caller(chain_id), conforming(), key("create-1"))
    again = handlers.create_program(uow, caller(chain_id), conforming(), key("create-1"))
    assert again == first
    assert len([p for p in repo.programs.values() if not p.ready_made]) == 1
    (_, reply) = uow.replies[(str(chain_id), "create-1")]
    assert reply is not None and reply.status == 201


def test_members_do_not_write_programs(uow: Uow, chain_id: uuid.UUID) -> None:
    with pytest.raises(Forbidden):
        handlers.create_program(uow, caller(chain_id, "member", str(uuid.uuid4())), conforming())
    assert uow.commits == 0


# --- update_program ----------------------------------------------------------------------


def test_an_unassigned_version_is_edited_in_place(uow: Uow, chain_id: uuid.UUID) -> None:
    saved = handlers.create_program(uow, caller(chain_id), conforming())
    edited = conforming().model_copy(update={"name": "Renamed"})
    later = NOW + timedelta(hours=1)
    out = handlers.update_program(uow, caller(chain_id), saved.id, edited, now=later)
    assert (out.version, out.current_version, out.name) == (1, 1, "Renamed")
    assert out.updated_at == later
    versions = queries.program_versions(uow, caller(chain_id), saved.id)
    assert [v.name for v in versions] == ["Renamed"]


def test_an_assigned_version_is_kept_and_the_edit_becomes_a_new_one(
    uow: Uow, chain_id: uuid.UUID
) -> None:
    saved = handlers.create_program(uow, caller(chain_id), conforming())
    assign(uow, chain_id, uuid.uuid4(), saved.id)
    edited = conforming().model_copy(update={"name": "Renamed"})
    out = handlers.update_program(uow, caller(chain_id), saved.id, edited, now=NOW)
    assert (out.version, out.current_version, out.name) == (2, 2, "Renamed")
    versions = queries.program_versions(uow, caller(chain_id), saved.id)
    assert [(v.version, v.name) for v in versions] == [(2, "Renamed"), (1, "Full body")]
    old = queries.get_program(uow, caller(chain_id), saved.id, 1)
    assert (old.version, old.current_version, old.name) == (1, 2, "Full body")


def test_an_edit_that_changes_nothing_changes_nothing(uow: Uow, chain_id: uuid.UUID) -> None:
    saved = handlers.create_program(uow, caller(chain_id), conforming())
    assign(uow, chain_id, uuid.uuid4(), saved.id)
    out = handlers.update_program(
        uow, caller(chain_id), saved.id, conforming(), now=NOW + timedelta(days=1)
    )
    assert out == saved


def test_an_edit_breaking_the_protocol_is_refused(uow: Uow, chain_id: uuid.UUID) -> None:
    saved = handlers.create_program(uow, caller(chain_id), conforming())
    with pytest.raises(NonConformingProgram):
        handlers.update_program(uow, caller(chain_id), saved.id, squat_only(), now=NOW)
    assert uow.commits == 1


def test_editing_an_unknown_or_another_chains_program_is_404(uow: Uow, chain_id: uuid.UUID) -> None:
    saved = handlers.create_program(uow, caller(chain_id), conforming())
    for chain, program in ((chain_id, uuid.uuid4()), (uuid.uuid4(), saved.id)):
        with pytest.raises(NotFound):
            handlers.update_program(uow, caller(chain), program, conforming(), now=NOW)
    assert uow.commits == 1


def test_a_retried_edit_gets_the_first_answer_with_status_200(
    uow: Uow, chain_id: uuid.UUID
) -> None:
    saved = handlers.create_program(uow, caller(chain_id), conforming())
    edited = conforming().model_copy(update={"name": "Renamed"})
    first = handlers.update_program(uow, caller(chain_id), saved.id, edited, key("edit"), now=NOW)
    again = handlers.update_program(
        uow, caller(chain_id), saved.id, edited, key("edit"), now=NOW + timedelta(hours=1)
    )
    assert again == first
    (_, reply) = uow.replies[(str(chain_id), "edit")]
    assert reply is not None and reply.status == 200
    assert ProgramOut.model_validate_json(reply.body) == first


# --- assign_program ----------------------------------------------------------------------


def test_assigning_emits_program_assigned_with_the_planned_exercises(
    uow: Uow, chain_id: uuid.UUID
) -> None:
    member = uuid.uuid4()
    program = ready_made(uow, chain_id, 3)
    out = assign(uow, chain_id, member, program, starting_loads={"bench-press": "60"})
    assert (out.member_id, out.program_id, out.program_version, out.active) == (
        member,
        program,
        1,
        True,
    )
    assert out.weekdays == [1, 3, 5] and out.assigned_by == "trainer-1"
    (event,) = uow.outbox
    assert isinstance(event, ProgramAssigned)
    assert (event.member_id, event.seq, event.assignment_id) == (member, 1, out.id)
    assert (event.program_id, event.program_version) == (program, 1)
    planned = {e.exercise: e for e in event.exercises}
    assert planned["bench-press"].starting_load_kg == Decimal(60)
    assert planned["pull-up"].bodyweight is True
    assert len(planned) == len(event.exercises)  # each exercise once


def test_reassigning_ends_the_active_one_first_in_member_order(
    uow: Uow, chain_id: uuid.UUID
) -> None:
    member = uuid.uuid4()
    program = ready_made(uow, chain_id, 3)
    first = assign(uow, chain_id, member, program)
    later = NOW + timedelta(days=7)
    second = assign(uow, chain_id, member, ready_made(uow, chain_id, 4), now=later)
    assert [(type(e), e.seq) for e in member_events(uow)] == [
        (ProgramAssigned, 1),
        (AssignmentEnded, 2),
        (ProgramAssigned, 3),
    ]
    ended = uow.outbox[1]
    assert isinstance(ended, AssignmentEnded) and ended.assignment_id == first.id
    history = queries.assignment_history(uow, caller(chain_id), member)
    assert [a.id for a in history] == [second.id, first.id]
    assert (history[1].active, history[1].ended_at, history[1].ended_by) == (
        False,
        later,
        "trainer-1",
    )


def test_sequence_numbers_are_per_member(uow: Uow, chain_id: uuid.UUID) -> None:
    program = ready_made(uow, chain_id, 3)
    one, two = uuid.uuid4(), uuid.uuid4()
    for member in (one, two, one):
        assign(uow, chain_id, member, program)
    assert [(e.member_id, e.seq) for e in member_events(uow)] == [
        (one, 1),
        (two, 1),
        (one, 2),
        (one, 3),
    ]


def test_a_retried_assignment_is_assigned_once(uow: Uow, chain_id: uuid.UUID) -> None:
    member = uuid.uuid4()
    program = ready_made(uow, chain_id, 3)
    first = assign(uow, chain_id, member, program, request=key("assign"))
    again = assign(uow, chain_id, member, program, request=key("assign"))
    assert again == first
    assert [type(e) for e in uow.outbox] == [ProgramAssigned]
    (_, reply) = uow.replies[(str(chain_id), "assign")]
    assert reply is not None and reply.status == 201
    assert AssignmentOut.model_validate_json(reply.body) == first


@pytest.mark.parametrize(
    ("loads", "field"),
    [
        ({"leg-press": "100"}, "starting_loads.leg-press"),
        ({"bench-press": "-5"}, "starting_loads.bench-press"),
        ({"bench-press": "1000.5"}, "starting_loads.bench-press"),
    ],
)
def test_unusable_starting_loads_are_refused_naming_them(
    uow: Uow, chain_id: uuid.UUID, loads: dict[str, str], field: str
) -> None:
    program = ready_made(uow, chain_id, 3)
    commits = uow.commits
    with pytest.raises(InvalidInput) as refused:
        assign(uow, chain_id, uuid.uuid4(), program, starting_loads=loads, request=key("k"))
    assert [e["field"] for e in refused.value.errors or []] == [field]
    assert (uow.commits, uow.outbox, uow.replies) == (commits, [], {})


def test_assisted_exercises_may_start_below_zero(uow: Uow, chain_id: uuid.UUID) -> None:
    dip = ExerciseIn(name="Assisted dip", pattern=Pattern.PUSH, equipment=Equipment.ASSISTED)
    handlers.add_exercise(uow, admin(chain_id), dip)
    saved = handlers.create_program(
        uow,
        caller(chain_id),
        draft(
            ("A", ["barbell-back-squat", "assisted-dip", "barbell-row"]),
            ("B", ["deadlift", "goblet-squat", "overhead-press", "pull-up"]),
        ),
    )
    out = assign(uow, chain_id, uuid.uuid4(), saved.id, starting_loads={"assisted-dip": "-30"})
    assert out.starting_loads == {"assisted-dip": Decimal(-30)}


def test_assigning_an_unknown_program_or_version_is_404(uow: Uow, chain_id: uuid.UUID) -> None:
    program = ready_made(uow, chain_id, 3)
    commits = uow.commits
    with pytest.raises(NotFound):
        assign(uow, chain_id, uuid.uuid4(), uuid.uuid4())
    with pytest.raises(NotFound):
        assign(uow, chain_id, uuid.uuid4(), program, program_version=2)
    assert (uow.commits, uow.outbox) == (commits, [])


def test_members_do_not_assign_programs(uow: Uow, chain_id: uuid.UUID) -> None:
    program = ready_made(uow, chain_id, 3)
    member = uuid.uuid4()
    body = AssignmentIn(program_id=program, start_date=date(2026, 12, 1), weekdays=[1])
    with pytest.raises(Forbidden):
        handlers.assign_program(uow, caller(chain_id, "member", str(member)), member, body, now=NOW)
    assert uow.outbox == []


# --- end_assignment ----------------------------------------------------------------------


def test_ending_emits_assignment_ended_and_keeps_the_history(uow: Uow, chain_id: uuid.UUID) -> None:
    member = uuid.uuid4()
    assigned = assign(uow, chain_id, member, ready_made(uow, chain_id, 2))
    later = NOW + timedelta(days=30)
    ended = handlers.end_assignment(uow, caller(chain_id), member, now=later)
    assert (ended.id, ended.active, ended.ended_at) == (assigned.id, False, later)
    assert [(type(e), e.seq) for e in member_events(uow)] == [
        (ProgramAssigned, 1),
        (AssignmentEnded, 2),
    ]
    with pytest.raises(NoAssignment):
        queries.todays_plan(uow, caller(chain_id), member)


def test_ending_without_an_active_assignment_is_refused_with_no_event(
    uow: Uow, chain_id: uuid.UUID
) -> None:
    with pytest.raises(NoAssignment):
        handlers.end_assignment(uow, caller(chain_id), uuid.uuid4(), key("end"), now=NOW)
    assert (uow.commits, uow.outbox, uow.replies) == (0, [], {})


def test_a_retried_end_gets_the_first_answer_with_status_200(uow: Uow, chain_id: uuid.UUID) -> None:
    member = uuid.uuid4()
    assign(uow, chain_id, member, ready_made(uow, chain_id, 2))
    first = handlers.end_assignment(uow, caller(chain_id), member, key("end"), now=NOW)
    again = handlers.end_assignment(uow, caller(chain_id), member, key("end"), now=NOW)
    assert again == first
    assert [type(e) for e in uow.outbox] == [ProgramAssigned, AssignmentEnded]
    (_, reply) = uow.replies[(str(chain_id), "end")]
    assert reply is not None and reply.status == 200


def test_kiosks_do_not_end_assignments(uow: Uow, chain_id: uuid.UUID) -> None:
    with pytest.raises(Forbidden):
        handlers.end_assignment(uow, caller(chain_id, "kiosk", "kiosk-1"), uuid.uuid4(), now=NOW)


# --- on_session_finished -----------------------------------------------------------------


def test_a_finished_session_moves_the_rotation_to_the_day_trained(
    uow: Uow, chain_id: uuid.UUID
) -> None:
    member = uuid.uuid4()
    assignment = assign(uow, chain_id, member, ready_made(uow, chain_id, 4)).id
    assert today(uow, chain_id, member) == "A"
    handlers.on_session_finished(uow, finished(chain_id, member, 1, "C", assignment_id=assignment))
    plan = queries.todays_plan(uow, caller(chain_id), member)
    assert (plan.day, plan.last_trained_day, plan.last_trained_on) == ("D", "C", date(2026, 12, 2))


def test_a_redelivered_session_is_applied_once(uow: Uow, chain_id: uuid.UUID) -> None:
    member = uuid.uuid4()
    assignment = assign(uow, chain_id, member, ready_made(uow, chain_id, 4)).id
    event = finished(chain_id, member, 1, None, assignment_id=assignment)
    handlers.on_session_finished(uow, event)
    commits = uow.commits
    handlers.on_session_finished(uow, event)
    assert uow.commits == commits
    assert uow.inbox == {event.event_id}
    assert today(uow, chain_id, member) == "B"


def test_an_older_session_is_history_not_the_latest_day(uow: Uow, chain_id: uuid.UUID) -> None:
    member = uuid.uuid4()
    assignment = assign(uow, chain_id, member, ready_made(uow, chain_id, 4)).id
    handlers.on_session_finished(uow, finished(chain_id, member, 7, "B", assignment_id=assignment))
    handlers.on_session_finished(uow, finished(chain_id, member, 6, "D", assignment_id=assignment))
    assert today(uow, chain_id, member) == "C"


def test_a_session_that_names_no_assignment_counts_for_the_active_one(
    uow: Uow, chain_id: uuid.UUID
) -> None:
    member = uuid.uuid4()
    assign(uow, chain_id, member, ready_made(uow, chain_id, 4))
    handlers.on_session_finished(uow, finished(chain_id, member, 1, None))
    handlers.on_session_finished(uow, finished(chain_id, member, 2, None))
    assert today(uow, chain_id, member) == "C"


def test_a_session_from_before_the_assignment_belongs_to_an_earlier_one(
    uow: Uow, chain_id: uuid.UUID
) -> None:
    member = uuid.uuid4()
    event = finished(chain_id, member, 1, "C")  # finished now, before the assignment below
    assign(uow, chain_id, member, ready_made(uow, chain_id, 4))
    handlers.on_session_finished(uow, event)
    assert today(uow, chain_id, member) == "A"


def test_sessions_that_do_not_fit_leave_the_rotation_but_are_settled(
    uow: Uow, chain_id: uuid.UUID
) -> None:
    member = uuid.uuid4()
    assignment = assign(uow, chain_id, member, ready_made(uow, chain_id, 4)).id
    events = [
        finished(chain_id, member, 2, "Z", assignment_id=assignment),
        finished(chain_id, member, 3, "A", assignment_id=assignment, set_count=0),
        finished(chain_id, member, 4, "A", assignment_id=uuid.uuid4()),
        finished(chain_id, uuid.uuid4(), 5, "A", assignment_id=assignment),
        finished(chain_id, uuid.uuid4(), 6, "A"),
    ]
    for event in events:
        handlers.on_session_finished(uow, event)
    assert today(uow, chain_id, member) == "A"
    assert uow.inbox == {event.event_id for event in events}
    assert uow.outbox[1:] == []  # only the assignment's own event


def test_a_late_session_of_an_ended_assignment_stays_with_it(uow: Uow, chain_id: uuid.UUID) -> None:
    member = uuid.uuid4()
    program = ready_made(uow, chain_id, 4)
    first = assign(uow, chain_id, member, program).id
    assign(uow, chain_id, member, program)
    handlers.on_session_finished(uow, finished(chain_id, member, 2, "B", assignment_id=first))
    assert today(uow, chain_id, member) == "A"
    history = queries.assignment_history(uow, caller(chain_id), member)
    assert [a.last_trained_day for a in history] == [None, "B"]


# --- on_catch_up_requested ---------------------------------------------------------------


def catch_up(*wants: str) -> CatchUpRequested:
    return CatchUpRequested(chain_id=ALL_CHAINS, consumer="logging", wants=wants)


def test_a_catch_up_of_the_catalog_sends_every_chains_own_exercises_at_their_version(
    uow: Uow, chain_id: uuid.UUID
) -> None:
    other = uuid.uuid4()
    handlers.add_exercise(uow, admin(chain_id), HACK_SQUAT)
    handlers.change_exercise(uow, admin(chain_id), "hack-squat", to_assisted())
    handlers.add_exercise(uow, admin(other), HACK_SQUAT.model_copy(update={"name": "Sled push"}))
    sent_before = len(uow.outbox)

    handlers.on_catch_up_requested(uow, catch_up(CATALOG, INVENTORY))
    resent = [e for e in uow.outbox[sent_before:] if isinstance(e, ExerciseChanged)]
    assert len(resent) == len(uow.outbox) - sent_before
    assert sorted((e.chain_id, e.slug, e.version) for e in resent) == sorted(
        [(chain_id, "hack-squat", 2), (other, "sled-push", 1)]
    ), "each chain's own exercises once, none of the built-in ones"
    assert next(e for e in resent if e.slug == "hack-squat").equipment == "assisted"


def test_a_redelivered_catch_up_sends_nothing_more(uow: Uow, chain_id: uuid.UUID) -> None:
    handlers.add_exercise(uow, admin(chain_id), HACK_SQUAT)
    request = catch_up(CATALOG)
    handlers.on_catch_up_requested(uow, request)
    sent, commits = len(uow.outbox), uow.commits
    handlers.on_catch_up_requested(uow, request)
    assert (len(uow.outbox), uow.commits) == (sent, commits)
    assert request.event_id in uow.inbox


def test_a_catch_up_of_something_program_does_not_own_sends_nothing(
    uow: Uow, chain_id: uuid.UUID
) -> None:
    handlers.add_exercise(uow, admin(chain_id), HACK_SQUAT)
    request = catch_up(INVENTORY)
    handlers.on_catch_up_requested(uow, request)
    assert [type(e) for e in uow.outbox] == [ExerciseAdded]
    assert request.event_id in uow.inbox
