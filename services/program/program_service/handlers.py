"""The program service's use cases: one function per command or event, one transaction each.

Each takes the unit of work first, then plain values, and works through `uow.repo`. A write
runs once per Idempotency-Key (scoped to the caller's chain): a retry gets the first
answer, with its status, and changes nothing. A chain's first call, read or write, seeds
its catalog and ready-made programs (`ensure_chain`) in that call's transaction.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from http import HTTPStatus
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel

from myokine.catalog import DEFAULT_CATALOG, DEFAULT_LOAD_STEP_KG, Equipment
from myokine.events import (
    CATALOG,
    AssignmentEnded,
    CatchUpRequested,
    ExerciseAdded,
    ExerciseChanged,
    MemberErased,
    PlannedExercise,
    ProgramAssigned,
    SessionFinished,
)
from myokine.idempotency import IdempotentRequest
from myokine.internal_auth import Caller, require_staff
from myokine.patterns import Pattern
from myokine.problems import Conflict, Forbidden, InvalidInput, NotFound
from myokine.request_context import current_request_id
from myokine.unit_of_work import Reply, UnitOfWork, idempotent_write
from program_service.domain import conformance, rotation
from program_service.domain.plans import Plan, Slot, TrainingDay, VersionContent
from program_service.domain.ready_made import READY_MADE
from program_service.domain.slugs import slugify
from program_service.domain.starting_loads import load_problem
from program_service.problems import NoAssignment, NonConformingProgram
from program_service.schemas import (
    AssignmentIn,
    AssignmentOut,
    ExerciseChange,
    ExerciseIn,
    ExerciseOut,
    ProgramIn,
    ProgramOut,
    ViolationOut,
)

if TYPE_CHECKING:
    # Only for types: the handlers work on what the unit of work's repository hands out.
    from program_service.repository import Assignment, Exercise, ProgramRepository

log = logging.getLogger(__name__)

Answer = TypeVar("Answer", bound=BaseModel)
Told = TypeVar("Told", bound=ExerciseAdded)


# --- the chain's starting content --------------------------------------------------------


def ensure_chain(repo: ProgramRepository, chain_id: uuid.UUID) -> None:
    """Seed the chain's catalog and ready-made programs on its first call, exactly once.

    Every call of the chain, reads included (queries.py), runs this in its transaction
    before it touches the chain's content; a concurrent first call waits for this one's
    claim on the chain and then finds it seeded.
    """
    if not repo.claim_chain(chain_id):
        return
    repo.add_catalog(chain_id, DEFAULT_CATALOG)
    for plan in READY_MADE:
        repo.add_program(chain_id, _content(plan, None), ready_made=True, created_by=None)


def _write(
    uow: UnitOfWork[ProgramRepository],
    caller: Caller,
    idempotency: IdempotentRequest | None,
    status: HTTPStatus,
    answer: type[Answer],
    work: Callable[[], Answer],
) -> Answer:
    """Run one write of the caller's chain in one transaction, once per Idempotency-Key.

    The answer is stored as the JSON a retry gets again, with its status; a retry (same
    key, same request) gets it back without doing the work again. Both get the answer as
    read back from that JSON, so the first answer and a retried one are the same.
    """

    def reply() -> Reply:
        ensure_chain(uow.repo, caller.chain_id)
        return Reply(int(status), work().model_dump_json())

    stored = idempotent_write(uow, str(caller.chain_id), idempotency, reply)
    return answer.model_validate_json(stored.body)


# --- catalog -----------------------------------------------------------------------------


def add_exercise(
    uow: UnitOfWork[ProgramRepository],
    caller: Caller,
    new: ExerciseIn,
    idempotency: IdempotentRequest | None = None,
) -> ExerciseOut:
    """A chain admin adds an exercise to the chain's catalog; its slug is stable from then on."""
    if caller.role not in ("chain_admin", "system"):
        raise Forbidden("Only a chain admin adds exercises to the catalog.")
    slug = new.slug or slugify(new.name)
    if not slug:
        raise InvalidInput(
            "The name has no letters or digits to make a slug from.",
            errors=[{"field": "slug", "message": "give a slug, or a name with letters"}],
        )

    def work() -> ExerciseOut:
        row = uow.repo.add_exercise(
            chain_id=caller.chain_id,
            slug=slug,
            name=new.name,
            pattern=new.pattern,
            equipment=new.equipment,
            load_step_kg=new.load_step_kg or DEFAULT_LOAD_STEP_KG[new.equipment],
            bodyweight=(
                new.bodyweight
                if new.bodyweight is not None
                else new.equipment in (Equipment.BODYWEIGHT, Equipment.ASSISTED)
            ),
            created_by=caller.sub,
        )
        if row is None:
            raise Conflict(f"The catalog already has an exercise '{slug}'.", slug=slug)
        uow.add_event(_told(ExerciseAdded, row))
        return ExerciseOut.of(row)

    return _write(uow, caller, idempotency, HTTPStatus.CREATED, ExerciseOut, work)


def change_exercise(
    uow: UnitOfWork[ProgramRepository],
    caller: Caller,
    slug: str,
    change: ExerciseChange,
    idempotency: IdempotentRequest | None = None,
) -> ExerciseOut:
    """A chain admin changes one of the chain's own exercises; the fields not sent stay.

    The change is the exercise's next version, sent whole as `ExerciseChanged`; a change
    to what it already holds is none (no version, no event). The built-in exercises are
    the same in every chain, so they stay as they are.
    """
    if caller.role not in ("chain_admin", "system"):
        raise Forbidden("Only a chain admin changes exercises of the catalog.")

    def work() -> ExerciseOut:
        row = uow.repo.find_exercise(caller.chain_id, slug, for_update=True)
        if row is None:
            raise NotFound(f"The catalog has no exercise '{slug}'.")
        if row.builtin:
            raise Conflict(
                f"'{slug}' is a built-in exercise of every chain's catalog and cannot be "
                "changed; add an exercise of the chain's own instead.",
                slug=slug,
            )
        changed = row.change(
            name=change.name,
            pattern=change.pattern,
            equipment=change.equipment,
            load_step_kg=change.load_step_kg,
        )
        if changed:
            uow.add_event(_told(ExerciseChanged, row))
        return ExerciseOut.of(row)

    return _write(uow, caller, idempotency, HTTPStatus.OK, ExerciseOut, work)


def _told(kind: type[Told], row: Exercise) -> Told:
    """The event telling the consumers what a chain's own exercise is, at its version."""
    return kind(
        chain_id=row.chain_id,
        request_id=current_request_id(),
        slug=row.slug,
        name=row.name,
        pattern=row.pattern,
        equipment=row.equipment,
        load_step_kg=row.load_step_kg,
        bodyweight=row.bodyweight,
        version=row.version,
    )


# --- programs ----------------------------------------------------------------------------


def draft_plan(repo: ProgramRepository, chain_id: uuid.UUID, draft: ProgramIn) -> Plan:
    """The plan a trainer wrote, with each exercise's pattern from the chain's catalog.

    Raises InvalidInput naming every exercise the catalog does not have.
    """
    slugs = {slot.exercise for day in draft.days for slot in day.exercises}
    known = repo.exercises_by_slug(chain_id, slugs)
    errors = [
        {
            "field": f"days.{d}.exercises.{s}.exercise",
            "message": f"unknown exercise '{slot.exercise}'",
        }
        for d, day in enumerate(draft.days)
        for s, slot in enumerate(day.exercises)
        if slot.exercise not in known
    ]
    if errors:
        raise InvalidInput("The program names exercises the catalog does not have.", errors=errors)
    return Plan(
        name=draft.name,
        sessions_per_week=draft.sessions_per_week,
        days=tuple(
            TrainingDay(
                name=day.name,
                slots=tuple(
                    Slot(
                        exercise=slot.exercise,
                        pattern=Pattern(known[slot.exercise].pattern),
                        sets=slot.sets,
                        rep_min=slot.rep_min,
                        rep_max=slot.rep_max,
                        rest_seconds=slot.rest_seconds,
                        notes=slot.notes,
                    )
                    for slot in day.exercises
                ),
            )
            for day in draft.days
        ),
    )


def _content(plan: Plan, reason: str | None) -> VersionContent:
    """A version's content: the plan, how it breaks the protocol, and why that is allowed."""
    violations = [ViolationOut.of(v).model_dump(mode="json") for v in conformance.check(plan)]
    # A reason only means something on a program that needs one.
    return VersionContent(plan, violations, reason if violations else None)


def _conforming_or_excepted(plan: Plan, reason: str | None) -> VersionContent:
    """The content of a plan to save; refused when it breaks the protocol without a reason."""
    content = _content(plan, reason)
    if content.violations and not reason:
        raise NonConformingProgram(
            f"The program breaks the protocol in {len(content.violations)} way(s); fix it, or "
            "save it as an exception with an `exception_reason`.",
            violations=content.violations,
        )
    return content


def create_program(
    uow: UnitOfWork[ProgramRepository],
    caller: Caller,
    draft: ProgramIn,
    idempotency: IdempotentRequest | None = None,
) -> ProgramOut:
    """Save a new program; one that breaks the protocol needs an exception reason."""
    require_staff(caller)

    def work() -> ProgramOut:
        plan = draft_plan(uow.repo, caller.chain_id, draft)
        content = _conforming_or_excepted(plan, draft.exception_reason)
        program, version = uow.repo.add_program(
            caller.chain_id, content, ready_made=False, created_by=caller.sub
        )
        return ProgramOut.of(program, version, uow.repo.exercise_names(caller.chain_id))

    return _write(uow, caller, idempotency, HTTPStatus.CREATED, ProgramOut, work)


def update_program(
    uow: UnitOfWork[ProgramRepository],
    caller: Caller,
    program_id: uuid.UUID,
    draft: ProgramIn,
    idempotency: IdempotentRequest | None = None,
    *,
    now: datetime,
) -> ProgramOut:
    """Replace a program's content.

    A version that was ever assigned stays as it is (its members keep it until they are
    re-assigned), so the edit becomes a new version; an unassigned version is edited in
    place. An edit that changes nothing changes nothing.
    """
    require_staff(caller)

    def work() -> ProgramOut:
        repo = uow.repo
        program = repo.find_program(caller.chain_id, program_id, for_update=True)
        if program is None:
            raise NotFound(f"No program {program_id}.")
        plan = draft_plan(repo, caller.chain_id, draft)
        content = _conforming_or_excepted(plan, draft.exception_reason)
        current = repo.find_version(program.id, program.current_version)
        assert current is not None, "a program always has its current version"
        if current.holds(content):
            return ProgramOut.of(program, current, repo.exercise_names(caller.chain_id))
        if repo.version_was_assigned(program.id, current.version):
            version = repo.add_version(
                program.id, current.version + 1, content, created_by=caller.sub
            )
            program.current_version = version.version
        else:
            current.set_content(content, created_by=caller.sub)
            version = current
        program.updated_at = now
        return ProgramOut.of(program, version, repo.exercise_names(caller.chain_id))

    return _write(uow, caller, idempotency, HTTPStatus.OK, ProgramOut, work)


# --- assignments -------------------------------------------------------------------------


def _check_starting_loads(
    loads: dict[str, Decimal], plan: Plan, catalog: dict[str, Exercise]
) -> None:
    in_plan = {slot.exercise for day in plan.days for slot in day.slots}
    errors = []
    for slug, kg in loads.items():
        field = f"starting_loads.{slug}"
        if slug not in in_plan:
            errors.append({"field": field, "message": "the program has no such exercise"})
            continue
        problem = load_problem(kg, assisted=catalog[slug].equipment == Equipment.ASSISTED)
        if problem is not None:
            errors.append({"field": field, "message": problem})
    if errors:
        raise InvalidInput("Some starting loads are not usable.", errors=errors)


def _end(
    uow: UnitOfWork[ProgramRepository],
    caller: Caller,
    assignment: Assignment,
    seq: int,
    now: datetime,
) -> None:
    """End an assignment and emit `AssignmentEnded` with the member's sequence number `seq`."""
    uow.repo.end_assignment(assignment, ended_at=now, ended_by=caller.sub)
    uow.add_event(
        AssignmentEnded(
            chain_id=caller.chain_id,
            member_id=assignment.member_id,
            seq=seq,
            request_id=current_request_id(),
            assignment_id=assignment.id,
        )
    )


def _planned_exercises(
    plan: Plan, catalog: dict[str, Exercise], loads: dict[str, Decimal]
) -> list[PlannedExercise]:
    """Each exercise of the plan once, as first prescribed, for progression's targets."""
    planned: dict[str, PlannedExercise] = {}
    for day in plan.days:
        for slot in day.slots:
            if slot.exercise in planned:
                continue
            row = catalog[slot.exercise]
            planned[slot.exercise] = PlannedExercise(
                exercise=slot.exercise,
                pattern=str(slot.pattern),
                equipment=row.equipment,
                load_step_kg=row.load_step_kg,
                bodyweight=row.bodyweight,
                sets=slot.sets,
                rep_min=slot.rep_min,
                rep_max=slot.rep_max,
                starting_load_kg=loads.get(slot.exercise),
            )
    return list(planned.values())


def _refuse_erased(repo: ProgramRepository, member_id: uuid.UUID) -> None:
    """NotFound for a member erased here: asked under the member's sequence lock, which the
    erasure takes too, so a write that passed the gateway just before it stores nothing."""
    if repo.erased(member_id):
        raise NotFound("No such member.")


def assign_program(
    uow: UnitOfWork[ProgramRepository],
    caller: Caller,
    member_id: uuid.UUID,
    request: AssignmentIn,
    idempotency: IdempotentRequest | None = None,
    *,
    now: datetime,
) -> AssignmentOut:
    """Assign a program version to a member, ending their active assignment if they have one.

    Emits `AssignmentEnded` for the replaced assignment, then `ProgramAssigned`, numbered
    in order for the member.
    """
    require_staff(caller)

    def work() -> AssignmentOut:
        repo = uow.repo
        # Locked so that a concurrent edit sees this assignment and makes a new version
        # instead of changing the one being assigned.
        program = repo.find_program(caller.chain_id, request.program_id, for_update=True)
        if program is None:
            raise NotFound(f"No program {request.program_id}.")
        version = repo.find_version(program.id, request.program_version or program.current_version)
        if version is None:
            raise NotFound(f"Program {program.id} has no version {request.program_version}.")
        plan = version.to_plan()
        slugs = {slot.exercise for day in plan.days for slot in day.slots}
        catalog = repo.exercises_by_slug(caller.chain_id, slugs)
        _check_starting_loads(request.starting_loads, plan, catalog)

        # Taking the member's sequence row first serializes concurrent assignments.
        seq = repo.next_member_seq(member_id)
        _refuse_erased(repo, member_id)
        current = repo.active_assignment(caller.chain_id, member_id)
        if current is not None:
            _end(uow, caller, current, seq, now)
            seq = repo.next_member_seq(member_id)
        assignment = repo.add_assignment(
            chain_id=caller.chain_id,
            member_id=member_id,
            program_id=program.id,
            program_version=version.version,
            start_date=request.start_date,
            weekdays=request.weekdays,
            starting_loads=request.starting_loads,
            assigned_by=caller.sub,
        )
        uow.add_event(
            ProgramAssigned(
                chain_id=caller.chain_id,
                member_id=member_id,
                seq=seq,
                request_id=current_request_id(),
                assignment_id=assignment.id,
                program_id=program.id,
                program_version=version.version,
                start_date=request.start_date,
                weekdays=request.weekdays,
                exercises=_planned_exercises(plan, catalog, request.starting_loads),
            )
        )
        return AssignmentOut.of(assignment, version)

    return _write(uow, caller, idempotency, HTTPStatus.CREATED, AssignmentOut, work)


def end_assignment(
    uow: UnitOfWork[ProgramRepository],
    caller: Caller,
    member_id: uuid.UUID,
    idempotency: IdempotentRequest | None = None,
    *,
    now: datetime,
) -> AssignmentOut:
    """End the member's active assignment (history keeps it); emits `AssignmentEnded`."""
    require_staff(caller)

    def work() -> AssignmentOut:
        repo = uow.repo
        seq = repo.next_member_seq(member_id)
        _refuse_erased(repo, member_id)
        current = repo.active_assignment(caller.chain_id, member_id)
        if current is None:
            raise NoAssignment(f"Member {member_id} has no active assignment.")
        _end(uow, caller, current, seq, now)
        version = repo.find_version(current.program_id, current.program_version)
        assert version is not None
        return AssignmentOut.of(current, version)

    return _write(uow, caller, idempotency, HTTPStatus.OK, AssignmentOut, work)


# --- events ------------------------------------------------------------------------------


def on_session_finished(uow: UnitOfWork[ProgramRepository], event: SessionFinished) -> None:
    """Move the member's rotation to the day they trained, if the session is the latest.

    Applied once per event (the inbox); a redelivery changes nothing.
    """
    with uow:
        if uow.first_delivery(event):
            _follow_session(uow.repo, event)
            # Also when the session left the rotation as it was: it is settled either way.
            uow.commit()


def _follow_session(repo: ProgramRepository, event: SessionFinished) -> None:
    """Move the rotation of the assignment a finished session belongs to.

    The session belongs to the assignment it names, or, for an event without one, to the
    member's active assignment if that existed when the session finished. Its day is the
    `program_day` it names; a session that names none was trained from the plan the kiosk
    showed, which is the day after the last one trained. Sessions without sets, sessions
    older than the latest one, and days the program does not have, leave it as it is.
    """
    if event.set_count == 0:
        return
    if event.assignment_id is not None:
        assignment = repo.find_assignment(event.assignment_id, for_update=True)
        if assignment is None or assignment.member_id != event.member_id:
            return
    else:
        assignment = repo.active_assignment(event.chain_id, event.member_id)
        if assignment is None or event.occurred_at < assignment.created_at:
            return
    if not rotation.is_newer_session(event.seq, assignment.last_session_seq):
        return
    version = repo.find_version(assignment.program_id, assignment.program_version)
    assert version is not None
    plan = version.to_plan()
    if event.program_day is None:
        index = rotation.next_day_index(assignment.last_day_index, len(plan.days))
    else:
        found = plan.day_index(event.program_day)
        if found is None:
            return
        index = found
    assignment.last_day_index = index
    assignment.last_trained_on = event.local_date
    assignment.last_session_id = event.session_id
    assignment.last_session_seq = event.seq


def on_member_erased(uow: UnitOfWork[ProgramRepository], event: MemberErased) -> None:
    """Erase a member (GDPR): their assignments, sequence, and the events and stored answers
    that name them; only a digest of their id stays, so a late write stores nothing.

    Applied once per event (the inbox); a finished session of theirs that arrives later
    finds no assignment to move.
    """
    with uow:
        if not uow.first_delivery(event):
            return
        rows = uow.repo.erase_member(event.member_id)
        messages = uow.forget_messages_about(event.member_id)
        uow.commit()
    log.info(
        "member erased",
        extra={"member_id": str(event.member_id), "rows": rows, "messages": messages},
    )


def on_catch_up_requested(uow: UnitOfWork[ProgramRepository], event: CatchUpRequested) -> None:
    """Send a consumer that asked for the catalog every chain's own exercises again, each
    as `ExerciseChanged` at its current version (which a consumer that has it ignores).

    Applied once per request (the inbox): a redelivered request sends nothing more.
    """
    with uow:
        if not uow.first_delivery(event):
            return
        if CATALOG in event.wants:
            for row in uow.repo.own_exercises():
                uow.add_event(_told(ExerciseChanged, row))
        # Also when it asked only for what another service owns: it is settled either way.
        uow.commit()
