"""The reads of queries.py on the in-memory unit of work: what they answer, whom they refuse."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from myokine.catalog import DEFAULT_CATALOG
from myokine.problems import Forbidden, InvalidInput, NotFound
from program_service import handlers, queries
from program_service.problems import NoAssignment
from program_service.schemas import ExerciseIn

from .conftest import Uow, assign, caller, conforming, draft, ready_made, squat_only
from .fakes import FakeProgramRepository


def test_a_chains_first_read_seeds_it_and_commits_only_that(
    uow: Uow, repo: FakeProgramRepository, chain_id: uuid.UUID
) -> None:
    catalog = queries.list_exercises(uow, caller(chain_id))
    assert [e.slug for e in catalog] == [item.slug for item in DEFAULT_CATALOG]
    assert all(e.builtin for e in catalog)
    assert (uow.commits, uow.outbox, uow.replies) == (1, [], {})
    queries.list_exercises(uow, caller(chain_id))
    assert len(repo.exercises) == len(DEFAULT_CATALOG)


def test_the_chains_own_exercises_follow_the_built_in_ones(uow: Uow, chain_id: uuid.UUID) -> None:
    admin = caller(chain_id, "chain_admin", "admin-1")
    new = ExerciseIn.model_validate({"name": "Ring row", "pattern": "pull", "equipment": "machine"})
    handlers.add_exercise(uow, admin, new)
    assert queries.list_exercises(uow, caller(chain_id))[-1].slug == "ring-row"


def test_ready_made_programs_come_first(uow: Uow, chain_id: uuid.UUID) -> None:
    handlers.create_program(uow, caller(chain_id), conforming())
    programs = queries.list_programs(uow, caller(chain_id))
    assert [p.ready_made for p in programs] == [True, True, True, False]
    assert all(p.conforms for p in programs)


def test_checking_a_program_saves_nothing(
    uow: Uow, repo: FakeProgramRepository, chain_id: uuid.UUID
) -> None:
    assert queries.check_program(uow, caller(chain_id), conforming()).conforms
    checked = queries.check_program(uow, caller(chain_id), squat_only())
    assert not checked.conforms
    assert {v.rule for v in checked.violations} >= {"weekly_min"}
    assert not [p for p in repo.programs.values() if not p.ready_made]
    with pytest.raises(InvalidInput):
        queries.check_program(uow, caller(chain_id), draft(("A", ["moon-walk"])))


def test_unknown_programs_and_versions_are_404(uow: Uow, chain_id: uuid.UUID) -> None:
    saved = handlers.create_program(uow, caller(chain_id), conforming())
    with pytest.raises(NotFound):
        queries.get_program(uow, caller(chain_id), uuid.uuid4(), None)
    with pytest.raises(NotFound):
        queries.get_program(uow, caller(chain_id), saved.id, 9)
    with pytest.raises(NotFound):
        queries.get_program(uow, caller(uuid.uuid4()), saved.id, None)
    with pytest.raises(NotFound):
        queries.program_versions(uow, caller(chain_id), uuid.uuid4())


def test_today_starts_on_the_first_day_with_the_starting_loads(
    uow: Uow, chain_id: uuid.UUID
) -> None:
    member = uuid.uuid4()
    assign(uow, chain_id, member, ready_made(uow, chain_id, 3), starting_loads={"bench-press": 60})
    plan = queries.todays_plan(uow, caller(chain_id), member)
    assert (plan.day, plan.day_index, plan.day_count, plan.last_trained_day) == ("A", 0, 2, None)
    bench = next(e for e in plan.exercises if e.exercise == "bench-press")
    assert (bench.name, bench.starting_load_kg) == ("Bench press", Decimal(60))
    squat = next(e for e in plan.exercises if e.exercise == "barbell-back-squat")
    assert squat.starting_load_kg is None


def test_each_planned_exercise_names_the_other_exercises_of_its_pattern(
    uow: Uow, chain_id: uuid.UUID
) -> None:
    member = uuid.uuid4()
    assign(uow, chain_id, member, ready_made(uow, chain_id, 3))
    plan = queries.todays_plan(uow, caller(chain_id), member)
    squat = next(e for e in plan.exercises if e.exercise == "barbell-back-squat")
    swaps = {a.exercise: a.equipment.value for a in squat.alternatives}
    assert "barbell-back-squat" not in swaps
    assert swaps["goblet-squat"] == "kettlebell"
    assert swaps["leg-press"] == "machine"
    patterns = {e.slug: e.pattern for e in uow.repo.catalog(chain_id)}
    for planned in plan.exercises:
        assert {patterns[a.exercise] for a in planned.alternatives} == {planned.pattern}


def test_a_member_sees_only_their_own_plan(uow: Uow, chain_id: uuid.UUID) -> None:
    member = uuid.uuid4()
    assign(uow, chain_id, member, ready_made(uow, chain_id, 3))
    assert queries.todays_plan(uow, caller(chain_id, "member", str(member)), member).day == "A"
    assert queries.todays_plan(uow, caller(chain_id, "kiosk", "kiosk-1"), member).day == "A"
    with pytest.raises(Forbidden):
        queries.todays_plan(uow, caller(chain_id, "member", str(uuid.uuid4())), member)


def test_another_chain_sees_no_assignment(uow: Uow, chain_id: uuid.UUID) -> None:
    member = uuid.uuid4()
    assign(uow, chain_id, member, ready_made(uow, chain_id, 3))
    with pytest.raises(NoAssignment):
        queries.todays_plan(uow, caller(uuid.uuid4()), member)
    assert queries.assignment_history(uow, caller(uuid.uuid4()), member) == []


def test_the_history_is_for_staff(uow: Uow, chain_id: uuid.UUID) -> None:
    member = uuid.uuid4()
    with pytest.raises(Forbidden):
        queries.assignment_history(uow, caller(chain_id, "member", str(member)), member)


def test_active_assignments_name_only_members_with_one(uow: Uow, chain_id: uuid.UUID) -> None:
    assigned, without = uuid.uuid4(), uuid.uuid4()
    assign(uow, chain_id, assigned, ready_made(uow, chain_id, 3))
    active = queries.active_assignments(uow, caller(chain_id), [assigned, without])
    assert [a.member_id for a in active] == [assigned]
    assert queries.active_assignments(uow, caller(uuid.uuid4()), [assigned]) == []
    with pytest.raises(Forbidden):
        queries.active_assignments(uow, caller(chain_id, "member", str(assigned)), [assigned])


def test_today_answers_the_day_being_trained_when_named(uow: Uow, chain_id: uuid.UUID) -> None:
    member = uuid.uuid4()
    assign(uow, chain_id, member, ready_made(uow, chain_id, 3))
    assert queries.todays_plan(uow, caller(chain_id), member, "B").day == "B"
    # A name the program does not have: the rotation's next day, as without one.
    assert queries.todays_plan(uow, caller(chain_id), member, "Z").day == "A"
