"""The program service's reads: the catalog, programs, assignments and today's plan.

Each read takes the unit of work first and runs in one transaction. A chain's first call
seeds its content (`handlers.ensure_chain`), so a read commits that seed and nothing else.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from myokine.catalog import Equipment
from myokine.internal_auth import Caller, require_staff
from myokine.problems import Forbidden, NotFound
from myokine.unit_of_work import UnitOfWork
from program_service.domain import conformance, rotation
from program_service.handlers import draft_plan, ensure_chain
from program_service.problems import NoAssignment
from program_service.schemas import (
    Alternative,
    AssignmentOut,
    CheckOut,
    ExerciseOut,
    ProgramIn,
    ProgramOut,
    TodayExercise,
    TodayOut,
    ViolationOut,
)

if TYPE_CHECKING:
    from program_service.repository import ProgramRepository

Result = TypeVar("Result")


def _read(
    uow: UnitOfWork[ProgramRepository],
    chain_id: uuid.UUID,
    read: Callable[[ProgramRepository], Result],
) -> Result:
    """Run `read` in one transaction, after seeding the chain if this is its first call."""
    with uow:
        ensure_chain(uow.repo, chain_id)
        result = read(uow.repo)
        uow.commit()
        return result


def list_exercises(uow: UnitOfWork[ProgramRepository], caller: Caller) -> list[ExerciseOut]:
    """The caller's chain's catalog, the built-in exercises first."""
    return _read(
        uow,
        caller.chain_id,
        lambda repo: [ExerciseOut.of(row) for row in repo.catalog(caller.chain_id)],
    )


def check_program(uow: UnitOfWork[ProgramRepository], caller: Caller, draft: ProgramIn) -> CheckOut:
    """The conformance check of a program, without saving it."""
    plan = _read(uow, caller.chain_id, lambda repo: draft_plan(repo, caller.chain_id, draft))
    violations = conformance.check(plan)
    return CheckOut(conforms=not violations, violations=[ViolationOut.of(v) for v in violations])


def get_program(
    uow: UnitOfWork[ProgramRepository], caller: Caller, program_id: uuid.UUID, version: int | None
) -> ProgramOut:
    """One program of the chain, at its current version or at `version`."""

    def read(repo: ProgramRepository) -> ProgramOut:
        program = repo.find_program(caller.chain_id, program_id)
        if program is None:
            raise NotFound(f"No program {program_id}.")
        row = repo.find_version(program.id, version or program.current_version)
        if row is None:
            raise NotFound(f"Program {program_id} has no version {version}.")
        return ProgramOut.of(program, row, repo.exercise_names(caller.chain_id))

    return _read(uow, caller.chain_id, read)


def program_versions(
    uow: UnitOfWork[ProgramRepository], caller: Caller, program_id: uuid.UUID
) -> list[ProgramOut]:
    """Every version of a program, newest first."""

    def read(repo: ProgramRepository) -> list[ProgramOut]:
        program = repo.find_program(caller.chain_id, program_id)
        if program is None:
            raise NotFound(f"No program {program_id}.")
        names = repo.exercise_names(caller.chain_id)
        return [ProgramOut.of(program, version, names) for version in repo.versions_of(program.id)]

    return _read(uow, caller.chain_id, read)


def list_programs(uow: UnitOfWork[ProgramRepository], caller: Caller) -> list[ProgramOut]:
    """The chain's programs at their current versions, the ready-made ones first."""

    def read(repo: ProgramRepository) -> list[ProgramOut]:
        names = repo.exercise_names(caller.chain_id)
        return [
            ProgramOut.of(program, version, names)
            for program, version in repo.programs_with_current_version(caller.chain_id)
        ]

    return _read(uow, caller.chain_id, read)


def assignment_history(
    uow: UnitOfWork[ProgramRepository], caller: Caller, member_id: uuid.UUID
) -> list[AssignmentOut]:
    """The member's assignments, newest first."""
    require_staff(caller)
    return _read(
        uow,
        caller.chain_id,
        lambda repo: [
            AssignmentOut.of(assignment, version)
            for assignment, version in repo.assignment_history(caller.chain_id, member_id)
        ],
    )


def active_assignments(
    uow: UnitOfWork[ProgramRepository], caller: Caller, member_ids: list[uuid.UUID]
) -> list[AssignmentOut]:
    """The active assignment of each of these members who has one (staff only): a trainer's
    lists mark the members who still need a program."""
    require_staff(caller)
    return _read(
        uow,
        caller.chain_id,
        lambda repo: [
            AssignmentOut.of(assignment, version)
            for assignment, version in repo.active_assignments(caller.chain_id, member_ids)
        ],
    )


def _may_see_member(caller: Caller, member_id: uuid.UUID) -> None:
    if caller.is_staff or caller.role == "kiosk":
        return
    if caller.role == "member" and caller.sub == str(member_id):
        return
    raise Forbidden("A member sees only their own plan.")


def todays_plan(
    uow: UnitOfWork[ProgramRepository],
    caller: Caller,
    member_id: uuid.UUID,
    day_name: str | None = None,
) -> TodayOut:
    """The member's next session: the day of the rotation after the last day trained, or
    the day named `day_name` when the program has it (the day a member is in the middle
    of: finishing an earlier session moves the rotation on while they train)."""
    _may_see_member(caller, member_id)

    def read(repo: ProgramRepository) -> TodayOut:
        active = repo.active_assignments(caller.chain_id, [member_id])
        if not active:
            raise NoAssignment(f"Member {member_id} has no active assignment.")
        ((assignment, version),) = active
        plan = version.to_plan()
        index = rotation.next_day_index(assignment.last_day_index, len(plan.days))
        named = [i for i, d in enumerate(plan.days) if d.name == day_name]
        if named:
            index = named[0]
        day = plan.days[index]
        # The whole catalog in one read: a chain's is a few dozen rows, and each slot's
        # alternatives are its pattern's other exercises.
        whole = repo.catalog(caller.chain_id)
        catalog = {e.slug: e for e in whole}
        return TodayOut(
            assignment_id=assignment.id,
            program_id=assignment.program_id,
            program_version=assignment.program_version,
            program_name=version.name,
            exception_reason=version.exception_reason,
            day=day.name,
            day_index=index,
            day_count=len(plan.days),
            last_trained_day=(
                plan.days[assignment.last_day_index].name
                if assignment.last_day_index is not None
                else None
            ),
            last_trained_on=assignment.last_trained_on,
            exercises=[
                TodayExercise(
                    exercise=slot.exercise,
                    name=catalog[slot.exercise].name,
                    pattern=slot.pattern,
                    equipment=Equipment(catalog[slot.exercise].equipment),
                    load_step_kg=catalog[slot.exercise].load_step_kg,
                    bodyweight=catalog[slot.exercise].bodyweight,
                    sets=slot.sets,
                    rep_min=slot.rep_min,
                    rep_max=slot.rep_max,
                    rest_seconds=slot.rest_seconds,
                    notes=slot.notes,
                    starting_load_kg=(
                        Decimal(assignment.starting_loads[slot.exercise])
                        if slot.exercise in assignment.starting_loads
                        else None
                    ),
                    alternatives=[
                        Alternative(exercise=e.slug, name=e.name, equipment=Equipment(e.equipment))
                        for e in whole
                        if e.pattern == slot.pattern and e.slug != slot.exercise
                    ],
                )
                for slot in day.slots
            ],
        )

    return _read(uow, caller.chain_id, read)
